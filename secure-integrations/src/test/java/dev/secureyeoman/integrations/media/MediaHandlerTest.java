package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads against loopback servers. These tests use the policy's loopback test switch (plain http to the test server's
 * port only); {@code MediaHandlerTlsTest} covers https with a test CA.
 */
class MediaHandlerTest {
  private static final long CAP = 64 * 1024;

  @TempDir Path tmp;
  private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private LoopbackHttpServer server(LoopbackHttpServer.Responder r) throws IOException {
    LoopbackHttpServer s = new LoopbackHttpServer(r);
    closeables.add(s);
    return s;
  }

  private MediaHandler handler(MediaPolicy policy, ContentScanner scanner, HostResolver resolver) throws IOException {
    MediaHandler.Builder b = MediaHandler.builder().policy(policy).directory(tmp.resolve("media")).resolver(resolver);
    MediaHandler h = (scanner == null ? b.withoutScanning() : b.scanner(scanner)).build();
    closeables.add(h);
    return h;
  }

  private static MediaPolicy.Builder policy(int... ports) {
    MediaPolicy.Builder b =
        MediaPolicy.builder().maxBytes(CAP).allowHosts("telegram", "api.telegram.org", "127.0.0.1");
    for (int p : ports) {
      b.allowLoopbackForTesting(p);
    }
    return b;
  }

  private static MediaRequest.Builder telegram(int port, String path) {
    return MediaRequest.builder("telegram", URI.create("http://api.telegram.org:" + port + path));
  }

  private static MediaRequest request(int port, String path) {
    return telegram(port, path).build();
  }

  /** A handler without scanner whose loopback switch opens {@code s}'s port. */
  private MediaHandler plain(LoopbackHttpServer s) throws IOException {
    return handler(policy(s.port()).build(), null, TestMedia.loopbackResolver());
  }

  @Test
  void download_cleanImage_isWrittenPrivatelyScannedAndDeletedOnClose() throws Exception {
    byte[] png = TestMedia.png(5000);
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
    AtomicInteger scans = new AtomicInteger();
    MediaHandler h =
        handler(policy(s.port()).build(), f -> {
          scans.incrementAndGet();
          return ScanResult.clean();
        }, TestMedia.loopbackResolver());
    MediaRequest req =
        telegram(s.port(), "/file/photo.png")
            .declaredSize(png.length)
            .declaredType("image/png")
            .fileName("holiday.png")
            .build();
    Path file;
    try (MediaHandle handle = h.download(req)) {
      file = handle.path();
      assertArrayEquals(png, Files.readAllBytes(file));
      assertEquals("image/png", handle.contentType());
      assertEquals(png.length, handle.size());
      assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png)), handle.sha256());
      assertEquals(ScanResult.Verdict.CLEAN, handle.scanResult().orElseThrow().verdict());
      assertEquals("holiday.png", handle.originalFileName().orElseThrow());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("media"))));
      assertEquals(h.directory(), file.getParent());
      assertTrue(file.getFileName().toString().matches("m-[0-9a-f]{32}"));
      assertEquals("api.telegram.org:" + s.port(), s.requests().get(0).field("Host"));
    }
    assertFalse(Files.exists(file));
    assertEquals(1, scans.get());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_declaredOversize_refusedWithoutConnecting() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(10)));
    MediaHandler h = plain(s);
    MediaRequest req =
        telegram(s.port(), "/f")
            .declaredSize(CAP + 1)
            .build();
    MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(req));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertEquals(0, s.connections());
    // the legitimate path: exactly the cap is accepted
    LoopbackHttpServer exact = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png((int) CAP)));
    MediaHandler h2 = handler(policy(exact.port()).build(), null, TestMedia.loopbackResolver());
    try (MediaHandle handle =
        h2.download(
            telegram(exact.port(), "/f")
                .declaredSize(CAP)
                .build())) {
      assertEquals(CAP, Files.size(handle.path()));
    }
  }

  @Test
  void download_contentLengthOversize_refusedBeforeTheBody() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Type: image/png", "Content-Length: " + (CAP + 1));
              release.await(10, TimeUnit.SECONDS); // no body byte is ever sent
            });
    MediaHandler h = plain(s);
    try {
      MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/x")));
      assertEquals(Reason.TOO_LARGE, e.reason());
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    } finally {
      release.countDown();
    }
  }

  @Test
  void download_undeclaredChunkedOversize_abortsAtCapPlusOneAndWritesAtMostCap() throws Exception {
    byte[] body = TestMedia.png((int) CAP + 1);
    CountDownLatch capSent = new CountDownLatch(1);
    CountDownLatch sendMore = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Type: image/png", "Transfer-Encoding: chunked");
              for (int off = 0; off < CAP; off += 8192) {
                LoopbackHttpServer.chunk(out, body, off, (int) Math.min(8192, CAP - off));
              }
              capSent.countDown();
              sendMore.await(10, TimeUnit.SECONDS);
              LoopbackHttpServer.chunk(out, body, (int) CAP, 1); // byte cap + 1, then the connection stays open
              finish.await(10, TimeUnit.SECONDS);
            });
    MediaHandler h = plain(s);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<MediaHandle> f = pool.submit(() -> h.download(request(s.port(), "/big")));
      assertTrue(capSent.await(10, TimeUnit.SECONDS));
      // all cap bytes arrive on disk while the server waits: the stream is written as it comes
      Path part = awaitFileOfSize(h.directory(), CAP);
      assertEquals(CAP, Files.size(part));
      sendMore.countDown();
      java.util.concurrent.ExecutionException ex =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      MediaRejectedException e = (MediaRejectedException) ex.getCause();
      assertEquals(Reason.TOO_LARGE, e.reason()); // decided on byte cap + 1 while the server still holds the line
      assertFalse(Files.exists(part));
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    } finally {
      finish.countDown();
      pool.shutdownNow();
    }
  }

  /** Waits (bounded) until the single file in {@code dir} reaches {@code size} bytes. */
  private static Path awaitFileOfSize(Path dir, long size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<Path> files = TestMedia.entries(dir);
      if (files.size() == 1 && Files.size(files.get(0)) == size) {
        return files.get(0);
      }
      Thread.onSpinWait();
      Thread.sleep(1); // polling the file system; the download thread is blocked on the server meanwhile
    }
    throw new AssertionError("no file of " + size + " bytes appeared in " + dir + ": " + TestMedia.entries(dir));
  }

  @Test
  void download_undeclaredOversizeUntilClose_refused() throws Exception {
    byte[] body = TestMedia.jpeg((int) CAP * 3);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Type: image/jpeg");
              out.write(body); // no length: delimited by the end of the connection
            });
    MediaHandler h = plain(s);
    MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/f")));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_truncatedBody_failsAndLeavesNothing() throws Exception {
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Length: 5000");
              out.write(TestMedia.png(1000), 0, 1000);
            });
    MediaHandler h = plain(s);
    MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/f")));
    assertEquals(Reason.DOWNLOAD_FAILED, e.reason());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_declaredSizeDiffers_refused() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(900)));
    MediaHandler h = plain(s);
    MediaRequest req =
        telegram(s.port(), "/f")
            .declaredSize(800)
            .build();
    assertEquals(Reason.SIZE_MISMATCH, assertThrows(MediaRejectedException.class, () -> h.download(req)).reason());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_declaredPngButJpeg_typeMismatch() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.jpeg(4000)));
    MediaHandler h = plain(s);
    MediaRequest req =
        telegram(s.port(), "/f")
            .declaredType("image/png")
            .build();
    assertEquals(Reason.TYPE_MISMATCH, assertThrows(MediaRejectedException.class, () -> h.download(req)).reason());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
    MediaRequest jpg =
        telegram(s.port(), "/f")
            .declaredType("image/jpg; charset=binary")
            .build();
    try (MediaHandle handle = h.download(jpg)) {
      assertEquals("image/jpeg", handle.contentType());
      assertEquals("image/jpeg", handle.declaredType().orElseThrow());
    }
  }

  @Test
  void download_executable_refusedUnlessAllowed() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "application/octet-stream", TestMedia.elf()));
    MediaHandler h = plain(s);
    assertEquals(
        Reason.TYPE_NOT_ALLOWED,
        assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/a.jpg"))).reason());
    MediaHandler allowing =
        handler(policy(s.port()).allowExecutables(true).build(), null, TestMedia.loopbackResolver());
    try (MediaHandle handle = allowing.download(request(s.port(), "/a"))) {
      assertEquals("application/x-executable", handle.contentType());
    }
    MediaHandler imagesOnly =
        handler(policy(s.port()).allowTypes("image/png").allowExecutables(true).build(), null,
            TestMedia.loopbackResolver());
    assertEquals(
        Reason.TYPE_NOT_ALLOWED,
        assertThrows(MediaRejectedException.class, () -> imagesOnly.download(request(s.port(), "/a"))).reason());
  }

  @Test
  void download_pathTraversalFileName_neverLeavesTheRunDirectory() throws Exception {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(300)));
    MediaHandler h = plain(s);
    for (String name :
        List.of("../../outside/pwned.png", "..\\..\\outside\\pwned.png", "/etc/passwd", "a/../../b", "\u0000x",
            "con.png", ".")) {
      MediaRequest req =
          MediaRequest.builder("telegram", URI.create("http://api.telegram.org:" + s.port() + "/file/" + "x.png"))
              .fileName(name)
              .build();
      try (MediaHandle handle = h.download(req)) {
        assertEquals(h.directory(), handle.path().getParent());
        assertTrue(handle.path().getFileName().toString().matches("m-[0-9a-f]{32}"));
        // kept as metadata only, as a safe base name (MediaFileNameAttackTest)
        handle.originalFileName().ifPresent(n -> assertFalse(n.contains("/") || n.contains("\\") || n.startsWith(".")));
      }
    }
    assertEquals(List.of(), TestMedia.entries(outside));
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_hostnameResolvingToPrivateAddress_refused() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HostResolver rebinding =
        host -> {
          calls.incrementAndGet();
          return List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7}));
        };
    MediaHandler h = handler(policy().build(), null, rebinding);
    MediaRequest req =
        MediaRequest.builder("telegram", URI.create("https://api.telegram.org/file/bot1:SECRET/x.png")).build();
    MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(req));
    assertEquals(Reason.PRIVATE_ADDRESS, e.reason());
    assertEquals(1, calls.get());
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    // one public and one private answer: refused as well (no cherry-picking)
    MediaHandler mixed =
        handler(
            policy().build(),
            null,
            host -> List.of(InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 215, 14}),
                InetAddress.getByAddress(host, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})));
    assertEquals(Reason.PRIVATE_ADDRESS, assertThrows(MediaRejectedException.class, () -> mixed.download(req)).reason());
  }

  @Test
  void download_dnsRebinding_connectionStaysOnTheCheckedAddress() throws Exception {
    byte[] png = TestMedia.png(1000);
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
    AtomicInteger calls = new AtomicInteger();
    HostResolver rebinding =
        host ->
            calls.incrementAndGet() == 1
                ? List.of(InetAddress.getLoopbackAddress())
                : List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 9}));
    MediaHandler h = handler(policy(s.port()).build(), null, rebinding);
    try (MediaHandle handle = h.download(request(s.port(), "/f"))) {
      assertArrayEquals(png, Files.readAllBytes(handle.path()));
    }
    assertEquals(1, calls.get()); // resolved once; the connection went to the checked answer
    assertEquals(1, s.connections());
  }

  @Test
  void download_redirects_everyTargetRechecked() throws Exception {
    byte[] png = TestMedia.png(700);
    LoopbackHttpServer target = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
    String[] location = new String[1];
    LoopbackHttpServer redirector = server((r, out) -> LoopbackHttpServer.head(out, 302, "Location: " + location[0]));
    MediaHandler h = handler(policy(redirector.port(), target.port()).build(), null, TestMedia.loopbackResolver());

    // legitimate: a redirect to another allowed origin is followed
    location[0] = "http://127.0.0.1:" + target.port() + "/real.png";
    try (MediaHandle handle = h.download(request(redirector.port(), "/start"))) {
      assertArrayEquals(png, Files.readAllBytes(handle.path()));
    }
    int served = target.connections();
    for (String[] attack :
        new String[][] {
          {"http://169.254.169.254/latest/meta-data/", "PRIVATE_ADDRESS"},
          {"http://127.0.0.1:1/", "PRIVATE_ADDRESS"}, // loopback, but not the port the test switch opened
          {"http://[::1]:1/", "PRIVATE_ADDRESS"},
          {"http://[::ffff:127.0.0.1]:" + target.port() + "/", "PRIVATE_ADDRESS"},
          {"http://2130706433/", "PRIVATE_ADDRESS"},
          {"http://2130706433:" + target.port() + "/", "INVALID_URL"}, // even where the test switch opens loopback
          {"http://0x7f.0.0.1/", "PRIVATE_ADDRESS"},
          {"http://0177.0.0.1/", "PRIVATE_ADDRESS"},
          {"http://10.0.0.1/", "PRIVATE_ADDRESS"},
          {"https://evil.example/x.png", "HOST_NOT_ALLOWED"},
          {"ftp://api.telegram.org/x", "INSECURE_SCHEME"},
          {"http://user@api.telegram.org:" + target.port() + "/", "INVALID_URL"},
        }) {
      location[0] = attack[0];
      MediaRejectedException e =
          assertThrows(MediaRejectedException.class, () -> h.download(request(redirector.port(), "/start")),
              attack[0]);
      assertEquals(Reason.valueOf(attack[1]), e.reason(), attack[0] + ": " + e.getMessage());
    }
    assertEquals(served, target.connections());
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_hostnameRedirectResolvingPrivate_refused() throws Exception {
    LoopbackHttpServer redirector =
        server((r, out) -> LoopbackHttpServer.head(out, 301, "Location: https://internal.example/x"));
    HostResolver resolver =
        host ->
            host.equals("internal.example")
                ? List.of(InetAddress.getByAddress(host, new byte[] {(byte) 192, (byte) 168, 1, 1}))
                : List.of(InetAddress.getLoopbackAddress());
    MediaHandler h =
        handler(
            policy(redirector.port()).allowHosts("discord", "api.telegram.org").build().toBuilder()
                .allowHosts("telegram", "api.telegram.org", "internal.example")
                .build(),
            null,
            resolver);
    assertEquals(
        Reason.PRIVATE_ADDRESS,
        assertThrows(MediaRejectedException.class, () -> h.download(request(redirector.port(), "/"))).reason());
  }

  @Test
  void download_tooManyRedirects_refused() throws Exception {
    int[] port = new int[1];
    LoopbackHttpServer loop =
        server((r, out) -> LoopbackHttpServer.head(out, 307, "Location: /again"));
    port[0] = loop.port();
    MediaHandler h = handler(policy(loop.port()).maxRedirects(2).build(), null, TestMedia.loopbackResolver());
    assertEquals(
        Reason.TOO_MANY_REDIRECTS,
        assertThrows(MediaRejectedException.class, () -> h.download(request(port[0], "/"))).reason());
    assertEquals(3, loop.connections());
  }

  @Test
  void download_bearerToken_sentToSameOriginOnlyAndNeverPrinted() throws Exception {
    byte[] png = TestMedia.png(700);
    LoopbackHttpServer other = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", png));
    LoopbackHttpServer slack =
        server(
            (r, out) -> {
              if (r.requestLine().startsWith("GET /first")) {
                LoopbackHttpServer.head(out, 302, "Location: /second");
              } else if (r.requestLine().startsWith("GET /second")) {
                LoopbackHttpServer.head(out, 302, "Location: http://127.0.0.1:" + other.port() + "/third");
              }
            });
    MediaPolicy p =
        MediaPolicy.builder()
            .allowHosts("slack", "files.slack.com", "127.0.0.1")
            .allowLoopbackForTesting(slack.port())
            .allowLoopbackForTesting(other.port())
            .build();
    MediaHandler h = handler(p, null, TestMedia.loopbackResolver());
    try (SecretBytes token = SecretBytes.copyOf("xoxb-123-SECRET".getBytes(StandardCharsets.US_ASCII))) {
      MediaRequest req =
          MediaRequest.builder("slack", URI.create("http://files.slack.com:" + slack.port() + "/first?t=SECRETQ"))
              .bearerToken(token)
              .build();
      assertFalse(req.toString().contains("SECRET"), req.toString());
      assertFalse(req.toString().contains("first"), req.toString());
      try (MediaHandle handle = h.download(req)) {
        assertArrayEquals(png, Files.readAllBytes(handle.path()));
        assertFalse(handle.toString().contains("SECRET"));
      }
    }
    assertEquals("Bearer xoxb-123-SECRET", slack.requests().get(0).field("Authorization"));
    assertEquals("Bearer xoxb-123-SECRET", slack.requests().get(1).field("Authorization"));
    assertNull(other.requests().get(0).field("Authorization")); // another origin never sees the token
  }

  @Test
  void download_errorMessages_neverContainTheUrlPath() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.head(out, 404, "Content-Length: 0"));
    MediaHandler h = plain(s);
    MediaRequest req = request(s.port(), "/file/bot123456:AAE-SECRET/photos/file_1.jpg");
    MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> h.download(req));
    assertEquals(Reason.DOWNLOAD_FAILED, e.reason());
    assertTrue(e.getMessage().contains("404"), e.getMessage());
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    assertFalse(req.toString().contains("SECRET"), req.toString());
  }

  @Test
  void download_silentServer_timesOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Length: 100");
              release.await(10, TimeUnit.SECONDS);
            });
    MediaHandler h =
        handler(policy(s.port()).readTimeout(Duration.ofMillis(200)).build(), null, TestMedia.loopbackResolver());
    try {
      assertEquals(
          Reason.DOWNLOAD_FAILED,
          assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/"))).reason());
    } finally {
      release.countDown();
    }
    assertEquals(List.of(), TestMedia.entries(h.directory()));
  }

  @Test
  void download_slowDrip_stoppedByTotalTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Length: 1000");
              for (int i = 0; i < 1000 && release.getCount() > 0; i++) {
                out.write('a');
                out.flush();
                release.await(50, TimeUnit.MILLISECONDS); // one byte every 50 ms: each read is quick
              }
            });
    MediaHandler h =
        handler(
            policy(s.port()).readTimeout(Duration.ofSeconds(5)).totalTimeout(Duration.ofMillis(400)).build(),
            null,
            TestMedia.loopbackResolver());
    try {
      assertEquals(
          Reason.DOWNLOAD_FAILED,
          assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/"))).reason());
    } finally {
      release.countDown();
    }
  }

  @Test
  void download_scannerVerdicts_infectedAndErrorRejectedFailOpenAccepted() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(500)));
    List<Path> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    MediaHandler infected =
        handler(policy(s.port()).build(), f -> {
          seen.add(f);
          return ScanResult.infected("Test.Sig");
        }, TestMedia.loopbackResolver());
    MediaRejectedException e =
        assertThrows(MediaRejectedException.class, () -> infected.download(request(s.port(), "/")));
    assertEquals(Reason.INFECTED, e.reason());
    assertTrue(e.getMessage().contains("Test.Sig"));
    assertFalse(Files.exists(seen.get(0)));

    MediaHandler failing = handler(policy(s.port()).build(), f -> ScanResult.error("down"),
        TestMedia.loopbackResolver());
    assertEquals(
        Reason.SCAN_FAILED,
        assertThrows(MediaRejectedException.class, () -> failing.download(request(s.port(), "/"))).reason());
    MediaHandler throwing = handler(policy(s.port()).build(), f -> {
      throw new IllegalStateException("boom");
    }, TestMedia.loopbackResolver());
    assertEquals(
        Reason.SCAN_FAILED,
        assertThrows(MediaRejectedException.class, () -> throwing.download(request(s.port(), "/"))).reason());

    MediaHandler failOpen =
        handler(policy(s.port()).failOpenOnScanError(true).build(), f -> ScanResult.error("down"),
            TestMedia.loopbackResolver());
    try (MediaHandle handle = failOpen.download(request(s.port(), "/"))) {
      assertEquals(ScanResult.Verdict.ERROR, handle.scanResult().orElseThrow().verdict());
    }
    for (MediaHandler h : List.of(infected, failing, throwing, failOpen)) {
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    }
  }

  @Test
  void download_concurrencyLimit_busyUntilAHandleCloses() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(100)));
    MediaHandler h = handler(policy(s.port()).maxConcurrent(1).build(), null, TestMedia.loopbackResolver());
    MediaHandle first = h.download(request(s.port(), "/"));
    assertEquals(Reason.BUSY, assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/")))
        .reason());
    first.close();
    first.close(); // idempotent: the permit is returned once
    try (MediaHandle second = h.download(request(s.port(), "/"))) {
      assertTrue(Files.exists(second.path()));
      assertEquals(Reason.BUSY,
          assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/"))).reason());
    }
  }

  @Test
  void droppedHandle_deletedByTheCleanerAndItsPermitReturned() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(100)));
    MediaHandler h = handler(policy(s.port()).maxConcurrent(1).build(), null, TestMedia.loopbackResolver());
    Path leaked = downloadAndDrop(h, s.port());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (Files.exists(leaked) && System.nanoTime() < deadline) {
      System.gc(); // bounded: the Cleaner runs once the handle is collected
      Thread.sleep(20);
    }
    assertFalse(Files.exists(leaked), "a handle dropped without close() must not leak its file");
    try (MediaHandle again = h.download(request(s.port(), "/"))) { // the single permit came back
      assertTrue(Files.exists(again.path()));
    }
  }

  private static Path downloadAndDrop(MediaHandler h, int port) throws Exception {
    return h.download(request(port, "/")).path(); // the handle itself becomes unreachable here
  }

  @Test
  void close_duringADownload_nothingIsHandedOutOrLeftBehind() throws Exception {
    byte[] png = TestMedia.png(20_000);
    CountDownLatch halfSent = new CountDownLatch(1);
    CountDownLatch rest = new CountDownLatch(1);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Content-Length: " + png.length);
              out.write(png, 0, 10_000);
              out.flush();
              halfSent.countDown();
              rest.await(10, TimeUnit.SECONDS);
              out.write(png, 10_000, png.length - 10_000);
            });
    MediaHandler h =
        MediaHandler.builder()
            .policy(policy(s.port()).build())
            .directory(tmp.resolve("closing"))
            .resolver(TestMedia.loopbackResolver())
            .withoutScanning()
            .build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<MediaHandle> f = pool.submit(() -> h.download(request(s.port(), "/")));
      assertTrue(halfSent.await(10, TimeUnit.SECONDS));
      h.close();
      rest.countDown();
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals(Reason.DOWNLOAD_FAILED, ((MediaRejectedException) e.getCause()).reason());
      assertEquals(List.of(), TestMedia.entries(tmp.resolve("closing")));
    } finally {
      rest.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void close_deletesOpenHandlesAndTheRunDirectory() throws Exception {
    LoopbackHttpServer s = server((r, out) -> LoopbackHttpServer.ok(out, "image/png", TestMedia.png(100)));
    MediaHandler h =
        MediaHandler.builder()
            .policy(policy(s.port()).build())
            .directory(tmp.resolve("media"))
            .resolver(TestMedia.loopbackResolver())
            .withoutScanning()
            .build();
    MediaHandle open = h.download(request(s.port(), "/"));
    assertTrue(open.scanResult().isEmpty());
    h.close();
    h.close();
    assertFalse(Files.exists(open.path()));
    assertEquals(List.of(), TestMedia.entries(tmp.resolve("media")));
    open.close();
    assertThrows(IllegalStateException.class, () -> h.download(request(s.port(), "/")));
  }

  @Test
  void builder_requiresPolicyAndAScanningDecision() {
    assertThrows(IllegalStateException.class, () -> MediaHandler.builder().withoutScanning().build());
    assertThrows(
        IllegalStateException.class, () -> MediaHandler.builder().policy(MediaPolicy.platformDefaults()).build());
    assertThrows(
        IllegalStateException.class,
        () -> MediaHandler.builder().withoutScanning().scanner(f -> ScanResult.clean()));
    MediaHandler.Builder b = MediaHandler.builder().policy(MediaPolicy.platformDefaults());
    assertThrows(IllegalStateException.class, () -> b.policy(MediaPolicy.platformDefaults()));
  }

  @Test
  void handlerResponses_malformed_failCleanly() throws Exception {
    for (String raw :
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
            "HTTP/1.1 302 Found\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) {
      LoopbackHttpServer s =
          server((r, out) -> out.write(raw.getBytes(StandardCharsets.ISO_8859_1)));
      MediaHandler h = plain(s);
      MediaRejectedException e =
          assertThrows(MediaRejectedException.class, () -> h.download(request(s.port(), "/")), raw);
      assertEquals(Reason.DOWNLOAD_FAILED, e.reason(), raw);
      assertEquals(List.of(), TestMedia.entries(h.directory()));
    }
  }

  @Test
  void download_chunkedWithTrailers_accepted() throws Exception {
    byte[] png = TestMedia.png(3000);
    LoopbackHttpServer s =
        server(
            (r, out) -> {
              LoopbackHttpServer.head(out, 200, "Transfer-Encoding: Chunked");
              LoopbackHttpServer.chunk(out, png, 0, 1000);
              out.write(("7d0;ext=1\r\n").getBytes(StandardCharsets.ISO_8859_1));
              out.write(png, 1000, 2000);
              out.write("\r\n0\r\nX-Trailer: y\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            });
    MediaHandler h = plain(s);
    try (MediaHandle handle = h.download(request(s.port(), "/"))) {
      assertArrayEquals(png, Files.readAllBytes(handle.path()));
    }
  }
}
