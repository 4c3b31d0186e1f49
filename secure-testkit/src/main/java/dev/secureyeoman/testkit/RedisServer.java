package dev.secureyeoman.testkit;

import dev.secureyeoman.testkit.TestkitException.Reason;
import dev.secureyeoman.testkit.internal.Cleanup;
import dev.secureyeoman.testkit.internal.Options;
import dev.secureyeoman.testkit.internal.Ports;
import dev.secureyeoman.testkit.internal.ServerProcess;
import dev.secureyeoman.testkit.internal.ServerProcess.State;
import dev.secureyeoman.testkit.internal.Spawner;
import dev.secureyeoman.testkit.internal.WorkDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A throwaway Redis server for tests, started from the installed {@code redis-server} (Debian 12: package {@code
 * redis-server}, Redis 7.0) on a free port of 127.0.0.1, in the foreground as a child of the JVM.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *   RedisClient client = RedisClient.create(redis.uri().toString());
 *   ...
 *   redis.stop();     // clients now fail: test the fail-closed path
 *   redis.restart();  // same port: clients that reconnect recover
 * }
 * }</pre>
 *
 * <p>A server starts in milliseconds, so {@link RedisExtension} gives each test its own.
 *
 * <h2>Guarantees</h2>
 *
 * Same life cycle as {@link PostgresServer}: dies with the JVM even if the JVM is SIGKILLed, {@link #close()} (or JVM
 * exit) stops it and deletes its directory, {@link #restart()} keeps the port, missing binaries fail with {@link
 * TestkitException.Reason#MISSING_BINARY} naming the package.
 *
 * <h2>Test settings</h2>
 *
 * No RDB snapshots ({@code --save ''}); by default no AOF either, so a restart starts empty, like a cache node that was
 * replaced. With {@link Builder#appendOnly()} every write is appended and fsynced ({@code appendfsync always}) and
 * survives {@link #kill()} and {@link #restart()}. It runs as the JVM's user (Redis does not refuse root).
 *
 * <p>Thread-safe: life-cycle methods are synchronized.
 */
public final class RedisServer implements TestServer {
  /** Default binary: Debian's. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/redis-server");

  /** System property that overrides {@link #DEFAULT_BINARY}. */
  public static final String BINARY_PROPERTY = "secureyeoman.testkit.redis.server";

  // a started Redis answers PING in microseconds; a short probe keeps a start that lost its port race (someone else
  // accepts the connection and never answers) from stalling
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(250);

  private final Path binary;
  private final Path directory;
  private final @Nullable String password; // null: no AUTH
  private final boolean appendOnly;
  private final ServerProcess process;
  private final AutoCloseable atExit = this::close;

  private RedisServer(Builder b, Path binary, Duration startTimeout, Path directory) {
    this.binary = binary;
    this.directory = directory;
    this.password = b.password;
    this.appendOnly = b.appendOnly;
    this.process = new ServerProcess(new Spec(), directory, directory.resolve("redis.log"), startTimeout);
  }

  /**
   * Starts a server with the defaults.
   *
   * @return the running server
   * @throws TestkitException if it cannot start (the reason says why)
   */
  public static RedisServer start() {
    return builder().start();
  }

  /**
   * A builder for a server with non-default options.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The URI clients (Lettuce, Jedis, Bucket4j's Redis backends) connect to, with the password if one is set.
   *
   * @return {@code redis://127.0.0.1:PORT} or {@code redis://:PASSWORD@127.0.0.1:PORT}
   */
  public URI uri() {
    String auth = password == null ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
    return URI.create("redis://" + auth + "127.0.0.1:" + port());
  }

  /**
   * The host to connect to.
   *
   * @return {@code 127.0.0.1}
   */
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public synchronized int port() {
    if (process.state() == State.CLOSED) {
      throw new IllegalStateException("Redis server is closed");
    }
    return process.port();
  }

  @Override
  public synchronized long pid() {
    return process.pid();
  }

  @Override
  public synchronized boolean isRunning() {
    return process.state() == State.RUNNING;
  }

  /** The server's private directory (log, AOF); deleted by {@link #close()}. */
  @Override
  public Path directory() {
    return directory;
  }

  /** {@code directory()/redis.log}. */
  @Override
  public Path logFile() {
    return directory.resolve("redis.log");
  }

  /** Clean shutdown: SIGTERM (Redis closes its clients and, with AOF, fsyncs). A no-op unless running. */
  @Override
  public synchronized void stop() {
    process.stop();
  }

  @Override
  public synchronized void kill() {
    process.kill();
  }

  @Override
  public synchronized void restart() {
    process.restart();
  }

  @Override
  public synchronized void close() {
    if (process.state() == State.CLOSED) {
      return;
    }
    try {
      process.close();
    } finally {
      WorkDirs.deleteTree(directory);
      Cleanup.unregister(atExit);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[127.0.0.1:" + process.port() + ", " + process.state() + "]";
  }

  /**
   * Sends {@code PING} (after {@code AUTH} when a password is set) in RESP and reads the replies: ready once the last
   * one is {@code +PONG} (a server still loading its AOF answers {@code -LOADING}).
   */
  private boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) PROBE_TIMEOUT.toMillis());
      socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      int replies = 1;
      if (password != null) {
        out.write(resp("AUTH", password));
        replies = 2;
      }
      out.write(resp("PING"));
      out.flush();
      InputStream in = socket.getInputStream();
      String last = "";
      for (int i = 0; i < replies; i++) {
        last = readLine(in);
      }
      return last.equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] resp(String... words) {
    StringBuilder sb = new StringBuilder("*").append(words.length).append("\r\n");
    for (String w : words) {
      byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(bytes.length).append("\r\n").append(w).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /** Redis's parts of the life cycle. */
  private final class Spec implements ServerProcess.Spec {
    @Override
    public String name() {
      return "Redis";
    }

    @Override
    public List<String> command(int port) {
      List<String> cmd = new ArrayList<>();
      cmd.add(binary.toString());
      if (password != null) {
        // the configuration file (first argument, as redis-server requires) keeps the password out of argv (ps)
        cmd.add(directory.resolve("redis.conf").toString());
      }
      cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", ""));
      cmd.addAll(List.of("--daemonize", "no", "--dir", directory.toString(), "--logfile", ""));
      if (appendOnly) {
        cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
      } else {
        cmd.addAll(List.of("--appendonly", "no"));
      }
      return Spawner.argv(cmd, null, true);
    }

    @Override
    public boolean ready(long pid, int port) {
      return answersPing(port);
    }

    @Override
    public boolean portTaken(String log) {
      return log.contains("Address already in use");
    }

    @Override
    public void requestStop(Process server) {
      server.destroy();
    }

    @Override
    public boolean forksChildren() {
      return false;
    }
  }

  /** Options for a server. Each option may be set once. */
  public static final class Builder {
    // null until set: build() applies the defaults
    private @Nullable Path binary;
    private @Nullable String password;
    private boolean appendOnly;
    private @Nullable Path baseDirectory;
    private @Nullable Duration startTimeout;
    private Ports.Allocator ports = Ports.loopback();

    private Builder() {}

    /**
     * The {@code redis-server} binary. Default: the system property {@value RedisServer#BINARY_PROPERTY}, else
     * {@code /usr/bin/redis-server}.
     *
     * @param redisServer the binary
     * @return this builder
     */
    public Builder binary(Path redisServer) {
      binary = Options.once(binary, redisServer, "binary");
      return this;
    }

    /**
     * Requires this password ({@code requirepass}); {@link RedisServer#uri()} then carries it.
     *
     * @param password 1 to 256 printable ASCII characters without spaces or quotes
     * @return this builder
     */
    public Builder password(String password) {
      String value = Options.onceSecret(this.password, password, "password");
      if (!value.matches("[!#-&(-~&&[^\\\\]]{1,256}")) {
        throw new IllegalArgumentException(
            "password must be 1 to 256 printable ASCII characters without spaces, quotes or backslashes");
      }
      this.password = value;
      return this;
    }

    /**
     * Keeps data across {@link RedisServer#kill()} and {@link RedisServer#restart()}: append-only file, fsynced on
     * every write.
     *
     * @return this builder
     */
    public Builder appendOnly() {
      if (appendOnly) {
        throw new IllegalStateException("appendOnly was already set");
      }
      appendOnly = true;
      return this;
    }

    /**
     * Where the server's private directory is created (default as for {@link PostgresServer.Builder#baseDirectory}).
     *
     * @param directory an existing directory
     * @return this builder
     */
    public Builder baseDirectory(Path directory) {
      baseDirectory = Options.once(baseDirectory, directory, "baseDirectory").toAbsolutePath();
      return this;
    }

    /**
     * How long a start may take. Default: 30 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startTimeout(Duration timeout) {
      startTimeout = Options.once(startTimeout, Options.positive(timeout, "startTimeout"), "startTimeout");
      return this;
    }

    /** For tests of the port race: where candidate ports come from. */
    Builder ports(Ports.Allocator allocator) {
      ports = Objects.requireNonNull(allocator, "ports");
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws TestkitException if it cannot start (the reason says why)
     */
    public RedisServer start() {
      Path bin = Options.pathOrProperty(binary, BINARY_PROPERTY, DEFAULT_BINARY);
      binary = bin;
      if (!Files.isExecutable(bin)) {
        throw new TestkitException(
            Reason.MISSING_BINARY,
            "redis-server not found at "
                + bin
                + ": install the Debian package 'redis-server' (apt-get install -y redis-server) or point the system"
                + " property "
                + BINARY_PROPERTY
                + " at another binary");
      }
      Duration timeout = startTimeout != null ? startTimeout : Duration.ofSeconds(30);
      startTimeout = timeout;
      Path dir = WorkDirs.create(baseDirectory != null ? baseDirectory : WorkDirs.defaultBase(), "redis");
      try {
        if (password != null) {
          Files.writeString(dir.resolve("redis.conf"), "requirepass \"" + password + "\"\n", StandardCharsets.UTF_8);
        }
        RedisServer server = new RedisServer(this, bin, timeout, dir);
        Cleanup.register(server.atExit);
        try {
          server.process.start(ports);
        } catch (RuntimeException e) {
          server.close();
          throw e;
        }
        return server;
      } catch (IOException e) {
        WorkDirs.deleteTree(dir);
        throw new TestkitException(Reason.START_FAILED, "could not write the Redis configuration: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        WorkDirs.deleteTree(dir);
        throw e;
      }
    }
  }
}
