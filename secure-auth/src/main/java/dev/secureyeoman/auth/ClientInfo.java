package dev.secureyeoman.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a request came from. The address keys the per-client login throttle, so the host must pass the address it
 * trusts (the socket peer, or the proxy header only when it runs behind its own proxy).
 *
 * @param address client address, 1–255 chars (e.g. {@code 203.0.113.7})
 * @param userAgent optional user agent, truncated to 256 chars for the audit log
 */
public record ClientInfo(String address, Optional<String> userAgent) {

  /** Validates the fields. */
  public ClientInfo {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(userAgent, "userAgent");
    if (address.isBlank() || address.length() > 255) {
      throw new IllegalArgumentException("address must be 1-255 chars, got length " + address.length());
    }
    userAgent = userAgent.map(ua -> ua.length() > 256 ? ua.substring(0, 256) : ua);
  }

  /**
   * Creates a client with an address only.
   *
   * @param address the client address
   * @return the client info
   */
  public static ClientInfo of(String address) {
    return new ClientInfo(address, Optional.empty());
  }
}
