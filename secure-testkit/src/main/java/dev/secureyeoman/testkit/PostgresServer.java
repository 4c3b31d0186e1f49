package dev.secureyeoman.testkit;

import dev.secureyeoman.testkit.TestkitException.Reason;
import dev.secureyeoman.testkit.internal.Cleanup;
import dev.secureyeoman.testkit.internal.Commands;
import dev.secureyeoman.testkit.internal.Options;
import dev.secureyeoman.testkit.internal.Ports;
import dev.secureyeoman.testkit.internal.PostgresTemplates;
import dev.secureyeoman.testkit.internal.RunAs;
import dev.secureyeoman.testkit.internal.ServerProcess;
import dev.secureyeoman.testkit.internal.ServerProcess.State;
import dev.secureyeoman.testkit.internal.Spawner;
import dev.secureyeoman.testkit.internal.SysvShm;
import dev.secureyeoman.testkit.internal.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A throwaway PostgreSQL server for tests, started from the installed binaries (Debian 12: package {@code postgresql},
 * PostgreSQL 15 in {@code /usr/lib/postgresql/15/bin}), listening on a free port of 127.0.0.1 and on a Unix socket in
 * its private directory.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.start();
 *     PostgresDatabase db = pg.createDatabase("audit_test");
 *     Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
 *   ...
 *   pg.kill();     // SIGKILL, as a crash would
 *   pg.restart();  // crash recovery on the same data directory and port: the JDBC URL stays valid
 * }
 * }</pre>
 *
 * <p>Test classes that only need a database share one server per JVM: {@link #shared()}, or {@link
 * PostgresExtension}, which hands each test a fresh database on it.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Runs as a non-root user (PostgreSQL refuses root): {@code postgres} when the JVM is root, else the JVM's user.
 *   <li>Dies with the JVM even if the JVM is SIGKILLed (parent-death signal); {@link #close()} and a JVM shutdown hook
 *       stop it and delete its directory; a directory left by a killed JVM is deleted by the next one.
 *   <li>{@link #restart()} keeps the port, the data directory and the password; {@link #kill()} loses no committed
 *       transaction (see "test-only settings").
 *   <li>Missing binaries fail with {@link TestkitException.Reason#MISSING_BINARY} naming the package: never a skip.
 * </ul>
 *
 * <h2>Test-only settings — never use them for data you keep</h2>
 *
 * {@code fsync=off} and {@code full_page_writes=off}, and {@code initdb --no-sync}: the server writes to the operating
 * system but never waits for the disk. A killed <em>server</em> loses nothing (the kernel still has every write, and
 * {@code synchronous_commit} stays on, so a commit that returned is in the WAL); a crash of the <em>machine</em> could
 * corrupt the cluster. {@code dynamic_shared_memory_type=mmap} keeps dynamic shared memory in the data directory, so a
 * killed server leaves nothing in {@code /dev/shm}. Authentication is {@code trust} unless a {@linkplain
 * Builder#password password} is set, then {@code scram-sha-256} over TCP (the Unix socket, used by the testkit's own
 * {@code createdb}, stays {@code trust}). Collation and character type are {@code C.UTF-8}, encoding UTF-8.
 *
 * <p>Thread-safe: life-cycle methods are synchronized.
 */
public final class PostgresServer implements TestServer {
  /** Default bin directory: Debian 12's PostgreSQL 15. */
  public static final Path DEFAULT_BIN_DIRECTORY = Path.of("/usr/lib/postgresql/15/bin");

  /** System property that overrides {@link #DEFAULT_BIN_DIRECTORY} (another distribution or major version). */
  public static final String BIN_PROPERTY = "secureyeoman.testkit.postgres.bin";

  /**
   * Whether PostgreSQL tests should run here: the binaries are installed (in {@value #BIN_PROPERTY}, else {@link
   * #DEFAULT_BIN_DIRECTORY}), or this is CI (environment variable {@code CI} set), where a missing binary must fail the
   * test ({@link TestkitException.Reason#MISSING_BINARY}) rather than skip it. A test class names it in JUnit's
   * {@code EnabledIf("dev.secureyeoman.testkit.PostgresServer#shouldRun")}, or its own condition calls it.
   *
   * @return true when the tests should run
   */
  public static boolean shouldRun() {
    return shouldRun(
        Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN_DIRECTORY.toString())), System.getenv("CI") != null);
  }

  static boolean shouldRun(Path binDirectory, boolean ci) {
    return ci || Files.isExecutable(binDirectory.resolve("postgres"));
  }

  /** The superuser of every testkit cluster. */
  public static final String USER = PostgresTemplates.SUPERUSER;

  /** The database that always exists. */
  public static final String DEFAULT_DATABASE = "postgres";

  private static final List<String> BINARIES = List.of("postgres", "initdb", "createdb", "dropdb", "psql");
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern SETTING_NAME = Pattern.compile("[a-z_][a-z0-9_.]{0,62}");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final Path binDirectory;
  private final @Nullable RunAs runAs; // null: this process's user
  private final Path directory;
  private final Path dataDirectory;
  private final @Nullable String password; // null: trust authentication
  private final boolean shared;
  private final ServerProcess process;
  private final AtomicInteger databases = new AtomicInteger();
  private final AutoCloseable atExit = this::closeNow;

  private PostgresServer(
      Builder b, Path binDirectory, Duration startTimeout, @Nullable RunAs runAs, Path directory, boolean shared) {
    this.binDirectory = binDirectory;
    this.runAs = runAs;
    this.directory = directory;
    this.dataDirectory = directory.resolve("data");
    this.password = b.password;
    this.shared = shared;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("listen_addresses", "127.0.0.1");
    settings.put("fsync", "off");
    settings.put("full_page_writes", "off");
    settings.put("dynamic_shared_memory_type", "mmap");
    settings.putAll(b.settings);
    this.process = new ServerProcess(new Spec(settings), directory, directory.resolve("postgres.log"), startTimeout);
  }

  /**
   * Starts a server with the defaults.
   *
   * @return the running server
   * @throws TestkitException if it cannot start (the reason says why)
   */
  public static PostgresServer start() {
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
   * The server shared by every test of this JVM, started on first use and stopped at JVM exit. Its {@link #stop},
   * {@link #kill}, {@link #restart} and {@link #close} throw {@link IllegalStateException}: a test that needs those
   * starts its own server. Isolate tests with {@link #createDatabase}. A failed start is remembered and rethrown,
   * so that every test fails fast with the same cause.
   *
   * @return the shared server
   */
  public static PostgresServer shared() {
    return Shared.get();
  }

  private static final class Shared {
    private static @Nullable PostgresServer instance;
    private static @Nullable TestkitException failure;

    static synchronized PostgresServer get() {
      if (instance == null && failure == null) {
        try {
          instance = builder().startShared();
        } catch (TestkitException e) {
          failure = e;
        }
      }
      if (failure != null) {
        throw new TestkitException(failure.reason(), "the shared PostgreSQL server failed to start: " + failure.getMessage(), failure);
      }
      return Objects.requireNonNull(instance, "set when the start did not fail");
    }
  }

  /**
   * The JDBC URL of the {@value #DEFAULT_DATABASE} database.
   *
   * @return {@code jdbc:postgresql://127.0.0.1:PORT/postgres}
   */
  public String jdbcUrl() {
    return jdbcUrl(DEFAULT_DATABASE);
  }

  /**
   * The JDBC URL of {@code database} (no credentials in it: pass {@link #user()} and {@link #password()}).
   *
   * @param database a database name
   * @return {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + checkName(database);
  }

  /**
   * The superuser to connect as.
   *
   * @return {@value #USER}
   */
  public String user() {
    return USER;
  }

  /**
   * The password to connect with over TCP: the one {@linkplain Builder#password configured}, else "" (trust
   * authentication accepts any).
   *
   * @return the password
   */
  public String password() {
    return password == null ? "" : password;
  }

  @Override
  public synchronized int port() {
    requireNotClosed();
    return process.port();
  }

  /** The pid of the postmaster. */
  @Override
  public synchronized long pid() {
    return process.pid();
  }

  @Override
  public synchronized boolean isRunning() {
    return process.state() == State.RUNNING;
  }

  /** The server's private directory (data directory, Unix socket, log); deleted by {@link #close()}. */
  @Override
  public Path directory() {
    return directory;
  }

  /**
   * The data directory, for tests that corrupt or inspect files.
   *
   * @return {@code directory()/data}
   */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** {@code directory()/postgres.log}. */
  @Override
  public Path logFile() {
    return directory.resolve("postgres.log");
  }

  /**
   * Creates a database owned by {@value #USER}.
   *
   * @param name a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters)
   * @return the new database; closing it drops it
   * @throws IllegalArgumentException if the name is not a plain identifier
   * @throws TestkitException {@link TestkitException.Reason#COMMAND_FAILED} if it exists or the server is down
   */
  public PostgresDatabase createDatabase(String name) {
    checkName(name);
    runClient("creating database " + name, null, "createdb", name);
    return new PostgresDatabase(this, name);
  }

  /**
   * Creates a database with a fresh name ({@code db_1}, {@code db_2}, …).
   *
   * @return the new database; closing it drops it
   */
  public PostgresDatabase createDatabase() {
    while (true) {
      String name = "db_" + databases.incrementAndGet();
      try {
        return createDatabase(name);
      } catch (TestkitException e) {
        // a test created this name by hand: take the next one (createdb's message is stable: "... already exists")
        if (!String.valueOf(e.getMessage()).contains("\"" + name + "\" already exists")) {
          throw e;
        }
      }
    }
  }

  /**
   * Drops {@code name}, disconnecting its clients ({@code DROP DATABASE … WITH (FORCE)}); a missing database is fine.
   *
   * @param name a database name
   */
  public void dropDatabase(String name) {
    checkName(name);
    runClient("dropping database " + name, null, "dropdb", "--force", "--if-exists", name);
  }

  /**
   * Whether {@code name} exists.
   *
   * @param name a database name
   * @return true if it exists
   */
  public boolean databaseExists(String name) {
    checkName(name);
    // the name is a checked identifier: safe to quote literally
    String sql = "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'";
    return runClient("listing databases", null, "psql", "-d", DEFAULT_DATABASE, "-tA", "-c", sql).trim().equals("1");
  }

  /**
   * Fast shutdown ({@code pg_ctl -m fast stop}: SIGINT to the postmaster; clients are disconnected, transactions in
   * progress roll back, a shutdown checkpoint is written). A no-op unless running.
   *
   * @throws IllegalStateException on the {@linkplain #shared() shared} server
   */
  @Override
  public synchronized void stop() {
    requireOwned("stop");
    process.stop();
  }

  /**
   * SIGKILLs the postmaster and all its children at once, as a crash of the server would (the postmaster is frozen
   * first so that it forks nothing while they are listed). {@link #restart()} then runs crash recovery. A no-op unless
   * running.
   *
   * @throws IllegalStateException on the {@linkplain #shared() shared} server
   */
  @Override
  public synchronized void kill() {
    requireOwned("kill");
    process.kill();
  }

  /**
   * Starts the server again on the same data directory and port (stopping it first if it runs). After a {@link
   * #kill()} PostgreSQL recovers from its WAL.
   *
   * @throws TestkitException {@link TestkitException.Reason#PORT_UNAVAILABLE} if another process took the port while
   *     the server was down
   * @throws IllegalStateException on the {@linkplain #shared() shared} server
   */
  @Override
  public synchronized void restart() {
    requireOwned("restart");
    process.restart();
  }

  /**
   * Stops the server if it runs, removes what a kill left (its shared-memory segment) and deletes its directory.
   * Idempotent.
   *
   * @throws IllegalStateException on the {@linkplain #shared() shared} server
   */
  @Override
  public void close() {
    requireOwned("close");
    closeNow();
  }

  private synchronized void closeNow() {
    if (process.state() == State.CLOSED) {
      return;
    }
    try {
      process.close();
    } finally {
      // a killed postmaster leaves its lock file naming a SysV segment that nobody removes
      SysvShm.postgresSegment(dataDirectory).ifPresent(SysvShm::removeIfUnused);
      WorkDirs.deleteTree(directory);
      Cleanup.unregister(atExit);
    }
  }

  @Override
  public String toString() {
    return "PostgresServer[127.0.0.1:" + process.port() + ", " + process.state() + (shared ? ", shared" : "") + "]";
  }

  private void requireOwned(String what) {
    if (shared) {
      throw new IllegalStateException(
          "cannot " + what + " the shared PostgreSQL server: other tests use it; start your own with PostgresServer.start()");
    }
  }

  private void requireNotClosed() {
    if (process.state() == State.CLOSED) {
      throw new IllegalStateException("PostgreSQL server is closed");
    }
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "database name");
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", got '" + name + "'");
    }
    return name;
  }

  /**
   * Runs a client binary as this JVM's user through the Unix socket (trusted), with the host's PG* environment
   * variables removed so that they cannot redirect it.
   */
  private String runClient(String what, @Nullable String stdin, String binary, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(binDirectory.resolve(binary).toString());
    argv.addAll(List.of("-h", directory.toString(), "-p", Integer.toString(port()), "-U", USER));
    argv.addAll(List.of(args));
    byte[] input = stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8);
    return Commands.check(
        Commands.run(argv, COMMAND_TIMEOUT, input, b -> b.environment().keySet().removeIf(k -> k.startsWith("PG"))),
        argv,
        what);
  }

  private void setPassword() {
    // sent on stdin, never in argv (visible in ps); standard_conforming_strings is on: doubling quotes is the escape
    String pw = Objects.requireNonNull(password, "called only when a password was set");
    String sql = "ALTER ROLE " + USER + " PASSWORD '" + pw.replace("'", "''") + "';\n";
    runClient("setting the password", sql, "psql", "-d", DEFAULT_DATABASE, "-v", "ON_ERROR_STOP=1", "-q", "-f", "-");
  }

  private void writeHba() {
    String method = password == null ? "trust" : "scram-sha-256";
    String hba =
        "# written by secure-testkit: the Unix socket (in a 0700 directory) trusts, TCP on loopback uses "
            + method
            + "\n"
            + "local all all trust\n"
            + "host  all all 127.0.0.1/32 "
            + method
            + "\n";
    try {
      Files.writeString(dataDirectory.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PostgreSQL's parts of the life cycle. */
  private final class Spec implements ServerProcess.Spec {
    private final Map<String, String> settings;

    Spec(Map<String, String> settings) {
      this.settings = settings;
    }

    @Override
    public String name() {
      return "PostgreSQL";
    }

    @Override
    public List<String> command(int port) {
      List<String> cmd = new ArrayList<>();
      cmd.add(binDirectory.resolve("postgres").toString());
      cmd.addAll(List.of("-D", dataDirectory.toString(), "-p", Integer.toString(port), "-k", directory.toString()));
      settings.forEach((k, v) -> cmd.addAll(List.of("-c", k + "=" + v)));
      return Spawner.argv(cmd, runAs, true);
    }

    /** Ready as pg_ctl -w sees it: postmaster.pid names this pid and its status line says "ready". */
    @Override
    public boolean ready(long pid, int port) {
      try {
        List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        return lines.size() >= 8 && lines.get(0).trim().equals(Long.toString(pid)) && lines.get(7).trim().equals("ready");
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public boolean portTaken(String log) {
      return log.contains("Address already in use");
    }

    @Override
    public void requestStop(Process postmaster) {
      // SIGINT is PostgreSQL's "fast" shutdown, what pg_ctl -m fast stop sends; SIGTERM ("smart") would wait for
      // every client (a leaked connection pool) to disconnect
      Commands.run(List.of("kill", "-INT", Long.toString(postmaster.pid())), Duration.ofSeconds(10));
    }

    @Override
    public boolean forksChildren() {
      return true;
    }
  }

  /**
   * Options for a server. Each option may be set once.
   */
  public static final class Builder {
    // null until set: build() applies the defaults
    private @Nullable Path binDirectory;
    private @Nullable Path baseDirectory;
    private @Nullable String runAs;
    private @Nullable String password;
    private @Nullable Duration startTimeout;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Ports.Allocator ports = Ports.loopback();

    private Builder() {}

    /**
     * The directory holding {@code postgres}, {@code initdb}, {@code createdb}, {@code dropdb} and {@code psql}.
     * Default: the system property {@value PostgresServer#BIN_PROPERTY}, else {@code /usr/lib/postgresql/15/bin}.
     *
     * @param directory the bin directory
     * @return this builder
     */
    public Builder binDirectory(Path directory) {
      binDirectory = Options.once(binDirectory, directory, "binDirectory");
      return this;
    }

    /**
     * Where the server's private directory is created. Default: {@code /dev/shm} if it is a tmpfs with 1 GiB free,
     * else {@code java.io.tmpdir}; the system property {@value WorkDirs#BASE_PROPERTY} overrides it.
     *
     * @param directory an existing directory the server's user can traverse
     * @return this builder
     */
    public Builder baseDirectory(Path directory) {
      baseDirectory = Options.once(baseDirectory, directory, "baseDirectory").toAbsolutePath();
      return this;
    }

    /**
     * The non-root user the server runs as when the JVM is root. Default: {@code postgres} (created by the Debian
     * package). Ignored when the JVM is not root: the server then runs as the JVM's user.
     *
     * @param user a user name
     * @return this builder
     */
    public Builder runAs(String user) {
      runAs = Options.once(runAs, user, "runAs");
      return this;
    }

    /**
     * Requires this password over TCP ({@code scram-sha-256}) instead of trusting every client.
     *
     * @param password 1 to 256 characters, no NUL
     * @return this builder
     */
    public Builder password(String password) {
      String value = Options.onceSecret(this.password, password, "password");
      if (value.isEmpty() || value.length() > 256 || value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("password must be 1 to 256 characters without NUL");
      }
      this.password = value;
      return this;
    }

    /**
     * A server setting passed as {@code -c name=value} (after the testkit's own, so it may override them).
     *
     * @param name a setting name such as {@code max_connections}
     * @param value its value
     * @return this builder
     */
    public Builder setting(String name, String value) {
      Objects.requireNonNull(name, "setting name");
      Objects.requireNonNull(value, "setting value");
      if (!SETTING_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("setting name must match " + SETTING_NAME + ", got '" + name + "'");
      }
      if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("setting " + name + ": value must not contain NUL or newline");
      }
      if (settings.containsKey(name)) {
        throw new IllegalStateException("setting " + name + " was already set to " + settings.get(name));
      }
      settings.put(name, value);
      return this;
    }

    /**
     * How long a start (or restart) may take before the server is killed and {@link TestkitException.Reason#TIMEOUT}
     * is thrown. Default: 60 s (a loaded CI machine).
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
    public PostgresServer start() {
      return start(false);
    }

    PostgresServer startShared() {
      return start(true);
    }

    private PostgresServer start(boolean shared) {
      Path bin = Options.pathOrProperty(binDirectory, BIN_PROPERTY, DEFAULT_BIN_DIRECTORY);
      binDirectory = bin;
      for (String binary : BINARIES) {
        if (!Files.isExecutable(bin.resolve(binary))) {
          throw new TestkitException(
              Reason.MISSING_BINARY,
              "PostgreSQL binary "
                  + bin.resolve(binary)
                  + " not found: install the Debian package 'postgresql' (apt-get install -y postgresql; PostgreSQL 15"
                  + " on Debian 12) or point the system property "
                  + BIN_PROPERTY
                  + " at another PostgreSQL bin directory");
        }
      }
      Duration timeout = startTimeout != null ? startTimeout : Duration.ofSeconds(60);
      startTimeout = timeout;
      Path base = baseDirectory != null ? baseDirectory : WorkDirs.defaultBase();
      RunAs user = null;
      if (RunAs.currentIsRoot()) {
        user =
            RunAs.lookUp(
                runAs == null ? "postgres" : runAs,
                "PostgreSQL refuses to run as root: install the Debian package 'postgresql' (it creates the user"
                    + " 'postgres') or choose a non-root user with PostgresServer.builder().runAs(...)");
      }
      Path dir = WorkDirs.create(base, "pg");
      try {
        if (user != null) {
          WorkDirs.checkTraversable(dir, user);
          WorkDirs.chown(dir, user);
        }
        PostgresTemplates.copyTo(bin, user, base, dir.resolve("data"), timeout.plus(COMMAND_TIMEOUT));
        PostgresServer server = new PostgresServer(this, bin, timeout, user, dir, shared);
        server.writeHba();
        Cleanup.register(server.atExit);
        try {
          server.process.start(ports);
          if (password != null) {
            server.setPassword();
          }
        } catch (RuntimeException e) {
          server.closeNow();
          throw e;
        }
        return server;
      } catch (RuntimeException e) {
        WorkDirs.deleteTree(dir);
        throw e;
      }
    }
  }
}
