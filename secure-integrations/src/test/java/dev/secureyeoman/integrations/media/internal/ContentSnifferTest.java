package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentSnifferTest {

  private static byte[] b(int... v) {
    byte[] out = new byte[64];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  private static byte[] a(String s) {
    byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
    return Arrays.copyOf(t, Math.max(t.length, 64));
  }

  @Test
  void sniff_magicNumbers() {
    Map<String, byte[]> cases =
        Map.ofEntries(
            Map.entry("image/jpeg", b(0xFF, 0xD8, 0xFF, 0xE0)),
            Map.entry("image/png", b(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)),
            Map.entry("image/gif", a("GIF89a")),
            Map.entry("image/webp", a("RIFF\0\0\0\0WEBPVP8 ")),
            Map.entry("audio/wav", a("RIFF\0\0\0\0WAVEfmt ")),
            Map.entry("video/x-msvideo", a("RIFF\0\0\0\0AVI LIST")),
            Map.entry("image/bmp", a("BM\1\2\3\4\0\0\0\0\0\0\0\0")),
            Map.entry("image/tiff", b('I', 'I', 0x2A, 0)),
            Map.entry("image/heic", a("\0\0\0\u0018ftypheic")),
            Map.entry("image/avif", a("\0\0\0\u0018ftypavif")),
            Map.entry("video/quicktime", a("\0\0\0\u0014ftypqt  ")),
            Map.entry("audio/mp4", a("\0\0\0\u0020ftypM4A ")),
            Map.entry("video/3gpp", a("\0\0\0\u0020ftyp3gp5")),
            Map.entry("video/mp4", a("\0\0\0\u0020ftypisom")),
            Map.entry("application/pdf", a("%PDF-1.7")),
            Map.entry("application/zip", b('P', 'K', 3, 4)),
            Map.entry("application/gzip", b(0x1F, 0x8B, 8)),
            Map.entry("application/x-7z-compressed", b('7', 'z', 0xBC, 0xAF, 0x27, 0x1C)),
            Map.entry("application/vnd.rar", a("Rar!\u001a\u0007\0")),
            Map.entry("audio/ogg", a("OggS")),
            Map.entry("audio/flac", a("fLaC")),
            Map.entry("audio/mpeg", a("ID3\u0004")),
            Map.entry("video/webm", b(0x1A, 0x45, 0xDF, 0xA3)),
            Map.entry("application/x-executable", b(0x7F, 'E', 'L', 'F')),
            Map.entry("application/x-msdownload", a("MZ\u0090")),
            Map.entry("application/x-mach-binary", b(0xCF, 0xFA, 0xED, 0xFE)),
            Map.entry("text/x-shellscript", a("#!/bin/sh\n")));
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      assertEquals(c.getKey(), ContentSniffer.sniff(c.getValue(), c.getValue().length), c.getKey());
    }
    assertEquals("audio/mpeg", ContentSniffer.sniff(b(0xFF, 0xFB, 0x90, 0x64), 64));
  }

  @Test
  void sniff_textAndUnknown() {
    byte[] utf8 = "Grüße, 世界! \uD83D\uDE00\n".getBytes(StandardCharsets.UTF_8);
    assertEquals("text/plain", ContentSniffer.sniff(utf8, utf8.length));
    assertEquals("text/plain", ContentSniffer.sniff(b(0xEF, 0xBB, 0xBF, 'h', 'i'), 5));
    assertEquals("text/plain", ContentSniffer.sniff(b(0xFF, 0xFE, 'h', 0), 4));
    byte[] cut = "abc€".getBytes(StandardCharsets.UTF_8);
    assertEquals("text/plain", ContentSniffer.sniff(cut, cut.length - 1)); // sequence cut by the prefix end
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(a("abc\0def"), 7));
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(b(0xC0, 0x80), 2)); // overlong encoding
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(b(0xE2, 0x28, 0xA1), 3));
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(a("\u0001\u0002\u0003\u0004abc"), 7));
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(new byte[0], 0));
    assertEquals(ContentSniffer.UNKNOWN, ContentSniffer.sniff(b(0xFF, 0xD8), 2)); // too short for JPEG
  }

  @Test
  void mediaTypes_normalizeAndCompatible() {
    assertEquals("image/jpeg", MediaTypes.normalize(" Image/JPG ; q=1"));
    assertNull(MediaTypes.normalize("application/octet-stream"));
    assertNull(MediaTypes.normalize(""));
    assertNull(MediaTypes.normalize("nonsense"));
    assertNull(MediaTypes.normalize(null));
    assertTrue(MediaTypes.compatible(null, "image/png"));
    assertTrue(MediaTypes.compatible("image/png", "image/png"));
    assertFalse(MediaTypes.compatible("image/png", "image/jpeg"));
    assertTrue(MediaTypes.compatible(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"));
    assertTrue(MediaTypes.compatible("application/epub+zip", "application/zip"));
    assertFalse(MediaTypes.compatible("image/png", "application/zip"));
    assertTrue(MediaTypes.compatible("application/json", "text/plain"));
    assertTrue(MediaTypes.compatible("text/csv", "text/plain"));
    assertTrue(MediaTypes.compatible("image/svg+xml", "text/plain"));
    assertFalse(MediaTypes.compatible("text/x-shellscript", "text/plain"));
    assertTrue(MediaTypes.compatible("audio/x-m4a", "video/mp4"));
    assertTrue(MediaTypes.compatible("audio/opus", "audio/ogg"));
    assertTrue(MediaTypes.compatible("video/x-matroska", "video/webm"));
    assertFalse(MediaTypes.compatible("video/mp4", "audio/ogg"));
    assertFalse(MediaTypes.compatible("image/png", ContentSniffer.UNKNOWN));
    assertFalse(MediaTypes.compatible("text/plain", ContentSniffer.UNKNOWN));
    assertTrue(MediaTypes.compatible("application/x-custom", ContentSniffer.UNKNOWN));
    assertFalse(MediaTypes.compatible("application/x-custom", "image/png"));
  }
}
