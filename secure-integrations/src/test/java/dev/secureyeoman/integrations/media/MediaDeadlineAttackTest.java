package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team: the total download deadline must hold in every phase, not only while the body is read. A TLS server that
 * drips its handshake one byte at a time — each byte well inside the read timeout — kept a download alive for as
 * long as it liked, because the deadline was only consulted before the handshake started.
 */
class MediaDeadlineAttackTest {
  private static final int DRIP_BYTES = 400;
  @TempDir Path tmp;

  /** Accepts one connection and drips a never-ending TLS handshake record; returns how many bytes it got out. */
  private static CompletableFuture<Integer> drippingTlsServer(ServerSocket ss) {
    return CompletableFuture.supplyAsync(
        () -> {
          int sent = 0;
          try (Socket s = ss.accept()) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00}); // handshake record, 16 KiB announced
            out.flush();
            for (; sent < DRIP_BYTES; sent++) {
              out.write(0x02);
              out.flush();
              Thread.sleep(50); // the attacker's pace: far inside the 5 s read timeout
            }
          } catch (IOException e) {
            return sent; // the client hung up
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return sent;
        });
  }

  @Test
  void download_tlsHandshakeDrip_cutByTheTotalDeadline() throws Exception {
    try (ServerSocket ss = new ServerSocket()) {
      ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      CompletableFuture<Integer> server = drippingTlsServer(ss);
      MediaPolicy policy =
          MediaPolicy.builder()
              .allowHosts("discord", "media.test")
              .allowLoopbackForTesting(ss.getLocalPort())
              .readTimeout(Duration.ofSeconds(5))
              .totalTimeout(Duration.ofSeconds(1))
              .build();
      try (MediaHandler h =
          MediaHandler.builder().policy(policy).directory(tmp.resolve("media")).resolver(TestMedia.loopbackResolver())
              .withoutScanning().build()) {
        MediaRejectedException e =
            assertThrows(
                MediaRejectedException.class,
                () -> h.download(
                    MediaRequest.builder("discord", URI.create("https://media.test:" + ss.getLocalPort() + "/a"))
                        .build()));
        assertEquals(Reason.DOWNLOAD_FAILED, e.reason());
        int sent = server.get(60, TimeUnit.SECONDS);
        assertTrue(sent < DRIP_BYTES, "the client waited out the whole drip (" + sent + " bytes): no total deadline");
        assertEquals(List.of(), TestMedia.entries(h.directory()));
      }
    }
  }
}
