package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostAllowlistTest {
  @Test
  void defaults_loopbackOnly_anyPort() {
    HostAllowlist h = HostAllowlist.of(List.of());
    for (String ok : List.of("localhost", "LocalHost:8080", "localhost.", "127.0.0.1", "127.0.0.1:1", "127.8.9.10", "[::1]", "[::1]:8080")) {
      assertTrue(h.allows(ok), ok);
    }
    for (String bad :
        List.of("attacker.example", "attacker.example:8080", "localhost.attacker.example", "10.0.0.1", "[2001:db8::1]",
            "", "  ", "local host", "127.0.0.1:8080:1", "[::1", "[::1]x", "localhost:abc")) {
      assertFalse(h.allows(bad), bad);
    }
    assertFalse(h.allows(null));
  }

  @Test
  void configuredNames_exactCaseInsensitive() {
    HostAllowlist h = HostAllowlist.of(List.of("gw.example.org", "192.0.2.10", "[2001:db8::1]"));
    assertTrue(h.allows("GW.example.ORG:443"));
    assertTrue(h.allows("192.0.2.10"));
    assertTrue(h.allows("[2001:db8::1]:8443"));
    assertFalse(h.allows("sub.gw.example.org"));
    assertFalse(h.allows("gw.example.org.evil"));
  }

  @Test
  void of_badEntries_refused() {
    for (String bad : List.of("*", "*.example.org", "gw.example.org:8080", "http://gw", "a b", "", "-x.org")) {
      assertThrows(IllegalArgumentException.class, () -> HostAllowlist.of(List.of(bad)), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> HostAllowlist.of(java.util.Collections.nCopies(257, "a.org")));
  }
}
