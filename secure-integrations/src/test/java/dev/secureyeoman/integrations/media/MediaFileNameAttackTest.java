package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team: the platform's file name is documented as "metadata for display". Displayed, a right-to-left override
 * makes {@code invoice\u202Egnp.exe} read as {@code invoiceexe.png}; a line break forges a second log or chat line; a
 * path climbs out of a directory the consumer saves into. The name handed out must be safe to show and to use as a
 * base name.
 */
class MediaFileNameAttackTest {
  @TempDir Path tmp;

  private Optional<String> downloadedName(String name) throws Exception {
    byte[] png = TestMedia.png(300);
    try (LoopbackHttpServer s = new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
        MediaHandler h =
            MediaHandler.builder()
                .policy(MediaPolicy.builder().allowHosts("telegram", "api.telegram.org")
                    .allowLoopbackForTesting(s.port()).build())
                .directory(tmp.resolve("media")).resolver(TestMedia.loopbackResolver()).withoutScanning().build();
        MediaHandle handle =
            h.download(MediaRequest.builder("telegram", URI.create("http://api.telegram.org:" + s.port() + "/f"))
                .fileName(name).build())) {
      return handle.originalFileName();
    }
  }

  @Test
  void originalFileName_bidiControlsAndLineBreaks_removed() throws Exception {
    assertEquals("invoicegnp.exe", downloadedName("invoice\u202Egnp.exe").orElseThrow());
    assertEquals("reportfdp.scr", downloadedName("report\u2067\u200Ffdp.scr\u2069").orElseThrow());
    String forged = downloadedName("cat.png\r\n2026-12-02 INFO admin logged in\u0000\u0085").orElseThrow();
    assertTrue(forged.chars().noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'), forged);
    assertEquals("cat.png2026-12-02 INFO admin logged in", forged);
  }

  @Test
  void originalFileName_pathsDotsAndDeviceNames_reducedToASafeBaseName() throws Exception {
    assertEquals("pwned.png", downloadedName("../../outside/pwned.png").orElseThrow());
    assertEquals("pwned.png", downloadedName("..\\..\\outside\\pwned.png").orElseThrow());
    assertEquals("passwd", downloadedName("/etc/passwd").orElseThrow());
    assertEquals("bashrc", downloadedName("...bashrc").orElseThrow());
    assertEquals("_con.png", downloadedName("CON.png").orElse("").toLowerCase(java.util.Locale.ROOT));
    assertEquals(Optional.empty(), downloadedName(".."));
    assertEquals(Optional.empty(), downloadedName("\u202E\u0007"));
    String longName = "a".repeat(1000) + ".png";
    String kept = downloadedName(longName).orElseThrow();
    assertTrue(kept.getBytes(StandardCharsets.UTF_8).length <= 255 && kept.endsWith(".png"), kept);
    // the legitimate path: ordinary names, also non-ASCII ones, are unchanged
    assertEquals("Urlaubsfoto – Käse.jpg", downloadedName("Urlaubsfoto – Käse.jpg").orElseThrow());
    assertEquals("写真 1.png", downloadedName("写真 1.png").orElseThrow());
    assertFalse(downloadedName("photo.png").orElseThrow().isEmpty());
  }
}
