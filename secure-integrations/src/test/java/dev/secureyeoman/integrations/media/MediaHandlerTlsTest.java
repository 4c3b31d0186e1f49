package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https downloads against a loopback TLS server whose certificate ({@code CN=media.test}) is issued by a test CA
 * (resources {@code tls/}): the socket is pinned to the checked loopback address while TLS verifies the certificate
 * against the host name from the URL.
 */
class MediaHandlerTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  @TempDir Path tmp;

  private static KeyStore load(String name) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = MediaHandlerTlsTest.class.getResourceAsStream("tls/" + name)) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }

  private static SSLContext serverContext() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load("server.p12"), PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  private static SSLContext clientContext() throws Exception {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load("trust.p12"));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private MediaHandler handler(int port, SSLContext client, String dir) throws Exception {
    MediaHandler.Builder b =
        MediaHandler.builder()
            .policy(
                MediaPolicy.builder()
                    .allowHosts("discord", "media.test", "other.test")
                    .allowLoopbackForTesting(port)
                    .build())
            .directory(tmp.resolve(dir))
            .resolver(TestMedia.loopbackResolver())
            .withoutScanning();
    if (client != null) {
      b.sslContext(client);
    }
    return b.build();
  }

  @Test
  void download_https_pinnedAddressWithHostnameVerification() throws Exception {
    byte[] png = TestMedia.png(40_000);
    try (LoopbackHttpServer s =
            new LoopbackHttpServer(
                serverContext().getServerSocketFactory(), (r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
        MediaHandler h = handler(s.port(), clientContext(), "ok")) {
      try (MediaHandle handle =
          h.download(MediaRequest.builder("discord", URI.create("https://media.test:" + s.port() + "/a.png")).build())) {
        assertArrayEquals(png, Files.readAllBytes(handle.path()));
      }
      assertEquals("media.test:" + s.port(), s.requests().get(0).field("Host"));

      // the same server reached under a name its certificate does not carry: refused by hostname verification
      MediaRejectedException wrongName =
          assertThrows(
              MediaRejectedException.class,
              () -> h.download(MediaRequest.builder("discord", URI.create("https://other.test:" + s.port() + "/")).build()));
      assertEquals(Reason.DOWNLOAD_FAILED, wrongName.reason());
      assertTrue(wrongName.getMessage().contains("SSL"), wrongName.getMessage());
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    }
  }

  @Test
  void download_httpsUntrustedIssuer_refused() throws Exception {
    try (LoopbackHttpServer s =
            new LoopbackHttpServer(
                serverContext().getServerSocketFactory(),
                (r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(100)));
        MediaHandler h = handler(s.port(), null, "default-trust")) { // the JDK's trust store does not know the test CA
      MediaRejectedException e =
          assertThrows(
              MediaRejectedException.class,
              () -> h.download(MediaRequest.builder("discord", URI.create("https://media.test:" + s.port() + "/")).build()));
      assertEquals(Reason.DOWNLOAD_FAILED, e.reason());
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    }
  }
}
