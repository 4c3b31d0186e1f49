package dev.secureyeoman.integrations.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContentScanner} that streams files to a <a href="https://docs.clamav.net/manual/Usage/Scanning.html">clamd</a>
 * daemon with the {@code zINSTREAM} command: {@code zINSTREAM\0}, then chunks of a 4-byte big-endian length and data, a
 * zero-length chunk, and one NUL-terminated reply ({@code stream: OK}, {@code stream: <signature> FOUND}, or
 * {@code <message> ERROR}).
 *
 * <p>The daemon is reached over its unix socket ({@code LocalSocket} in {@code clamd.conf}) or TCP ({@code TCPSocket}).
 * Every failure — daemon down, refused connection, timeout, clamd's {@code StreamMaxLength} exceeded, an unexpected or
 * oversized reply — is reported as {@link ScanResult.Verdict#ERROR}, never as clean. Content beyond clamd's scan limits
 * is never taken for clean either: run clamd with {@code AlertExceedsMax yes} (see {@link #scan(Path)}). One connection per scan; instances
 * are immutable and thread-safe.
 */
public final class ClamdScanner implements ContentScanner {
  private static final Logger LOG = LoggerFactory.getLogger(ClamdScanner.class);
  private static final int MAX_REPLY = 4096;

  private static final String LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded";
  private static final long PROBE_VALID_NANOS = Duration.ofMinutes(10).toNanos();
  private static final int PROBE_DEPTH = 64;

  private final SocketAddress address;
  private final Duration timeout;
  private final int chunkSize;
  private final boolean probeLimits;
  /** {@link System#nanoTime()} of the last probe that showed clamd reports over-limit content; 0 = none yet. */
  private final AtomicLong limitsVerifiedAt = new AtomicLong();

  private ClamdScanner(SocketAddress address, Duration timeout, int chunkSize, boolean probeLimits) {
    this.address = address;
    this.timeout = timeout;
    this.chunkSize = chunkSize;
    this.probeLimits = probeLimits;
  }

  /**
   * A scanner talking to clamd's unix socket, with a 30 s timeout per scan and 64 KiB chunks.
   *
   * @param socket the {@code LocalSocket} path
   * @return the scanner
   */
  public static ClamdScanner unixSocket(Path socket) {
    return new ClamdScanner(UnixDomainSocketAddress.of(Objects.requireNonNull(socket, "socket")),
        Duration.ofSeconds(30), 64 * 1024, true);
  }

  /**
   * A scanner talking to clamd over TCP, with a 30 s timeout per scan and 64 KiB chunks.
   *
   * @param address the {@code TCPSocket} address (clamd's TCP port has no authentication: keep it on loopback)
   * @return the scanner
   */
  public static ClamdScanner tcp(InetSocketAddress address) {
    return new ClamdScanner(Objects.requireNonNull(address, "address"), Duration.ofSeconds(30), 64 * 1024, true);
  }

  /**
   * Returns a copy with another timeout for one whole scan (connect, upload, reply).
   *
   * @param timeout 1 ms to 10 min
   * @return the new scanner
   */
  public ClamdScanner withTimeout(Duration timeout) {
    if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("timeout must be in 1ms..PT10M, got " + timeout);
    }
    return new ClamdScanner(address, timeout, chunkSize, probeLimits);
  }

  /**
   * Returns a copy that does not check whether clamd reports content beyond its scan limits. Only for daemons whose
   * {@code MaxRecursion} is above 63 and whose other limits are known to cover every file handed to it.
   *
   * @return the new scanner
   */
  public ClamdScanner withoutLimitsProbe() {
    return new ClamdScanner(address, timeout, chunkSize, false);
  }

  /**
   * Returns a copy that sends chunks of another size.
   *
   * @param bytes 1 KiB to 1 MiB
   * @return the new scanner
   */
  public ClamdScanner withChunkSize(int bytes) {
    if (bytes < 1024 || bytes > 1024 * 1024) {
      throw new IllegalArgumentException("chunkSize must be in 1024..1048576, got " + bytes);
    }
    return new ClamdScanner(address, timeout, bytes, probeLimits);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Content beyond clamd's limits ({@code MaxRecursion}, {@code MaxFiles}, {@code MaxScanSize},
   * {@code MaxFileSize}) is not scanned, and unless clamd runs with {@code AlertExceedsMax yes} it is answered
   * {@code stream: OK}. So before scanning (again every 10 minutes) this scanner sends a probe — an archive nested
   * {@value #PROBE_DEPTH} levels deep — and unless clamd flags it {@code Heuristics.Limits.Exceeded…}, every scan is
   * {@code ERROR}. A {@code Heuristics.Limits.Exceeded…} answer for a file is {@code ERROR} as well: not scanned.
   */
  @Override
  public ScanResult scan(Path file) throws InterruptedException {
    if (probeLimits) {
      long at = limitsVerifiedAt.get();
      if (at == 0 || System.nanoTime() - at > PROBE_VALID_NANOS) {
        ScanResult probe = scanStream(() -> new java.io.ByteArrayInputStream(LimitsProbe.CONTENT));
        if (probe.verdict() == ScanResult.Verdict.ERROR && probe.detail().startsWith("clamd limit exceeded")) {
          limitsVerifiedAt.set(Math.max(1, System.nanoTime()));
        } else if (probe.verdict() == ScanResult.Verdict.ERROR) {
          return probe; // daemon down or failing: the scan would fail the same way
        } else {
          LOG.warn("clamd at {} answers {} for content beyond its scan limits: set AlertExceedsMax yes", address,
              probe.verdict());
          return ScanResult.error("clamd passes content beyond its scan limits unscanned (set AlertExceedsMax yes)");
        }
      }
    }
    return scanStream(() -> Files.newInputStream(file));
  }

  /** Opens the bytes to scan. */
  @FunctionalInterface
  private interface Source {
    InputStream open() throws IOException;
  }

  /** A small archive nested deeper than any sensible {@code MaxRecursion}: over the limit on every daemon. */
  private static final class LimitsProbe {
    static final byte[] CONTENT = build();

    private static byte[] build() {
      byte[] current = "SecureYeoman clamd limits probe".getBytes(StandardCharsets.US_ASCII);
      try {
        for (int i = 0; i < PROBE_DEPTH; i++) {
          java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
          try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(b)) {
            z.putNextEntry(new java.util.zip.ZipEntry("p" + i));
            z.write(current);
            z.closeEntry();
          }
          current = b.toByteArray();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e); // in-memory streams do not fail
      }
      return current;
    }
  }

  private ScanResult scanStream(Source source) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = open();
        Selector selector = Selector.open();
        InputStream in = source.open()) {
      connect(ch, selector, deadline);
      write(ch, selector, ByteBuffer.wrap("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII)), deadline);
      byte[] data = new byte[chunkSize];
      ByteBuffer header = ByteBuffer.allocate(4);
      try {
        int n;
        while ((n = in.readNBytes(data, 0, data.length)) > 0) {
          header.clear();
          header.putInt(n).flip();
          write(ch, selector, header, deadline);
          write(ch, selector, ByteBuffer.wrap(data, 0, n), deadline);
        }
        header.clear();
        header.putInt(0).flip();
        write(ch, selector, header, deadline);
      } catch (IOException e) {
        // clamd closes the stream early when StreamMaxLength is exceeded; its reply says so
        String reply = readReplyQuietly(ch, selector, deadline);
        return reply == null ? ScanResult.error("clamd closed the connection: " + e.getMessage()) : parse(reply);
      }
      String reply = readReply(ch, selector, deadline);
      return parse(reply);
    } catch (IOException e) {
      LOG.warn("clamd scan failed: {}", e.toString());
      return ScanResult.error("clamd unavailable: " + e.getMessage());
    } finally {
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedException("interrupted while scanning");
      }
    }
  }

  /**
   * Sends {@code zPING} and expects {@code PONG}.
   *
   * @return whether the daemon answered
   */
  public boolean ping() {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = open();
        Selector selector = Selector.open()) {
      connect(ch, selector, deadline);
      write(ch, selector, ByteBuffer.wrap("zPING\0".getBytes(StandardCharsets.US_ASCII)), deadline);
      return "PONG".equals(readReply(ch, selector, deadline));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Interprets a clamd reply.
   *
   * @param reply the reply without its terminating NUL
   * @return the verdict
   */
  static ScanResult parse(String reply) {
    String r = reply.strip();
    if (r.equals("stream: OK")) {
      return ScanResult.clean();
    }
    if (r.startsWith("stream: ") && r.endsWith(" FOUND")) {
      String signature = r.substring("stream: ".length(), r.length() - " FOUND".length()).strip();
      if (signature.startsWith(LIMITS_EXCEEDED)) {
        return ScanResult.error("clamd limit exceeded, content not scanned: " + signature);
      }
      if (!signature.isEmpty()) {
        return ScanResult.infected(signature);
      }
    }
    if (r.endsWith(" ERROR")) {
      return ScanResult.error("clamd: " + r.substring(0, r.length() - " ERROR".length()));
    }
    return ScanResult.error("unexpected clamd reply");
  }

  private SocketChannel open() throws IOException {
    SocketChannel ch =
        address instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open();
    ch.configureBlocking(false);
    return ch;
  }

  private void connect(SocketChannel ch, Selector selector, long deadline) throws IOException {
    if (ch.connect(address)) {
      return;
    }
    SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
    while (!ch.finishConnect()) {
      await(selector, deadline, "connect");
    }
    key.interestOps(0);
  }

  private static void write(SocketChannel ch, Selector selector, ByteBuffer buf, long deadline) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.write(buf) == 0) {
        interest(ch, selector, SelectionKey.OP_WRITE);
        await(selector, deadline, "upload");
      }
    }
  }

  private static String readReply(SocketChannel ch, Selector selector, long deadline) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(MAX_REPLY);
    while (true) {
      int n = ch.read(buf);
      if (n < 0) {
        throw new IOException("clamd closed the connection without a complete reply");
      }
      for (int i = 0; i < buf.position(); i++) {
        if (buf.get(i) == 0) {
          return new String(buf.array(), 0, i, StandardCharsets.US_ASCII);
        }
      }
      if (!buf.hasRemaining()) {
        throw new IOException("clamd reply too long");
      }
      if (n == 0) {
        interest(ch, selector, SelectionKey.OP_READ);
        await(selector, deadline, "reply");
      }
    }
  }

  private static @Nullable String readReplyQuietly(SocketChannel ch, Selector selector, long deadline) {
    try {
      return readReply(ch, selector, deadline);
    } catch (IOException e) {
      return null;
    }
  }

  private static void interest(SocketChannel ch, Selector selector, int ops) throws IOException {
    SelectionKey key = ch.keyFor(selector);
    if (key == null) {
      ch.register(selector, ops);
    } else {
      key.interestOps(ops);
    }
  }

  private static void await(Selector selector, long deadline, String phase) throws IOException {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0) {
      throw new IOException("clamd timed out during " + phase);
    }
    selector.select(ms);
    selector.selectedKeys().clear();
    if (Thread.currentThread().isInterrupted()) {
      throw new IOException("interrupted during " + phase);
    }
  }

  @Override
  public String toString() {
    return "ClamdScanner[" + address + ", timeout=" + timeout + "]";
  }
}
