package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team against a real clamd: content beyond clamd's scan limits ({@code MaxRecursion}, {@code MaxFiles},
 * {@code MaxScanSize}, {@code MaxFileSize}) is not scanned, and with clamd's default {@code AlertExceedsMax no} the
 * answer is {@code stream: OK}. Malware wrapped in 20 nested ZIP archives (default {@code MaxRecursion} is 17) came back
 * clean and was handed out.
 */
class ClamdLimitsAttackTest {
  @TempDir Path tmp;
  private static final byte[] INFECTED = new byte[4096];

  static {
    new Random(23).nextBytes(INFECTED);
  }

  static byte[] nestedZip(byte[] inner, int depth) throws IOException {
    byte[] current = inner;
    for (int i = 0; i < depth; i++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(b)) {
        z.putNextEntry(new ZipEntry(i == 0 ? "payload.bin" : "level" + i + ".zip"));
        z.write(current);
        z.closeEntry();
      }
      current = b.toByteArray();
    }
    return current;
  }

  private static ClamdProcess start(Path dir, String extra) throws InterruptedException {
    try {
      return ClamdProcess.start(dir, INFECTED, "1M", extra);
    } catch (IOException e) {
      Assumptions.abort("clamd could not start on this machine: " + e.getMessage());
      return null;
    }
  }

  private MediaHandler handler(Path root, ContentScanner scanner, int port) throws IOException {
    return MediaHandler.builder()
        .policy(MediaPolicy.builder().allowHosts("slack", "files.slack.com").allowLoopbackForTesting(port).build())
        .directory(root).resolver(TestMedia.loopbackResolver()).scanner(scanner).build();
  }

  private Reason download(ClamdProcess clamd, byte[] body, String dir) throws Exception {
    try (LoopbackHttpServer s = new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "application/zip", body));
        MediaHandler h = handler(tmp.resolve(dir), ClamdScanner.unixSocket(clamd.socket()), s.port())) {
      MediaRequest req =
          MediaRequest.builder("slack", URI.create("http://files.slack.com:" + s.port() + "/files-pri/T1-F1/a.zip"))
              .declaredType("application/zip").build();
      try {
        h.download(req).close();
        return null;
      } catch (MediaRejectedException e) {
        assertEquals(List.of(), TestMedia.entries(h.directory()));
        return e.reason();
      }
    }
  }

  @Test
  void scan_malwareBeyondClamdsRecursionLimit_neverClean() throws Exception {
    byte[] deep = nestedZip(INFECTED, 20);
    byte[] shallow = nestedZip(INFECTED, 2);
    byte[] harmless = nestedZip("just a note".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 2);

    // clamd as Debian ships it (AlertExceedsMax no): over-limit content is answered "OK"
    try (ClamdProcess silent = start(Files.createDirectory(tmp.resolve("s")), "")) {
      Reason r = download(silent, deep, "silent");
      assertTrue(r == Reason.SCAN_FAILED || r == Reason.INFECTED, "nested malware was handed out as clean: " + r);
      // such a daemon cannot vouch for anything: even a harmless archive is not called clean
      assertEquals(Reason.SCAN_FAILED, download(silent, harmless, "silent2"));
    }

    // clamd with AlertExceedsMax yes: over-limit is reported, within limits scanning works as usual
    try (ClamdProcess alerting = start(Files.createDirectory(tmp.resolve("a")), "AlertExceedsMax yes\n")) {
      assertEquals(Reason.SCAN_FAILED, download(alerting, deep, "alerting"));
      assertEquals(Reason.INFECTED, download(alerting, shallow, "alerting2"));
      assertEquals(null, download(alerting, harmless, "alerting3"));
    }
  }
}
