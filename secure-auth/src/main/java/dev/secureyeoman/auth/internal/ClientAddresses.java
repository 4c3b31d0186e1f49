package dev.secureyeoman.auth.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The key a client address is throttled and aggregated by. IP literals are parsed without any DNS lookup and written in
 * one canonical form: IPv4 as a dotted quad ({@code 010.0.0.1} and IPv4-mapped IPv6 both become {@code 10.0.0.1}), IPv6
 * as its /64 network ({@code 2001:db8:1:2::/64}), because one subscriber usually holds a whole /64 and would otherwise
 * get 2^64 fresh buckets. Anything else (a host-defined client id) is kept, lower-cased.
 */
final class ClientAddresses {
  private ClientAddresses() {}

  static String canonical(String address) {
    // anything that is not an IP literal is kept as given (trimmed, lower-cased), never partly rewritten: canonical is
    // idempotent (fuzzed: AuthParsersFuzzTest#clientAddress_canonicalIsIdempotent)
    String fallback = address.strip().toLowerCase(Locale.ROOT);
    String a = fallback;
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    if (a.indexOf(':') >= 0) {
      return a.matches("[0-9a-f:][0-9a-f:.]{1,44}") ? literal(a, fallback) : fallback;
    }
    if (a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      StringBuilder sb = new StringBuilder();
      for (String p : a.split("\\.")) {
        int v = Integer.parseInt(p);
        if (v > 255) {
          return fallback;
        }
        sb.append(sb.length() == 0 ? "" : ".").append(v);
      }
      return sb.toString();
    }
    return fallback;
  }

  /** An IPv6 literal (checked by the caller to contain only hex digits, ':' and '.'): never resolved by DNS. */
  private static String literal(String a, String fallback) {
    InetAddress ip;
    try {
      ip = InetAddress.getByName(a); // a string with ':' is parsed as an IPv6 literal, never looked up
    } catch (UnknownHostException | SecurityException e) {
      return fallback;
    }
    if (ip instanceof Inet4Address v4) {
      return v4.getHostAddress(); // IPv4-mapped IPv6
    }
    if (ip instanceof Inet6Address) {
      byte[] b = ip.getAddress();
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return sb.append(":/64").toString();
    }
    return fallback;
  }
}
