package dev.secureyeoman.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which reverse proxies may say who the client is: {@code X-Forwarded-For} and {@code X-Forwarded-Proto} are honoured
 * only when the socket peer is one of the configured addresses or CIDR blocks ({@code security.http.trusted_proxies},
 * default none).
 *
 * <pre>{@code
 * TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8"));
 * InetAddress client = proxies.clientAddress(socketPeer, request.headers("X-Forwarded-For"));
 * boolean https = request.isTls() || proxies.forwardedHttps(socketPeer, request.header("X-Forwarded-Proto"));
 * }</pre>
 *
 * <p><b>Security guarantees.</b> From any other peer the headers are ignored, so a client cannot choose its own
 * rate-limit key or audit address. Behind trusted proxies the client is the right-most {@code X-Forwarded-For} hop
 * that is not itself a trusted proxy (entries to its left are whatever the client sent and are never used); a malformed
 * hop stops the walk at the last trusted one. Addresses are parsed as literals only — never resolved through DNS.
 * <b>Non-goals:</b> the RFC 7239 {@code Forwarded} header (not read).
 *
 * <p>Immutable and thread-safe.
 */
public final class TrustedProxies {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final int MAX_HOPS = 32;
  private static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<Block> blocks;

  private TrustedProxies(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /**
   * No trusted proxy: the socket peer is always the client.
   *
   * @return the empty policy
   */
  public static TrustedProxies none() {
    return NONE;
  }

  /**
   * Parses addresses ({@code 10.0.0.1}, {@code ::1}) and CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}).
   *
   * @param entries the configured entries (at most 256)
   * @return the policy
   * @throws IllegalArgumentException naming the first entry that is not an address or block
   */
  public static TrustedProxies of(List<String> entries) {
    Objects.requireNonNull(entries, "entries");
    if (entries.size() > 256) {
      throw new IllegalArgumentException("security.http.trusted_proxies: at most 256 entries, got " + entries.size());
    }
    List<Block> blocks = new ArrayList<>();
    for (String e : entries) {
      Objects.requireNonNull(e, "entry");
      String s = e.strip();
      int slash = s.indexOf('/');
      Optional<InetAddress> a = parseLiteral(slash < 0 ? s : s.substring(0, slash));
      if (a.isEmpty()) {
        throw new IllegalArgumentException(
            "security.http.trusted_proxies: not an IP address or CIDR block: '" + printable(e) + "'");
      }
      int bits = a.get().getAddress().length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String p = s.substring(slash + 1);
        if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
          throw new IllegalArgumentException(
              "security.http.trusted_proxies: prefix must be 0-" + bits + ": '" + printable(e) + "'");
        }
        prefix = Integer.parseInt(p);
      }
      blocks.add(new Block(a.get().getAddress(), prefix));
    }
    return new TrustedProxies(blocks);
  }

  /**
   * Whether an address is a trusted proxy.
   *
   * @param address the address
   * @return true if it lies in a configured block
   */
  public boolean trusts(InetAddress address) {
    Objects.requireNonNull(address, "address");
    byte[] a = address.getAddress();
    for (Block b : blocks) {
      if (b.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client of a request.
   *
   * @param peer the socket peer
   * @param forwardedFor every {@code X-Forwarded-For} value in order (may be empty)
   * @return the peer, unless it is a trusted proxy and the header names a client
   */
  public InetAddress clientAddress(InetAddress peer, List<String> forwardedFor) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(forwardedFor, "forwardedFor");
    if (blocks.isEmpty() || !trusts(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String v : forwardedFor) {
      for (String h : v.split(",", -1)) {
        hops.add(h.strip());
        if (hops.size() > MAX_HOPS * 4) {
          break;
        }
      }
    }
    InetAddress client = peer;
    int seen = 0;
    for (int i = hops.size() - 1; i >= 0 && seen < MAX_HOPS; i--, seen++) {
      Optional<InetAddress> hop = parseLiteral(hops.get(i));
      if (hop.isEmpty()) {
        return client;
      }
      client = hop.get();
      if (!trusts(client)) {
        return client;
      }
    }
    return client;
  }

  /**
   * Whether a trusted proxy says the client used HTTPS.
   *
   * @param peer the socket peer
   * @param forwardedProto the {@code X-Forwarded-Proto} value, or null
   * @return true only for a trusted peer whose header's last value is {@code https}
   */
  public boolean forwardedHttps(InetAddress peer, String forwardedProto) {
    Objects.requireNonNull(peer, "peer");
    if (forwardedProto == null || blocks.isEmpty() || !trusts(peer)) {
      return false;
    }
    String[] parts = forwardedProto.split(",", -1);
    return "https".equalsIgnoreCase(parts[parts.length - 1].strip());
  }

  /**
   * Parses an IP literal without any name lookup ({@code [v6]} brackets allowed).
   *
   * @param text the text
   * @return the address, or empty if it is not a literal
   */
  static Optional<InetAddress> parseLiteral(String text) {
    String s = text;
    if (s.length() > 2 && s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    try {
      if (IPV4.matcher(s).matches()) {
        return Optional.of(InetAddress.getByName(s));
      }
      // a colon makes the JDK parse it as an IPv6 literal and never resolve it
      if (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()) {
        InetAddress a = InetAddress.getByName(s);
        return a instanceof Inet6Address || a instanceof Inet4Address ? Optional.of(a) : Optional.empty();
      }
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 64 ? p.substring(0, 64) + "…" : p;
  }

  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] a) {
      if (a.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }
}
