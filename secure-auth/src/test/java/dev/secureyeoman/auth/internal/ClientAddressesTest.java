package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  @Test
  void canonical_ipv6ToSlash64_ipv4Normalised_othersLowerCased() {
    assertEquals("2001:db8:1:2::/64", ClientAddresses.canonical("2001:db8:1:2:3:4:5:6"));
    assertEquals("2001:db8:1:2::/64", ClientAddresses.canonical("[2001:DB8:1:2::ffff]"));
    assertEquals("2001:db8:1:2::/64", ClientAddresses.canonical("2001:0db8:0001:0002:0000:0000:0000:0001%eth0"));
    assertEquals("0:0:0:0::/64", ClientAddresses.canonical("::1"));
    assertEquals("192.0.2.7", ClientAddresses.canonical("::ffff:192.0.2.7"));
    assertEquals("192.0.2.7", ClientAddresses.canonical("192.000.002.007"));
    assertEquals("192.0.2.7", ClientAddresses.canonical(" 192.0.2.7 "));
    assertEquals("999.0.2.7", ClientAddresses.canonical("999.0.2.7"));
    // not an IP literal: kept (never resolved through DNS)
    assertEquals("gateway.example", ClientAddresses.canonical("Gateway.Example"));
    assertEquals("2001:db8::zz", ClientAddresses.canonical("2001:db8::zz"));
    assertEquals("1:2:3", ClientAddresses.canonical("1:2:3"));
    assertEquals("session-42", ClientAddresses.canonical("session-42"));
  }
}
