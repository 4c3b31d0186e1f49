package dev.secureyeoman.integrations.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PluginDescriptorTest {

  private static PluginDescriptor parse(String text) throws PluginException {
    return PluginDescriptor.parse(text.getBytes(StandardCharsets.UTF_8), "p.jar");
  }

  private static String error(String text) {
    PluginException e = assertThrows(PluginException.class, () -> parse(text));
    assertEquals(Reason.DESCRIPTOR_MALFORMED, e.reason());
    return e.shortReason();
  }

  @Test
  void parse_fullDescriptor_allFieldsAndRoundTrip() throws Exception {
    PluginDescriptor d = parse("# c\n\nid = echo\r\nversion = 1.2.0-rc.1+b7\nspi-version = 1.0\n"
        + "factory = com.example.echo.Echo$Factory\nname = Echo example\nx-vendor = ACME\n");
    assertEquals(new PluginDescriptor("echo", "1.2.0-rc.1+b7", "1.0", Optional.of("com.example.echo.Echo$Factory"),
        Optional.of("Echo example")), d);
    assertEquals(d, parse(d.toText()));
  }

  @Test
  void parse_invalidInput_typedErrorNamingTheProblem() {
    assertEquals("descriptor-malformed: missing required key 'id'", error(""));
    assertEquals("descriptor-malformed: line 1: expected 'key = value'", error("id: echo\n"));
    assertEquals("descriptor-malformed: line 2: duplicate key 'id'", error("id = a\nid = b\n"));
    assertEquals("descriptor-malformed: line 1: unknown key 'main-class'", error("main-class = x\n"));
    assertEquals("descriptor-malformed: line 1: invalid key (expected [a-z][a-z0-9-]*)", error("Id = x\n"));
    assertEquals("descriptor-malformed: line 1: control character", error("id = a\u0000b\n"));
    assertEquals("descriptor-malformed: line 1: control character", error("id = a\tb\n"));
    assertEquals("descriptor-malformed: 'id' must match [a-z][a-z0-9_-]{0,62}",
        error("id = ../../etc\nversion = 1\nspi-version = 1.0\n"));
    assertEquals("descriptor-malformed: 'spi-version' must match (0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})",
        error("id = a\nversion = 1\nspi-version = 1\n"));
    assertEquals("descriptor-malformed: 'factory' must be a binary class name of at most 256 characters",
        error("id = a\nversion = 1\nspi-version = 1.0\nfactory = a..b\n"));
    assertEquals("descriptor-malformed: 'name' must be 1-128 characters",
        error("id = a\nversion = 1\nspi-version = 1.0\nname =\n"));
    assertEquals("descriptor-malformed: descriptor is larger than 16384 bytes", error("#".repeat(16_385)));
    PluginException utf = assertThrows(PluginException.class,
        () -> PluginDescriptor.parse(new byte[] {'i', 'd', '=', (byte) 0xC3, (byte) 0x28}, "p.jar"));
    assertEquals("descriptor-malformed: descriptor is not valid UTF-8", utf.shortReason());
  }

  @Test
  void isCompatibleWith_sameMajorAndNotNewerMinor() throws Exception {
    PluginDescriptor d = parse("id = a\nversion = 1\nspi-version = 1.2\n");
    assertTrue(d.isCompatibleWith("1.2"));
    assertTrue(d.isCompatibleWith("1.10"));
    assertFalse(d.isCompatibleWith("1.1"));
    assertFalse(d.isCompatibleWith("2.2"));
    assertThrows(IllegalArgumentException.class, () -> d.isCompatibleWith("v1"));
  }

  @Test
  void constructor_invalidValues_rejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new PluginDescriptor("A", "1", "1.0", Optional.empty(), Optional.empty()));
    assertThrows(IllegalArgumentException.class,
        () -> new PluginDescriptor("a", "1", "1.0", Optional.empty(), Optional.of(" padded")));
    assertThrows(IllegalArgumentException.class,
        () -> new PluginDescriptor("a", "1", "1.0", Optional.of("x".repeat(257)), Optional.empty()));
  }
}
