package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.media.internal.AddressClassifier.Kind;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressClassifierTest {

  @Test
  void classify_knownRanges() throws Exception {
    Map<String, Kind> cases =
        Map.ofEntries(
            Map.entry("8.8.8.8", Kind.PUBLIC),
            Map.entry("149.154.167.220", Kind.PUBLIC),
            Map.entry("172.15.255.255", Kind.PUBLIC),
            Map.entry("172.32.0.1", Kind.PUBLIC),
            Map.entry("100.63.255.255", Kind.PUBLIC),
            Map.entry("100.128.0.0", Kind.PUBLIC),
            Map.entry("127.0.0.1", Kind.LOOPBACK),
            Map.entry("10.0.0.1", Kind.PRIVATE),
            Map.entry("172.16.0.1", Kind.PRIVATE),
            Map.entry("192.168.1.1", Kind.PRIVATE),
            Map.entry("100.64.0.1", Kind.PRIVATE),
            Map.entry("169.254.169.254", Kind.LINK_LOCAL),
            Map.entry("0.1.2.3", Kind.UNSPECIFIED),
            Map.entry("239.255.255.250", Kind.MULTICAST_OR_BROADCAST),
            Map.entry("255.255.255.255", Kind.MULTICAST_OR_BROADCAST),
            Map.entry("240.0.0.1", Kind.RESERVED),
            Map.entry("192.0.2.1", Kind.RESERVED),
            Map.entry("198.18.0.1", Kind.RESERVED),
            Map.entry("198.51.100.1", Kind.RESERVED),
            Map.entry("203.0.113.9", Kind.RESERVED),
            Map.entry("2606:4700::1111", Kind.PUBLIC),
            Map.entry("::1", Kind.LOOPBACK),
            Map.entry("::", Kind.UNSPECIFIED),
            Map.entry("fd12:3456::1", Kind.PRIVATE),
            Map.entry("fe80::1", Kind.LINK_LOCAL),
            Map.entry("fec0::1", Kind.PRIVATE),
            Map.entry("ff02::1", Kind.MULTICAST_OR_BROADCAST),
            Map.entry("2001:db8::1", Kind.RESERVED),
            Map.entry("2001::1", Kind.RESERVED),
            Map.entry("100::1", Kind.RESERVED),
            Map.entry("64:ff9b::808:808", Kind.PUBLIC),
            Map.entry("64:ff9b::7f00:1", Kind.LOOPBACK),
            Map.entry("64:ff9b:1::1", Kind.RESERVED),
            Map.entry("2002:0808:0808::1", Kind.PUBLIC),
            Map.entry("2002:c0a8:0101::1", Kind.PRIVATE),
            Map.entry("::7f00:1", Kind.IPV4_MAPPED),
            Map.entry("4000::1", Kind.RESERVED));
    for (Map.Entry<String, Kind> c : cases.entrySet()) {
      assertEquals(c.getValue(), AddressClassifier.classify(InetAddress.getByName(c.getKey())), c.getKey());
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 8;
    assertEquals(Kind.IPV4_MAPPED, AddressClassifier.classify(mapped));
    assertThrows(IllegalArgumentException.class, () -> AddressClassifier.classify(new byte[5]));
  }

  @Test
  void parseInetAton_allNumericForms() {
    byte[] loop = {127, 0, 0, 1};
    for (String s : new String[] {"127.0.0.1", "2130706433", "017700000001", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1",
        "127.1", "127.0.1", "0x7F.0x0.0.01"}) {
      assertArrayEquals(loop, AddressClassifier.parseInetAton(s.toLowerCase(java.util.Locale.ROOT)), s);
    }
    assertArrayEquals(new byte[4], AddressClassifier.parseInetAton("0x"));
    for (String s : new String[] {"256.0.0.1", "1.2.3.4.5", "08.1.1.1", "1..1", "", "4294967296", "0x1g", "1.16777216",
        "a.b.c.d"}) {
      assertNull(AddressClassifier.parseInetAton(s), s);
    }
  }

  @Test
  void parseHost_namesLiteralsAndCanonicality() {
    AddressClassifier.Host name = AddressClassifier.parseHost("API.Telegram.ORG.");
    assertFalse(name.isLiteral());
    assertEquals("api.telegram.org", name.name());
    AddressClassifier.Host dotted = AddressClassifier.parseHost("8.8.8.8");
    assertTrue(dotted.isLiteral() && dotted.canonical());
    assertFalse(AddressClassifier.parseHost("8.8.8.010").canonical());
    assertFalse(AddressClassifier.parseHost("134744072").canonical());
    AddressClassifier.Host mapped = AddressClassifier.parseHost("[::ffff:10.0.0.1]");
    assertTrue(mapped.mappedLiteral());
    assertEquals("0:0:0:0:0:0:0:1", AddressClassifier.parseHost("[::1]").name());
    for (String bad : new String[] {"", "[::1", "[fe80::1%eth0]", "[::g]", "a..b", "-a.com", "a-.com", "1.2.3.4.5",
        "999.1.1.1", "a.0x1", "x".repeat(300), "a b.com", "é.com", "a.b.."}) {
      assertThrows(IllegalArgumentException.class, () -> AddressClassifier.parseHost(bad), bad);
    }
    assertTrue(AddressClassifier.isIpv4Mapped(addr(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1})));
    assertFalse(AddressClassifier.isIpv4Mapped(addr(new byte[] {8, 8, 8, 8})));
  }

  private static InetAddress addr(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
