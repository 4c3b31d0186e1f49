package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Jazzer fuzz tests of the SSRF address classifier and the content sniffer, with asserted properties. Regression mode
 * (plain {@code mvn test}) runs the committed seeds under {@code MediaParsersFuzzTestInputs/<method>/}; fuzz with
 * {@code ./mvnw -Pfuzz -pl secure-integrations test -Dtest='MediaParsersFuzzTest#parseHost_numericFormsNeverPassAsNames'}.
 */
class MediaParsersFuzzTest {

  private static final Set<String> SNIFFED =
      Set.of("image/jpeg", "image/png", "image/gif", "image/webp", "audio/wav", "video/x-msvideo", "image/bmp",
          "image/tiff", "image/heic", "image/avif", "video/quicktime", "audio/mp4", "video/3gpp", "video/mp4",
          "application/pdf", "application/zip", "application/gzip", "application/x-7z-compressed",
          "application/vnd.rar", "audio/ogg", "audio/flac", "audio/mpeg", "video/webm", "application/x-executable",
          "application/x-msdownload", "application/x-mach-binary", "text/x-shellscript", "text/plain",
          // active content and program archives, sniffed since the media red-team pass
          "image/svg+xml", "text/html", "application/xml", ContentSniffer.JAR, ContentSniffer.CFB,
          ContentSniffer.UNKNOWN);

  /**
   * Property: a host string either is refused with {@link IllegalArgumentException} or parses; a parsed <em>name</em>
   * (what would be sent to DNS) is never readable as a number by {@code inet_aton}, contains only DNS characters, and
   * so cannot smuggle an address past the literal checks; a parsed IPv4 literal has exactly the bytes
   * {@code inet_aton} would give it.
   */
  @FuzzTest(maxDuration = "60s")
  void parseHost_numericFormsNeverPassAsNames(FuzzedDataProvider data) {
    String host = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    AddressClassifier.Host parsed;
    try {
      parsed = AddressClassifier.parseHost(host);
    } catch (IllegalArgumentException refused) {
      return;
    }
    if (!parsed.isLiteral()) {
      String name = parsed.name();
      assertNull(AddressClassifier.parseInetAton(name), name);
      assertTrue(name.matches("[a-z0-9_.-]+"), name);
      String last = name.substring(name.lastIndexOf('.') + 1);
      assertFalse(last.matches("[0-9]+") || last.startsWith("0x"), name);
    } else if (parsed.address().getAddress().length == 4 && !host.startsWith("[")) {
      String h = host.toLowerCase(java.util.Locale.ROOT);
      byte[] aton = AddressClassifier.parseInetAton(h.endsWith(".") ? h.substring(0, h.length() - 1) : h);
      assertArrayEquals(aton, parsed.address().getAddress(), host);
    }
  }

  /**
   * Property: an IPv4 address is classified the same whether written directly, through NAT64 ({@code 64:ff9b::/96}) or
   * 6to4 ({@code 2002::/16}); its IPv4-mapped form is always {@code IPV4_MAPPED}; and no address that the JDK calls
   * loopback, site-local, link-local, wildcard or multicast is ever classified as public.
   */
  @FuzzTest(maxDuration = "60s")
  void classify_embeddedFormsAgreeAndNeverLooserThanTheJdk(FuzzedDataProvider data) throws Exception {
    byte[] v4 = data.consumeBytes(4);
    byte[] v6 = data.consumeBytes(16);
    if (v4.length == 4) {
      AddressClassifier.Kind direct = AddressClassifier.classify(v4);
      byte[] nat64 = new byte[16];
      nat64[1] = 0x64;
      nat64[2] = (byte) 0xff;
      nat64[3] = (byte) 0x9b;
      System.arraycopy(v4, 0, nat64, 12, 4);
      assertEquals(direct, AddressClassifier.classify(nat64));
      byte[] sixToFour = new byte[16];
      sixToFour[0] = 0x20;
      sixToFour[1] = 0x02;
      System.arraycopy(v4, 0, sixToFour, 2, 4);
      assertEquals(direct, AddressClassifier.classify(sixToFour));
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(v4, 0, mapped, 12, 4);
      assertEquals(AddressClassifier.Kind.IPV4_MAPPED, AddressClassifier.classify(mapped));
      checkAgainstJdk(InetAddress.getByAddress(v4));
    }
    if (v6.length == 16) {
      checkAgainstJdk(InetAddress.getByAddress(v6));
    }
  }

  private static void checkAgainstJdk(InetAddress a) {
    boolean jdkSaysLocal =
        a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
            || a.isMulticastAddress();
    if (jdkSaysLocal) {
      assertNotEquals(AddressClassifier.Kind.PUBLIC, AddressClassifier.classify(a), a.getHostAddress());
    }
  }

  /**
   * Property: sniffing never throws, answers one of the known types, depends only on the first
   * {@link ContentSniffer#PREFIX_BYTES} bytes (so deciding early during a download is sound), and executables never pass
   * as an image declaration.
   */
  @FuzzTest(maxDuration = "60s")
  void sniff_dependsOnlyOnThePrefix(FuzzedDataProvider data) {
    byte[] content = data.consumeRemainingAsBytes();
    String type = ContentSniffer.sniff(content, content.length);
    assertTrue(SNIFFED.contains(type), type);
    if (content.length >= ContentSniffer.PREFIX_BYTES) {
      byte[] longer = Arrays.copyOf(content, content.length + 37);
      Arrays.fill(longer, content.length, longer.length, (byte) 0);
      assertEquals(type, ContentSniffer.sniff(longer, longer.length));
      assertEquals(type, ContentSniffer.sniff(content, ContentSniffer.PREFIX_BYTES));
    }
    if (MediaTypes.EXECUTABLE.contains(type)) {
      assertFalse(MediaTypes.compatible("image/jpeg", type));
      assertFalse(MediaTypes.compatible("text/plain", type));
    }
  }
}
