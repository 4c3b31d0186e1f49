package dev.secureyeoman.web;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which names a server answers to: the {@code Host} header must name a loopback address ({@code localhost},
 * {@code 127.0.0.0/8}, {@code [::1]}) or one of the configured host names ({@code security.http.allowed_hosts});
 * anything else gets {@code 421 Misdirected Request}.
 *
 * <pre>{@code
 * HostAllowlist hosts = HostAllowlist.of(List.of("gateway.example.org"));
 * if (!hosts.allows(request.header("Host"))) { respond 421 }
 * }</pre>
 *
 * <p><b>Security guarantees.</b> Defeats DNS rebinding against a loopback server: a page on {@code attacker.example}
 * whose name is re-pointed at {@code 127.0.0.1} makes the browser send {@code Host: attacker.example}, which is
 * refused before any route runs (the browser treats that page as same-origin with the server, so CORS cannot help).
 * The port is ignored (the listener already fixed it); names compare case-insensitively; a missing or malformed header
 * is refused. <b>Non-goals:</b> wildcards (entries are exact names; {@code *} is refused at configuration time).
 *
 * <p>Immutable and thread-safe.
 */
public final class HostAllowlist {
  private static final Pattern NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost");

  private final Set<String> names;

  private HostAllowlist(Set<String> names) {
    this.names = Set.copyOf(names);
  }

  /**
   * The loopback names plus {@code extra}.
   *
   * @param extra exact host names or IP literals, without port (at most 256)
   * @return the allowlist
   * @throws IllegalArgumentException naming the first entry that is not a host name
   */
  public static HostAllowlist of(List<String> extra) {
    Objects.requireNonNull(extra, "extra");
    if (extra.size() > 256) {
      throw new IllegalArgumentException("security.http.allowed_hosts: at most 256 entries, got " + extra.size());
    }
    List<String> out = new ArrayList<>(LOOPBACK_NAMES);
    for (String e : extra) {
      Objects.requireNonNull(e, "entry");
      Optional<String> n = normalize(e);
      if (n.isEmpty() || !n.get().equals(e.strip().toLowerCase(Locale.ROOT).replaceAll("^\\[|\\]$", ""))) {
        throw new IllegalArgumentException(
            "security.http.allowed_hosts: not a host name without port: '" + e.replaceAll("[^\\x20-\\x7e]", "?") + "'");
      }
      out.add(n.get());
    }
    return new HostAllowlist(Set.copyOf(out));
  }

  /**
   * Whether a {@code Host} header value names this server.
   *
   * @param host the header value (may be null)
   * @return true for loopback literals, {@code localhost} and the configured names
   */
  public boolean allows(String host) {
    if (host == null) {
      return false;
    }
    Optional<String> n = normalize(stripPort(host.strip()));
    if (n.isEmpty()) {
      return false;
    }
    if (names.contains(n.get())) {
      return true;
    }
    Optional<InetAddress> literal = TrustedProxies.parseLiteral(n.get());
    return literal.isPresent() && literal.get().isLoopbackAddress();
  }

  private static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return host;
      }
      String rest = host.substring(close + 1);
      return rest.isEmpty() || rest.matches(":[0-9]{1,5}") ? host.substring(1, close) : host;
    }
    int colon = host.indexOf(':');
    if (colon >= 0 && host.indexOf(':', colon + 1) < 0 && host.substring(colon + 1).matches("[0-9]{1,5}")) {
      return host.substring(0, colon);
    }
    return host;
  }

  /** Lower-case name or IP literal (IPv6 without brackets), or empty if it is neither. */
  private static Optional<String> normalize(String s) {
    String h = s.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1); // the root label: "localhost." is "localhost"
    }
    if (NAME.matcher(h).matches() || TrustedProxies.parseLiteral(h).isPresent()) {
      return Optional.of(h);
    }
    return Optional.empty();
  }
}
