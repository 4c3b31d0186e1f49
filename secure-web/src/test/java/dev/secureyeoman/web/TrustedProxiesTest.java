package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void none_forwardedForIgnored_peerIsTheClient() throws Exception {
    assertEquals(ip("127.0.0.1"), TrustedProxies.none().clientAddress(ip("127.0.0.1"), List.of("203.0.113.7")));
    assertFalse(TrustedProxies.none().forwardedHttps(ip("127.0.0.1"), "https"));
  }

  @Test
  void untrustedPeer_forwardedForIgnored() throws Exception {
    TrustedProxies p = TrustedProxies.of(List.of("10.0.0.0/8"));
    assertEquals(ip("192.0.2.1"), p.clientAddress(ip("192.0.2.1"), List.of("203.0.113.7")));
    assertFalse(p.forwardedHttps(ip("192.0.2.1"), "https"));
  }

  @Test
  void trustedPeer_rightMostUntrustedHopIsTheClient_spoofedLeftEntriesUnused() throws Exception {
    TrustedProxies p = TrustedProxies.of(List.of("10.0.0.0/8", "fd00::/8"));
    assertEquals(ip("203.0.113.7"), p.clientAddress(ip("10.1.2.3"), List.of("1.1.1.1, 203.0.113.7, 10.9.9.9")));
    assertEquals(ip("203.0.113.7"), p.clientAddress(ip("10.1.2.3"), List.of("1.1.1.1", "203.0.113.7")));
    assertEquals(ip("2001:db8::1"), p.clientAddress(ip("fd00::1"), List.of("[2001:db8::1]")));
    // a malformed hop stops at the last trusted one; host names are never resolved
    assertEquals(ip("10.9.9.9"), p.clientAddress(ip("10.1.2.3"), List.of("203.0.113.7, evil.example, 10.9.9.9")));
    assertEquals(ip("10.1.2.3"), p.clientAddress(ip("10.1.2.3"), List.of("localhost")));
    assertEquals(ip("10.1.2.3"), p.clientAddress(ip("10.1.2.3"), List.of()));
    // every hop trusted: the left-most
    assertEquals(ip("10.0.0.9"), p.clientAddress(ip("10.1.2.3"), List.of("10.0.0.9")));
    assertTrue(p.forwardedHttps(ip("10.1.2.3"), "http, https"));
    assertFalse(p.forwardedHttps(ip("10.1.2.3"), "http"));
    assertFalse(p.forwardedHttps(ip("10.1.2.3"), null));
  }

  @Test
  void blocks_prefixesMatchBitwise() throws Exception {
    TrustedProxies p = TrustedProxies.of(List.of("192.168.4.0/22", "2001:db8::7", "0.0.0.0/0"));
    assertTrue(p.trusts(ip("192.168.7.255")));
    assertTrue(p.trusts(ip("2001:db8::7")));
    assertFalse(p.trusts(ip("2001:db8::8")));
    assertTrue(p.trusts(ip("8.8.8.8")), "0.0.0.0/0 covers every IPv4 address");
    TrustedProxies q = TrustedProxies.of(List.of("192.168.4.0/22"));
    assertFalse(q.trusts(ip("192.168.8.0")));
    assertFalse(q.trusts(ip("::1")));
  }

  @Test
  void of_badEntries_refusedWithTheEntry() {
    for (String bad : List.of("example.com", "10.0.0.0/33", "::1/129", "10.0.0", "1.2.3.4/x", "", "300.1.1.1")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of(bad)), bad);
      assertTrue(e.getMessage().startsWith("security.http.trusted_proxies"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> TrustedProxies.of(java.util.Collections.nCopies(257, "10.0.0.1")));
  }
}
