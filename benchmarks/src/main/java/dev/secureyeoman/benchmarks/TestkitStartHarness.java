package dev.secureyeoman.benchmarks;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import dev.secureyeoman.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Question: what does a test pay for a real PostgreSQL or Redis with secure-testkit, against the raw recipe of
 * {@code TOOLING.md} (initdb + {@code pg_ctl -w start}; {@code redis-server --daemonize yes}) in the same run, and what
 * do the test-only settings ({@code fsync=off}, data directory on tmpfs, one initdb per JVM) buy?
 *
 * <p>Variants run interleaved (one of each per round) so load drifts hit them alike; medians with p10–p90 are printed,
 * in milliseconds. Only what a test waits for is timed (a start until the server answers, a restart, a database
 * creation, a batch of inserts); stopping and deleting are not. Must run as root (the raw recipe uses {@code runuser}).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.TestkitStartHarness 10}
 */
public final class TestkitStartHarness {
  private static final Path PG_BIN = PostgresServer.DEFAULT_BIN_DIRECTORY;
  private static final int INSERTS = 500;

  private TestkitStartHarness() {}

  /**
   * Runs the harness.
   *
   * @param args optional number of rounds (default 10)
   * @throws Exception when a server fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long cold = System.nanoTime();
    PostgresServer.start().close(); // the one initdb of this JVM (template)
    System.out.printf("testkit first start in a JVM (initdb of the template + start): %.0f ms%n", (System.nanoTime() - cold) / 1e6);

    Map<String, List<Long>> t = new LinkedHashMap<>();
    try (PostgresServer shm = PostgresServer.start();
        PostgresServer diskFsyncOff = PostgresServer.builder().baseDirectory(tmp).start();
        PostgresServer diskFsyncOn =
            PostgresServer.builder().baseDirectory(tmp).setting("fsync", "on").setting("full_page_writes", "on").start();
        PostgresServer restarted = PostgresServer.start()) {
      for (int i = 0; i < rounds + 1; i++) { // round 0 warms up and is dropped
        boolean keep = i > 0;
        time(t, keep, "pg raw recipe (initdb + pg_ctl -w start, /tmp)", () -> rawRecipe(tmp));
        time(t, keep, "pg testkit start (default base /dev/shm)", PostgresServer::start);
        time(t, keep, "pg testkit start (base /tmp)", () -> PostgresServer.builder().baseDirectory(tmp).start());
        time(t, keep, "pg testkit start (fsync on, /dev/shm)", () -> PostgresServer.builder().setting("fsync", "on").start());
        time(t, keep, "pg testkit restart (/dev/shm)", () -> {
          restarted.restart();
          return () -> {};
        });
        time(t, keep, "pg createDatabase (per test)", shm::createDatabase);
        time(t, keep, "createDatabase + " + INSERTS + " autocommit INSERTs, /dev/shm", () -> inserts(shm));
        time(t, keep, "createDatabase + " + INSERTS + " autocommit INSERTs, /tmp, fsync off", () -> inserts(diskFsyncOff));
        time(t, keep, "createDatabase + " + INSERTS + " autocommit INSERTs, /tmp, fsync on", () -> inserts(diskFsyncOn));
        time(t, keep, "redis raw (--daemonize yes + PING)", () -> rawRedis(tmp));
        time(t, keep, "redis testkit start", RedisServer::start);
      }
    }
    t.forEach(
        (name, samples) -> {
          long[] v = samples.stream().mapToLong(Long::longValue).toArray();
          Arrays.sort(v);
          System.out.printf(
              "%-48s median %8.1f ms  p10 %8.1f  p90 %8.1f%n",
              name, v[v.length / 2] / 1e6, v[v.length / 10] / 1e6, v[v.length * 9 / 10] / 1e6);
        });
  }

  /** A timed step; what it returns tears it down, untimed. */
  @FunctionalInterface
  private interface Step {
    AutoCloseable run() throws Exception;
  }

  private static void time(Map<String, List<Long>> t, boolean keep, String name, Step step) throws Exception {
    long s = System.nanoTime();
    AutoCloseable teardown = step.run();
    long d = System.nanoTime() - s;
    teardown.close();
    if (keep) {
      t.computeIfAbsent(name, k -> new ArrayList<>()).add(d);
    }
  }

  private static AutoCloseable inserts(PostgresServer pg) throws Exception {
    PostgresDatabase db = pg.createDatabase();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      c.createStatement().execute("CREATE TABLE t (v int)");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO t VALUES (?)")) {
        for (int i = 0; i < INSERTS; i++) {
          p.setInt(1, i);
          p.executeUpdate();
        }
      }
    }
    return db;
  }

  /** TOOLING.md's recipe, verbatim; only the start is what a test would wait for, but initdb is part of it. */
  private static AutoCloseable rawRecipe(Path tmp) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "raw-pg-");
    AutoCloseable teardown =
        () -> {
          runQuietly("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", dir + "/data",
              "-m", "fast", "-w", "stop");
          runQuietly("rm", "-rf", dir.toString());
        };
    try {
      run("chown", "postgres:postgres", dir.toString());
      run("runuser", "-u", "postgres", "--", PG_BIN.resolve("initdb").toString(), "-D", dir + "/data", "-A", "trust",
          "-U", "test");
      run("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", dir + "/data",
          "-o", "-p " + freePort() + " -k " + dir + " -c listen_addresses=127.0.0.1", "-l", dir + "/log", "-w", "start");
      return teardown;
    } catch (Exception e) {
      teardown.close();
      throw e;
    }
  }

  private static AutoCloseable rawRedis(Path tmp) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "raw-redis-");
    AutoCloseable teardown =
        () -> {
          Path pid = dir.resolve("pid");
          if (Files.exists(pid)) {
            long p = Long.parseLong(Files.readString(pid).trim());
            runQuietly("kill", Long.toString(p));
            ProcessHandle.of(p).ifPresent(h -> h.onExit().join());
          }
          runQuietly("rm", "-rf", dir.toString());
        };
    int port = freePort();
    run("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--daemonize", "yes",
        "--pidfile", dir + "/pid", "--dir", dir.toString(), "--logfile", dir + "/log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ping(port)) {
      if (System.nanoTime() > deadline) {
        teardown.close();
        throw new IllegalStateException("redis did not answer");
      }
      Thread.sleep(1);
    }
    return teardown;
  }

  private static boolean ping(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(5);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }

  private static void runQuietly(String... cmd) {
    try {
      run(cmd);
    } catch (Exception e) {
      // cleanup of a failed variant: the failure itself was reported
    }
  }
}
