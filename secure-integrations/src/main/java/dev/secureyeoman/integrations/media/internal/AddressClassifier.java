package dev.secureyeoman.integrations.media.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Classifies destination addresses and parses URL host strings without ever asking DNS.
 *
 * <p>Everything that is not global unicast is refused: loopback, RFC 1918, CGNAT, link-local (cloud metadata at
 * {@code 169.254.169.254}), "this network", benchmarking, documentation, multicast, reserved and broadcast IPv4 ranges;
 * the IPv6 unspecified and loopback addresses, unique-local {@code fc00::/7}, link-local and site-local, multicast,
 * documentation, discard, Teredo and ORCHID ranges, and every form that embeds an IPv4 address (IPv4-mapped,
 * IPv4-compatible, NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}) unless the embedded address is itself global.
 *
 * <p>Host strings are read the way {@code inet_aton(3)} and the system resolver would read them, so numeric forms such as
 * {@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1} or {@code 127.1} are recognised as the addresses they denote
 * rather than passed to DNS; any such non-canonical form is reported so that callers can refuse it outright.
 */
public final class AddressClassifier {

  /** What an address is, from the point of view of an outbound fetch. */
  public enum Kind {
    /** Global unicast: may be fetched. */
    PUBLIC,
    /** 127.0.0.0/8, ::1. */
    LOOPBACK,
    /** RFC 1918, CGNAT 100.64.0.0/10, unique-local fc00::/7, site-local fec0::/10. */
    PRIVATE,
    /** 169.254.0.0/16, fe80::/10 (includes cloud metadata endpoints). */
    LINK_LOCAL,
    /** 0.0.0.0/8, ::. */
    UNSPECIFIED,
    /** 224.0.0.0/4, ff00::/8, 255.255.255.255. */
    MULTICAST_OR_BROADCAST,
    /** Documentation, benchmarking, IETF protocol assignments, 240.0.0.0/4, discard, Teredo, ORCHID, NAT64 local-use. */
    RESERVED,
    /** ::ffff:0:0/96 and ::/96 with a non-zero IPv4 part: an IPv6 spelling of an IPv4 address. */
    IPV4_MAPPED
  }

  /**
   * A parsed URL host.
   *
   * @param address the literal address, or {@code null} when the host is a name that must be resolved
   * @param name the normalised host name (lower case, one trailing dot removed) for names, the literal text for IPv4
   *     literals, Java's full form without brackets for IPv6 literals
   * @param canonical whether a literal was written in its canonical form (dotted-quad decimal or bracketed IPv6)
   * @param mappedLiteral whether an IPv6 literal spelled an IPv4-mapped address (Java turns those into IPv4 silently)
   */
  public record Host(@Nullable InetAddress address, String name, boolean canonical, boolean mappedLiteral) {
    /**
     * Returns whether the host is an address literal.
     *
     * @return true for IPv4/IPv6 literals in any form
     */
    public boolean isLiteral() {
      return address != null;
    }

    /**
     * Returns the address of a literal host.
     *
     * @return the address
     * @throws IllegalStateException if the host is a DNS name (check {@link #isLiteral()} first)
     */
    public InetAddress literal() {
      if (address == null) {
        throw new IllegalStateException("the host is a DNS name, not an address literal");
      }
      return address;
    }
  }

  private AddressClassifier() {}

  /**
   * Classifies an address.
   *
   * @param address any address
   * @return its kind
   */
  public static Kind classify(InetAddress address) {
    return classify(address.getAddress());
  }

  /**
   * Classifies a raw 4- or 16-byte address.
   *
   * @param a the address bytes (network order)
   * @return its kind
   * @throws IllegalArgumentException for other lengths
   */
  public static Kind classify(byte[] a) {
    if (a.length == 4) {
      return classify4(a[0] & 0xff, a[1] & 0xff, a[2] & 0xff, a[3] & 0xff);
    }
    if (a.length != 16) {
      throw new IllegalArgumentException("address must have 4 or 16 bytes, got " + a.length);
    }
    return classify6(a);
  }

  private static Kind classify4(int a, int b, int c, int d) {
    if (a == 0) {
      return Kind.UNSPECIFIED; // 0.0.0.0/8 "this network"
    }
    if (a == 127) {
      return Kind.LOOPBACK;
    }
    if (a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) || (a == 100 && (b & 0xc0) == 64)) {
      return Kind.PRIVATE; // RFC 1918 + CGNAT 100.64.0.0/10
    }
    if (a == 169 && b == 254) {
      return Kind.LINK_LOCAL;
    }
    if (a >= 224 && a <= 239 || (a == 255 && b == 255 && c == 255 && d == 255)) {
      return Kind.MULTICAST_OR_BROADCAST;
    }
    if (a >= 240
        || (a == 192 && b == 0 && (c == 0 || c == 2)) // IETF protocol assignments, TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18.0.0/15
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)) { // TEST-NET-3
      return Kind.RESERVED;
    }
    return Kind.PUBLIC;
  }

  private static Kind classify6(byte[] a) {
    int w0 = word(a, 0);
    int w1 = word(a, 2);
    boolean firstFiveZero = w0 == 0 && w1 == 0 && word(a, 4) == 0 && word(a, 6) == 0 && word(a, 8) == 0;
    if (firstFiveZero) {
      int w5 = word(a, 10);
      if (w5 == 0xffff) {
        return Kind.IPV4_MAPPED; // ::ffff:a.b.c.d
      }
      if (w5 == 0) {
        int w6 = word(a, 12);
        int w7 = word(a, 14);
        if (w6 == 0 && w7 == 0) {
          return Kind.UNSPECIFIED;
        }
        if (w6 == 0 && w7 == 1) {
          return Kind.LOOPBACK;
        }
        return Kind.IPV4_MAPPED; // deprecated IPv4-compatible ::a.b.c.d
      }
    }
    if (w0 == 0x0064 && w1 == 0xff9b) {
      // NAT64: 64:ff9b::/96 carries an IPv4 address in the last 32 bits; 64:ff9b:1::/48 is local-use
      boolean wellKnown = word(a, 4) == 0 && word(a, 6) == 0 && word(a, 8) == 0 && word(a, 10) == 0;
      return wellKnown ? embedded(a, 12) : Kind.RESERVED;
    }
    if (w0 == 0x2002) {
      return embedded(a, 2); // 6to4: 2002:AABB:CCDD::/48
    }
    if ((w0 & 0xfe00) == 0xfc00) {
      return Kind.PRIVATE; // unique local fc00::/7
    }
    if ((w0 & 0xffc0) == 0xfe80) {
      return Kind.LINK_LOCAL;
    }
    if ((w0 & 0xffc0) == 0xfec0) {
      return Kind.PRIVATE; // deprecated site-local
    }
    if ((w0 & 0xff00) == 0xff00) {
      return Kind.MULTICAST_OR_BROADCAST;
    }
    if ((w0 == 0x2001 && w1 == 0x0db8) // documentation
        || (w0 == 0x3fff && (w1 & 0xf000) == 0) // documentation 3fff::/20
        || (w0 == 0x2001 && w1 == 0) // Teredo 2001::/32 (embeds obfuscated IPv4)
        || (w0 == 0x2001 && (w1 & 0xfff0) == 0x0010) // ORCHID
        || (w0 == 0x2001 && (w1 & 0xfff0) == 0x0020) // ORCHIDv2
        || (w0 == 0x0100 && w1 == 0 && word(a, 4) == 0 && word(a, 6) == 0) // discard 100::/64
        || (w0 & 0xe000) != 0x2000) { // outside global unicast 2000::/3
      return Kind.RESERVED;
    }
    return Kind.PUBLIC;
  }

  private static Kind embedded(byte[] a, int offset) {
    return classify4(a[offset] & 0xff, a[offset + 1] & 0xff, a[offset + 2] & 0xff, a[offset + 3] & 0xff);
  }

  private static int word(byte[] a, int i) {
    return ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
  }

  /**
   * Parses the host part of a URL (as returned by {@link java.net.URI#getHost()}) without DNS.
   *
   * @param rawHost the host, IPv6 literals in brackets
   * @return the parsed host
   * @throws IllegalArgumentException if the host is empty, has a zone id, contains characters outside a DNS name, or
   *     looks numeric without being a valid address
   */
  public static Host parseHost(String rawHost) {
    if (rawHost == null || rawHost.isEmpty() || rawHost.length() > 253 + 2) {
      throw new IllegalArgumentException("host is empty or too long");
    }
    if (rawHost.startsWith("[")) {
      if (!rawHost.endsWith("]") || rawHost.indexOf('%') >= 0) {
        throw new IllegalArgumentException("malformed IPv6 literal (zone ids are not accepted)");
      }
      String inner = rawHost.substring(1, rawHost.length() - 1);
      for (int i = 0; i < inner.length(); i++) {
        char c = inner.charAt(i);
        if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
          throw new IllegalArgumentException("malformed IPv6 literal");
        }
      }
      InetAddress address;
      try {
        address = InetAddress.getByName(rawHost); // bracketed: parsed as a literal, never looked up
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("malformed IPv6 literal", e);
      }
      // Java silently turns ::ffff:a.b.c.d into an Inet4Address: remember the spelling
      boolean mapped = address instanceof Inet4Address;
      return new Host(address, address.getHostAddress(), !mapped, mapped);
    }
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty() || host.length() > 253) {
      throw new IllegalArgumentException("host is empty or too long");
    }
    byte[] v4 = parseInetAton(host);
    if (v4 != null) {
      try {
        InetAddress address = InetAddress.getByAddress(v4);
        return new Host(address, host, isCanonicalDottedQuad(host), false);
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e); // 4 bytes are always accepted
      }
    }
    if (looksNumeric(host)) {
      throw new IllegalArgumentException("numeric host is not a valid address");
    }
    checkDnsName(host);
    return new Host(null, host, true, false);
  }

  /**
   * Returns whether {@code address} is the IPv6 spelling of an IPv4 address or has bytes that Java would have converted.
   *
   * @param address an address
   * @return whether it is an {@link Inet6Address} in the IPv4-mapped or -compatible range
   */
  public static boolean isIpv4Mapped(InetAddress address) {
    return address instanceof Inet6Address && classify(address) == Kind.IPV4_MAPPED;
  }

  /**
   * Parses an IPv4 address the way {@code inet_aton(3)} does: one to four parts separated by dots, each decimal, octal
   * (leading {@code 0}) or hexadecimal ({@code 0x}); the last part fills the remaining bytes.
   *
   * @param s the text
   * @return the four bytes, or {@code null} if {@code s} is not such a form
   */
  static byte @Nullable [] parseInetAton(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return null;
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      long v = parsePart(parts[i]);
      if (v < 0) {
        return null;
      }
      values[i] = v;
    }
    long result = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 0xff) {
        return null;
      }
      result |= values[i] << (24 - 8 * i);
    }
    long last = values[parts.length - 1];
    long lastMax = (1L << (8 * (5 - parts.length))) - 1;
    if (last > lastMax) {
      return null;
    }
    result |= last;
    return new byte[] {(byte) (result >>> 24), (byte) (result >>> 16), (byte) (result >>> 8), (byte) result};
  }

  private static long parsePart(String p) {
    if (p.isEmpty() || p.length() > 12) {
      return -1;
    }
    int radix = 10;
    String digits = p;
    if (p.startsWith("0x")) {
      radix = 16;
      digits = p.substring(2);
      if (digits.isEmpty()) {
        return 0; // inet_aton accepts a bare "0x" as zero
      }
    } else if (p.length() > 1 && p.charAt(0) == '0') {
      radix = 8;
      digits = p.substring(1);
    }
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = Character.digit(digits.charAt(i), radix);
      if (d < 0 || digits.charAt(i) > 0x7f) {
        return -1;
      }
      v = v * radix + d;
    }
    return v;
  }

  private static boolean isCanonicalDottedQuad(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** A name whose last label is all digits or starts with 0x would be read as a number by some resolvers. */
  private static boolean looksNumeric(String host) {
    int dot = host.lastIndexOf('.');
    String last = host.substring(dot + 1);
    if (last.isEmpty()) {
      return true;
    }
    if (last.startsWith("0x")) {
      return true;
    }
    for (int i = 0; i < last.length(); i++) {
      char c = last.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static void checkDnsName(String host) {
    for (String label : host.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        throw new IllegalArgumentException("host is not a valid DNS name");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
          throw new IllegalArgumentException("host is not a valid DNS name");
        }
      }
    }
  }
}
