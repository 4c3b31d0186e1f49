package dev.secureyeoman.integrations.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer fuzz tests of the plugin descriptor and trust-file parsers. Regression mode ({@code mvn test}) replays the
 * committed inputs under {@code src/test/resources/dev/secureyeoman/integrations/plugin/PluginDescriptorFuzzTestInputs/};
 * fuzz with {@code ./mvnw -Pfuzz -pl secure-integrations test -Dtest='PluginDescriptorFuzzTest#arbitraryBytes'}.
 *
 * <p>Property: whatever the bytes, the parsers either return a value that satisfies every invariant (and survives a
 * format round trip) or throw {@link PluginException} with the parser's own reason; nothing else escapes.
 */
class PluginDescriptorFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void arbitraryBytes(byte @NotNull [] data) {
    PluginDescriptor d;
    try {
      d = PluginDescriptor.parse(data, "fuzz.jar");
    } catch (PluginException e) {
      assertEquals(Reason.DESCRIPTOR_MALFORMED, e.reason(), e.getMessage());
      assertTrue(e.getMessage().startsWith("fuzz.jar: descriptor-malformed: "), e.getMessage());
      return;
    }
    assertRoundTrip(d);
  }

  @FuzzTest(maxDuration = "60s")
  void fieldValues(@NotNull String id, @NotNull String version, @NotNull String spi, @NotNull String factory,
      @NotNull String extra) {
    String text = "id = " + id + "\nversion=" + version + "\n spi-version =" + spi + "\nfactory = " + factory + "\n"
        + extra + "\n";
    PluginDescriptor d;
    try {
      d = PluginDescriptor.parse(text.getBytes(StandardCharsets.UTF_8), "fuzz.jar");
    } catch (PluginException e) {
      assertEquals(Reason.DESCRIPTOR_MALFORMED, e.reason(), e.getMessage());
      return;
    }
    assertEquals(id.strip(), d.id());
    assertEquals(version.strip(), d.version());
    assertRoundTrip(d);
  }

  @FuzzTest(maxDuration = "60s")
  void trustFileText(@NotNull String text) {
    TrustFile t;
    try {
      t = TrustFile.parse(text, "fuzz.trust");
    } catch (PluginException e) {
      assertEquals(Reason.TRUST_FILE_INVALID, e.reason(), e.getMessage());
      return;
    }
    for (String id : t.ids()) {
      assertTrue(PluginDescriptor.ID.matcher(id).matches(), id);
    }
  }

  private static void assertRoundTrip(PluginDescriptor d) {
    try {
      assertEquals(d, PluginDescriptor.parse(d.toText().getBytes(StandardCharsets.UTF_8), "again.jar"));
    } catch (PluginException e) {
      throw new AssertionError("a parsed descriptor must format to a parsable one: " + e.getMessage(), e);
    }
    assertTrue(d.isCompatibleWith(d.spiVersion()));
  }
}
