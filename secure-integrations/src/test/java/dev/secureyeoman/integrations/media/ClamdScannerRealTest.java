package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner against a real clamd started by the test (Debian {@code clamav-daemon}; {@code .ci/run} installs it).
 * If clamd cannot start here, these tests are aborted with the reason and {@link ClamdScannerProtocolTest} (a loopback
 * fake of the protocol) still runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClamdScannerRealTest {
  @TempDir static Path dir;
  private static ClamdProcess clamd;
  private static String startFailure;
  private static final byte[] INFECTED = new byte[4096];

  static {
    new Random(19).nextBytes(INFECTED);
    INFECTED[0] = (byte) 0xFF; // looks like a JPEG to the sniffer, so the declared type matches and only clamd objects
    INFECTED[1] = (byte) 0xD8;
    INFECTED[2] = (byte) 0xFF;
  }

  @BeforeAll
  static void startClamd() throws Exception {
    try {
      clamd = ClamdProcess.start(dir, INFECTED, "64K");
    } catch (IOException e) {
      startFailure = e.getMessage();
      System.err.println("ClamdScannerRealTest: clamd could not start: " + startFailure);
    }
  }

  @AfterAll
  static void stopClamd() throws Exception {
    if (clamd != null) {
      clamd.close();
    }
  }

  private static void requireClamd() {
    Assumptions.assumeTrue(clamd != null, () -> "clamd could not start on this machine: " + startFailure);
  }

  private MediaHandler handler(Path root, ContentScanner scanner, int port, boolean failOpen) throws IOException {
    return MediaHandler.builder()
        .policy(
            MediaPolicy.builder()
                .allowHosts("discord", "cdn.discordapp.com")
                .allowLoopbackForTesting(port)
                .failOpenOnScanError(failOpen)
                .build())
        .directory(root)
        .resolver(TestMedia.loopbackResolver())
        .scanner(scanner)
        .build();
  }

  private static MediaRequest request(int port) {
    return MediaRequest.builder("discord", URI.create("http://cdn.discordapp.com:" + port + "/attachments/1/2/a"))
        .declaredType("image/jpeg")
        .build();
  }

  @Test
  @Order(1)
  void scan_signatureMatch_infectedRejectedAndDeleted(@TempDir Path root) throws Exception {
    requireClamd();
    ClamdScanner scanner = ClamdScanner.unixSocket(clamd.socket());
    assertTrue(scanner.ping());
    try (LoopbackHttpServer s = new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "image/jpeg", INFECTED));
        MediaHandler h = handler(root, scanner, s.port(), false)) {
      MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(request(s.port())));
      assertEquals(Reason.INFECTED, e.reason());
      assertTrue(e.getMessage().contains(ClamdProcess.SIGNATURE + ".UNOFFICIAL"), e.getMessage());
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    }
  }

  @Test
  @Order(2)
  void scan_cleanImage_passes(@TempDir Path root) throws Exception {
    requireClamd();
    ClamdScanner scanner = ClamdScanner.unixSocket(clamd.socket());
    byte[] jpeg = TestMedia.jpeg(20_000);
    try (LoopbackHttpServer s = new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "image/jpeg", jpeg));
        MediaHandler h = handler(root, scanner, s.port(), false);
        MediaHandle handle = h.download(request(s.port()))) {
      assertEquals(ScanResult.clean(), handle.scanResult().orElseThrow());
      assertTrue(Files.exists(handle.path()));
    }
  }

  @Test
  @Order(3)
  void scan_aboveStreamMaxLength_errorNotClean(@TempDir Path tmp) throws Exception {
    requireClamd();
    Path big = tmp.resolve("big");
    Files.write(big, TestMedia.jpeg(300 * 1024)); // clamd runs with StreamMaxLength 64K
    ScanResult r = ClamdScanner.unixSocket(clamd.socket()).withChunkSize(8192).scan(big);
    assertEquals(ScanResult.Verdict.ERROR, r.verdict(), r.detail());
  }

  @Test
  @Order(4)
  void scan_clamdStopped_failsClosedUnlessConfiguredOpen(@TempDir Path root) throws Exception {
    requireClamd();
    clamd.close();
    ClamdScanner scanner = ClamdScanner.unixSocket(clamd.socket()).withTimeout(Duration.ofSeconds(2));
    assertFalse(scanner.ping());
    byte[] jpeg = TestMedia.jpeg(2000);
    try (LoopbackHttpServer s = new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "image/jpeg", jpeg));
        MediaHandler closedHandler = handler(root.resolve("closed"), scanner, s.port(), false);
        MediaHandler openHandler = handler(root.resolve("open"), scanner, s.port(), true)) {
      MediaRejectedException e =
          assertThrows(MediaRejectedException.class, () -> closedHandler.download(request(s.port())));
      assertEquals(Reason.SCAN_FAILED, e.reason());
      assertEquals(List.of(), TestMedia.entries(closedHandler.directory()));
      // the explicit fail-open policy lets it through and says the scan failed
      try (MediaHandle handle = openHandler.download(request(s.port()))) {
        assertEquals(ScanResult.Verdict.ERROR, handle.scanResult().orElseThrow().verdict());
      }
    }
  }
}
