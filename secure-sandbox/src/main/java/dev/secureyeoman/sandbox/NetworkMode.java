package dev.secureyeoman.sandbox;

import java.util.Locale;

/** Network access of a sandboxed command. */
public enum NetworkMode {
  /** A fresh network namespace with only a loopback interface: no route to the host or beyond. The default. */
  NONE,
  /** The host's network namespace: the command reaches whatever the host reaches. Opt-in only. */
  HOST,
  /**
   * Only listed {@code host:port} destinations, reached through a proxy on a bind-mounted unix socket. Not implemented in
   * this version: the runner refuses such a policy with {@link SandboxException} and says why.
   */
  ALLOWLIST;

  /**
   * Parses a config or command-line value.
   *
   * @param value {@code none}, {@code host} or {@code allowlist} (case-insensitive)
   * @return the mode
   * @throws IllegalArgumentException naming the allowed values
   */
  public static NetworkMode parse(String value) {
    if (value != null) {
      switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "none":
          return NONE;
        case "host":
          return HOST;
        case "allowlist":
          return ALLOWLIST;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("network must be one of none, host, allowlist, got '" + value + "'");
  }
}
