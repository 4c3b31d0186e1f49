package dev.secureyeoman.integrations.media.internal;

import dev.secureyeoman.integrations.media.HostResolver;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.MediaRejectedException;
import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a URL may be fetched for a platform and, if so, which addresses to connect to. Runs for the first URL
 * and again for every redirect target.
 *
 * <p>Order: URL shape (absolute, {@code http}/{@code https}, no user info) → literal addresses classified (so
 * {@code https://10.0.0.1/}, {@code https://2130706433/} or {@code https://[::ffff:127.0.0.1]/} are refused as private
 * whatever the allowlist says) → non-canonical numeric forms refused → host allowlist of the platform → one DNS
 * resolution whose every answer must be public → scheme ({@code https}, or {@code http} only to a loopback port opened
 * by the test switch). The caller connects only to the returned addresses.
 */
public final class DestinationGuard {

  /**
   * A checked destination.
   *
   * @param host the host name (or literal without brackets) for SNI, certificate checks and the Host field
   * @param port the port
   * @param tls whether to speak TLS
   * @param addresses the checked addresses, in resolver order
   * @param pathAndQuery the request target
   */
  public record Destination(String host, int port, boolean tls, List<InetAddress> addresses, String pathAndQuery) {}

  private final MediaPolicy policy;
  private final HostResolver resolver;

  /**
   * Creates a guard.
   *
   * @param policy the policy
   * @param resolver the resolver asked once per check
   */
  public DestinationGuard(MediaPolicy policy, HostResolver resolver) {
    this.policy = policy;
    this.resolver = resolver;
  }

  /**
   * Checks a URL.
   *
   * @param platform the platform whose allowlist applies
   * @param url the URL
   * @return the destination to connect to
   * @throws MediaRejectedException with the reason of the first failed check
   */
  public Destination check(String platform, URI url) throws MediaRejectedException {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new MediaRejectedException(Reason.INSECURE_SCHEME, "only https URLs are fetched (" + platform + ")");
    }
    if (url.isOpaque() || url.getRawAuthority() == null) {
      throw new MediaRejectedException(Reason.INVALID_URL, "URL has no host (" + platform + ")");
    }
    if (url.getRawUserInfo() != null || url.getRawAuthority().indexOf('@') >= 0) {
      throw new MediaRejectedException(Reason.INVALID_URL, "URL carries user info (" + platform + ")");
    }
    if (url.getHost() == null) {
      refuseUnparsedAuthority(platform, url.getRawAuthority());
    }
    AddressClassifier.Host host;
    try {
      host = AddressClassifier.parseHost(url.getHost());
    } catch (IllegalArgumentException e) {
      throw new MediaRejectedException(Reason.INVALID_URL, "malformed host (" + platform + "): " + e.getMessage());
    }
    boolean tls = scheme.equals("https");
    int port = url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80;
    String shown = platform + " host " + safe(host.name());
    List<InetAddress> addresses;
    if (host.isLiteral()) {
      if (host.mappedLiteral()) {
        throw new MediaRejectedException(Reason.PRIVATE_ADDRESS, "IPv4-mapped IPv6 literal refused: " + shown);
      }
      checkAddress(host.literal(), port, shown);
      if (!host.canonical()) {
        throw new MediaRejectedException(Reason.INVALID_URL, "non-canonical numeric host refused: " + shown);
      }
      addresses = List.of(host.address());
    } else {
      addresses = null;
    }
    if (!policy.hostAllowed(platform, host.name())) {
      throw new MediaRejectedException(Reason.HOST_NOT_ALLOWED, shown + " is not on the allowlist");
    }
    if (addresses == null) {
      List<InetAddress> resolved;
      try {
        resolved = resolver.resolve(host.name());
      } catch (UnknownHostException e) {
        throw new MediaRejectedException(Reason.RESOLUTION_FAILED, shown + " does not resolve");
      }
      if (resolved == null || resolved.isEmpty()) {
        throw new MediaRejectedException(Reason.RESOLUTION_FAILED, shown + " resolved to nothing");
      }
      for (InetAddress a : resolved) {
        checkAddress(a, port, shown);
      }
      addresses = List.copyOf(new ArrayList<>(resolved));
    }
    if (!tls) {
      for (InetAddress a : addresses) {
        if (!loopbackTestPort(a, port)) {
          throw new MediaRejectedException(Reason.INSECURE_SCHEME, "plain http refused: " + shown);
        }
      }
    }
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    String target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new MediaRejectedException(Reason.INVALID_URL, "URL path has unencoded characters (" + platform + ")");
      }
    }
    String hostForWire = host.isLiteral() ? host.literal().getHostAddress() : host.name();
    return new Destination(hostForWire, port, tls, addresses, target);
  }

  /**
   * {@link URI} leaves the host null for forms outside RFC 2396's grammar, such as {@code 0x7f.0.0.1}. Such URLs are
   * never fetched, but the reason should say whether the host denotes a private address.
   */
  private void refuseUnparsedAuthority(String platform, String authority) throws MediaRejectedException {
    String hostPart = authority;
    if (!authority.startsWith("[")) {
      int colon = authority.lastIndexOf(':');
      hostPart = colon >= 0 ? authority.substring(0, colon) : authority;
    }
    try {
      AddressClassifier.Host h = AddressClassifier.parseHost(hostPart);
      if (h.isLiteral() && AddressClassifier.classify(h.literal()) != AddressClassifier.Kind.PUBLIC) {
        throw new MediaRejectedException(
            Reason.PRIVATE_ADDRESS, platform + " host " + safe(hostPart) + " denotes a non-public address");
      }
    } catch (IllegalArgumentException e) {
      // fall through: not a host at all
    }
    throw new MediaRejectedException(Reason.INVALID_URL, "URL host is not valid (" + platform + ")");
  }

  private void checkAddress(InetAddress a, int port, String shown) throws MediaRejectedException {
    AddressClassifier.Kind kind = AddressClassifier.classify(a);
    if (kind == AddressClassifier.Kind.PUBLIC || loopbackTestPort(a, port)) {
      return;
    }
    throw new MediaRejectedException(
        Reason.PRIVATE_ADDRESS, shown + " is or resolves to a " + kind.name().toLowerCase(Locale.ROOT) + " address");
  }

  private boolean loopbackTestPort(InetAddress a, int port) {
    return AddressClassifier.classify(a) == AddressClassifier.Kind.LOOPBACK
        && policy.loopbackTestPorts().contains(port);
  }

  private static String safe(String s) {
    return Redaction.printable(s, 255);
  }

}
