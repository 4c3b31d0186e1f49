package dev.secureyeoman.integrations.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a throwaway clamd (Debian {@code clamav-daemon}) on a unix socket with a signature database written here: one
 * {@code .hdb} line, {@code md5:size:name}, for a file the test generates. No internet and no freshclam are needed.
 */
final class ClamdProcess implements AutoCloseable {
  static final String SIGNATURE = "SecureYeoman.Test";
  static final Path CLAMD = Path.of("/usr/sbin/clamd");

  private final Path dir;
  private final Process process;
  private final Path socket;

  private ClamdProcess(Path dir, Process process, Path socket) {
    this.dir = dir;
    this.process = process;
    this.socket = socket;
  }

  /**
   * Starts clamd.
   *
   * @param dir a fresh directory (short path: unix socket paths are limited to 107 bytes)
   * @param infected the content that the signature database flags
   * @param streamMaxLength clamd's {@code StreamMaxLength}, e.g. {@code 1M}
   * @return the running daemon, or throws with the reason it could not start
   */
  static ClamdProcess start(Path dir, byte[] infected, String streamMaxLength) throws IOException, InterruptedException {
    return start(dir, infected, streamMaxLength, "AlertExceedsMax yes\n"); // over-limit content reported, not "OK"
  }

  /**
   * Starts clamd with extra configuration lines.
   *
   * @param dir a fresh directory
   * @param infected the content that the signature database flags
   * @param streamMaxLength clamd's {@code StreamMaxLength}
   * @param extraConfig more {@code clamd.conf} lines, each ending in a newline
   * @return the running daemon
   */
  static ClamdProcess start(Path dir, byte[] infected, String streamMaxLength, String extraConfig)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(CLAMD)) {
      throw new IOException(CLAMD + " is missing: install the Debian package clamav-daemon (.ci/run does)");
    }
    Path db = Files.createDirectories(dir.resolve("db"));
    String md5;
    try {
      md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(infected));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
    Files.writeString(db.resolve("secureyeoman-test.hdb"), md5 + ":" + infected.length + ":" + SIGNATURE + "\n");
    Path socket = dir.resolve("clamd.sock");
    Path conf = dir.resolve("clamd.conf");
    StringBuilder c = new StringBuilder();
    c.append("DatabaseDirectory ").append(db).append('\n');
    c.append("LocalSocket ").append(socket).append('\n');
    c.append("Foreground yes\n");
    c.append("PidFile ").append(dir.resolve("clamd.pid")).append('\n');
    c.append("LogFile ").append(dir.resolve("clamd.log")).append('\n');
    c.append("StreamMaxLength ").append(streamMaxLength).append('\n');
    if ("root".equals(System.getProperty("user.name"))) {
      c.append("User root\n");
    }
    c.append(extraConfig);
    Files.writeString(conf, c.toString(), StandardCharsets.US_ASCII);
    Process p =
        new ProcessBuilder(List.of(CLAMD.toString(), "-c", conf.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("clamd.out").toFile())
            .start();
    ClamdProcess clamd = new ClamdProcess(dir, p, socket);
    ClamdScanner probe = ClamdScanner.unixSocket(socket).withTimeout(java.time.Duration.ofSeconds(2));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("clamd exited with " + p.exitValue() + ": " + clamd.log());
      }
      if (Files.exists(socket) && probe.ping()) {
        return clamd;
      }
      p.waitFor(100, TimeUnit.MILLISECONDS); // bounded wait for the daemon to load its database
    }
    clamd.close();
    throw new IOException("clamd did not answer PING within 60 s: " + clamd.log());
  }

  Path socket() {
    return socket;
  }

  String log() {
    try {
      String out = Files.exists(dir.resolve("clamd.out")) ? Files.readString(dir.resolve("clamd.out")) : "";
      return out.length() > 2000 ? out.substring(out.length() - 2000) : out;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the daemon (SIGTERM, then SIGKILL) and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
