package dev.secureyeoman.integrations.media;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a host name to addresses. The {@link MediaHandler} asks exactly once per hop of a download, checks every
 * returned address and connects only to one of those it checked (the connection is pinned: a second, rebinding DNS
 * answer is never asked for). Tests inject a resolver that maps names to chosen addresses.
 */
@FunctionalInterface
public interface HostResolver {

  /** The system resolver ({@link InetAddress#getAllByName(String)}). */
  HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  /**
   * Resolves a host name.
   *
   * @param host a DNS name (never an address literal)
   * @return at least one address
   * @throws UnknownHostException if the name does not resolve
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;
}
