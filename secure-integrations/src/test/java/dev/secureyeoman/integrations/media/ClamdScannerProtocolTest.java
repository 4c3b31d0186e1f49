package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clamd INSTREAM protocol against a loopback fake (runs everywhere, also where clamd cannot start). */
class ClamdScannerProtocolTest {
  @TempDir Path dir;

  /** A fake clamd on a unix socket: reads the command and the chunks, then answers what {@code reply} says. */
  private static final class FakeClamd implements AutoCloseable {
    final ServerSocketChannel server;
    final Thread thread;
    volatile String command;
    volatile byte[] received;

    FakeClamd(Path socket, Function<byte[], String> reply) throws IOException {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      thread =
          new Thread(
              () -> {
                while (server.isOpen()) {
                  try (SocketChannel c = server.accept()) {
                    InputStream in = Channels.newInputStream(c);
                    OutputStream out = Channels.newOutputStream(c);
                    command = readUntilNul(in);
                    if (command.equals("zPING")) {
                      out.write("PONG\0".getBytes(StandardCharsets.US_ASCII));
                      continue;
                    }
                    DataInputStream data = new DataInputStream(in);
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    int len;
                    while ((len = data.readInt()) > 0) {
                      all.write(data.readNBytes(len));
                    }
                    received = all.toByteArray();
                    String r = reply.apply(received);
                    if (r != null) {
                      out.write(r.getBytes(StandardCharsets.US_ASCII));
                    }
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "fake-clamd");
      thread.setDaemon(true);
      thread.start();
    }

    static String readUntilNul(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) > 0) {
        b.write(c);
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private Path file(byte[] content) throws IOException {
    Path f = Files.createTempFile(dir, "scan", ".bin");
    Files.write(f, content);
    return f;
  }

  @Test
  void scan_fakeClamd_verdictsFollowReplies() throws Exception {
    Path sock = dir.resolve("c.sock");
    byte[] content = new byte[200_000];
    new java.util.Random(1).nextBytes(content);
    try (FakeClamd fake =
        new FakeClamd(sock, data -> data[0] == 'E' ? "stream: Eicar-Test FOUND\0" : "stream: OK\0")) {
      ClamdScanner scanner = ClamdScanner.unixSocket(sock).withChunkSize(4096).withoutLimitsProbe();
      assertTrue(scanner.ping());
      assertEquals(ScanResult.clean(), scanner.scan(file(content)));
      assertEquals("zINSTREAM", fake.command);
      assertEquals(content.length, fake.received.length); // every chunk arrived, in order
      assertTrue(java.util.Arrays.equals(content, fake.received));
      content[0] = 'E';
      assertEquals(ScanResult.infected("Eicar-Test"), scanner.scan(file(content)));
    }
  }

  @Test
  void scan_limitsProbe_daemonThatPassesOverLimitContentIsNeverTrusted() throws Exception {
    byte[] content = "hello".getBytes(StandardCharsets.US_ASCII);
    java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
    // a daemon with AlertExceedsMax no: the probe (a deeply nested archive) comes back OK
    try (FakeClamd fake = new FakeClamd(dir.resolve("silent-limits.sock"), data -> "stream: OK\0")) {
      ScanResult r = ClamdScanner.unixSocket(dir.resolve("silent-limits.sock")).scan(file(content));
      assertEquals(ScanResult.Verdict.ERROR, r.verdict());
      assertTrue(r.detail().contains("AlertExceedsMax"), r.detail());
    }
    // a daemon that reports over-limit content: probed once, then scans as usual
    try (FakeClamd fake =
        new FakeClamd(dir.resolve("alerting.sock"), data -> {
          scans.incrementAndGet();
          return data[0] == 'P' && data[1] == 'K'
              ? "stream: Heuristics.Limits.Exceeded.MaxRecursion FOUND\0" : "stream: OK\0";
        })) {
      ClamdScanner scanner = ClamdScanner.unixSocket(dir.resolve("alerting.sock"));
      assertEquals(ScanResult.clean(), scanner.scan(file(content)));
      assertEquals(ScanResult.clean(), scanner.scan(file(content)));
      assertEquals(3, scans.get()); // one probe, two scans
    }
    assertEquals(ScanResult.Verdict.ERROR,
        ClamdScanner.parse("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND").verdict());
  }

  @Test
  void parse_replies() {
    assertEquals(ScanResult.clean(), ClamdScanner.parse("stream: OK"));
    assertEquals(ScanResult.infected("Win.Test.EICAR_HDB-1"), ClamdScanner.parse("stream: Win.Test.EICAR_HDB-1 FOUND"));
    assertEquals(ScanResult.Verdict.ERROR,
        ClamdScanner.parse("INSTREAM size limit exceeded. ERROR").verdict());
    assertEquals(ScanResult.Verdict.ERROR, ClamdScanner.parse("stream:  FOUND").verdict());
    assertEquals(ScanResult.Verdict.ERROR, ClamdScanner.parse("garbage").verdict());
    assertEquals(ScanResult.Verdict.ERROR, ClamdScanner.parse("").verdict());
  }

  @Test
  void scan_badReplies_areErrorsNeverClean() throws Exception {
    byte[] content = "hello".getBytes(StandardCharsets.US_ASCII);
    String[] replies = {"weird\0", "stream: OK", "x".repeat(5000), "INSTREAM size limit exceeded. ERROR\0"};
    for (int i = 0; i < replies.length; i++) {
      String reply = replies[i];
      Path sock = dir.resolve("b" + i + ".sock");
      try (FakeClamd fake = new FakeClamd(sock, data -> reply)) {
        ScanResult r = ClamdScanner.unixSocket(sock).withTimeout(Duration.ofSeconds(2)).scan(file(content));
        assertEquals(ScanResult.Verdict.ERROR, r.verdict(), reply.length() > 50 ? "long reply" : reply);
      }
    }
  }

  @Test
  void scan_silentDaemon_timesOutAsError() throws Exception {
    Path sock = dir.resolve("silent.sock");
    CountDownLatch release = new CountDownLatch(1);
    try (FakeClamd fake =
        new FakeClamd(
            sock,
            data -> {
              try {
                release.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return null;
            })) {
      ScanResult r = ClamdScanner.unixSocket(sock).withTimeout(Duration.ofMillis(300)).scan(file(new byte[10]));
      assertEquals(ScanResult.Verdict.ERROR, r.verdict());
      assertTrue(r.detail().contains("timed out"), r.detail());
    } finally {
      release.countDown();
    }
  }

  @Test
  void scan_noDaemon_errorAndPingFalse() throws Exception {
    ClamdScanner scanner = ClamdScanner.unixSocket(dir.resolve("absent.sock"));
    assertEquals(ScanResult.Verdict.ERROR, scanner.scan(file(new byte[10])).verdict());
    assertFalse(scanner.ping());
    ClamdScanner tcp = ClamdScanner.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
    assertEquals(ScanResult.Verdict.ERROR, tcp.scan(file(new byte[10])).verdict());
  }

  @Test
  void scan_daemonClosesMidUpload_reportsItsReply() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getInputStream().readNBytes(100);
                  s.getOutputStream().write("INSTREAM size limit exceeded. ERROR\0".getBytes(StandardCharsets.US_ASCII));
                  s.shutdownOutput();
                } catch (IOException e) {
                  // ignored
                }
              });
      t.setDaemon(true);
      t.start();
      ScanResult r =
          ClamdScanner.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))
              .withChunkSize(1024)
              .withoutLimitsProbe()
              .scan(file(new byte[8 * 1024 * 1024]));
      assertEquals(ScanResult.Verdict.ERROR, r.verdict());
    }
  }

  @Test
  void builders_validate() {
    ClamdScanner s = ClamdScanner.unixSocket(Path.of("/x.sock"));
    assertThrows(IllegalArgumentException.class, () -> s.withTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> s.withChunkSize(10));
    assertTrue(s.toString().contains("/x.sock"));
    assertThrows(NullPointerException.class, () -> ScanResult.infected(null));
    assertEquals(512, ScanResult.error("e".repeat(600)).detail().length());
  }
}
