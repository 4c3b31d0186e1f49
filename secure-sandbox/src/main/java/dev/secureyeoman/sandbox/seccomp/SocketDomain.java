package dev.secureyeoman.sandbox.seccomp;

/** Socket address families the default profile can allow for {@code socket(2)}. */
public enum SocketDomain {
  /** {@code AF_UNIX}: local sockets. Note a bind-mounted host socket stays reachable unless this is denied. */
  UNIX(1),
  /** {@code AF_INET}: IPv4. */
  INET(2),
  /** {@code AF_INET6}: IPv6. */
  INET6(10),
  /** {@code AF_NETLINK}: kernel interfaces such as routing tables (used by {@code getaddrinfo} and {@code ip}). */
  NETLINK(16);

  private final int value;

  SocketDomain(int value) {
    this.value = value;
  }

  /**
   * The {@code AF_*} constant.
   *
   * @return the family number
   */
  public int value() {
    return value;
  }
}
