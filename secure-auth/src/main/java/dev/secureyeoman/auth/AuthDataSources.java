package dev.secureyeoman.auth;

import dev.secureyeoman.core.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Factory for the {@link DataSource} of the {@link AuthService}: the default SQLite file, or a pooled PostgreSQL
 * connection ({@link #postgres}) for several nodes sharing one database. The service detects the engine from the data
 * source, so {@code AuthService.builder().dataSource(ds)} is the same call for both.
 */
public final class AuthDataSources {
  /** Default connection pool size of {@link #postgres(String, String, char[])}. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** Default wait for a pooled connection (the server is down or every connection is busy). */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** Default pool name of {@link #postgres}: HikariCP thread names and the connections' {@code application_name}. */
  public static final String DEFAULT_POOL_NAME = "secureyeoman-auth";

  private AuthDataSources() {}

  /**
   * A data source that owns a connection pool; closing it closes the pool (after the services using it are closed).
   * {@link #toString()} never shows the password.
   */
  public interface Pooled extends DataSource, AutoCloseable {
    @Override
    void close();
  }

  /**
   * Opens a HikariCP pool of PostgreSQL connections ({@value #DEFAULT_POOL_SIZE} at most, {@code
   * DEFAULT_CONNECT_TIMEOUT} wait). Needs {@code com.zaxxer:HikariCP} and {@code org.postgresql:postgresql} on the
   * class path (optional dependencies of secure-auth). The server may be down now: the pool reconnects when it is back.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
   * @param user the user
   * @param password the password (copied; wipe your array afterwards)
   * @return the pool
   * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL
   * @throws IllegalStateException if HikariCP or the PostgreSQL driver is missing
   */
  public static Pooled postgres(String jdbcUrl, String user, char[] password) {
    return postgres(jdbcUrl, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Opens a HikariCP pool of PostgreSQL connections.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
   * @param user the user
   * @param password the password (copied; wipe your array afterwards)
   * @param maxPoolSize connections at most (1..1000)
   * @param connectTimeout how long a request waits for a connection before failing with {@link AuthStorageException}
   * @return the pool
   * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL or a bound is out of range
   * @throws IllegalStateException if HikariCP or the PostgreSQL driver is missing
   */
  public static Pooled postgres(
      String jdbcUrl, String user, char[] password, int maxPoolSize, Duration connectTimeout) {
    return postgres(jdbcUrl, user, password, maxPoolSize, connectTimeout, DEFAULT_POOL_NAME);
  }

  /**
   * Opens a named HikariCP pool of PostgreSQL connections, e.g. {@code secureyeoman-audit} for a host's separate audit
   * pool, so its threads ({@code <name>:housekeeper}) and its server sessions ({@code application_name} in {@code
   * pg_stat_activity}) are told apart from the auth pool's ({@value #DEFAULT_POOL_NAME}).
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
   * @param user the user
   * @param password the password (copied; wipe your array afterwards)
   * @param maxPoolSize connections at most (1..1000)
   * @param connectTimeout how long a request waits for a connection before failing with {@link AuthStorageException}
   * @param poolName 1-63 characters {@code [A-Za-z0-9._-]}
   * @return the pool
   * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL, a bound is out of range or the name is
   *     not allowed
   * @throws IllegalStateException if HikariCP or the PostgreSQL driver is missing
   */
  public static Pooled postgres(
      String jdbcUrl, String user, char[] password, int maxPoolSize, Duration connectTimeout, String poolName) {
    Objects.requireNonNull(poolName, "poolName");
    if (!poolName.matches("[A-Za-z0-9._-]{1,63}")) {
      throw new IllegalArgumentException("poolName must be 1-63 characters [A-Za-z0-9._-]");
    }
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
    }
    if (maxPoolSize < 1 || maxPoolSize > 1000) {
      throw new IllegalArgumentException("maxPoolSize must be 1..1000, got " + maxPoolSize);
    }
    try {
      return new dev.secureyeoman.auth.internal.PostgresPool(
          jdbcUrl, user, password, maxPoolSize, connectTimeout, poolName);
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "PostgreSQL storage needs com.zaxxer:HikariCP and org.postgresql:postgresql on the class path", e);
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("driver")) {
        if (driverPresent()) {
          // the driver is there but refused the URL (e.g. port 99999); the message never repeats the URL (user-info)
          throw new IllegalArgumentException(
              "not a valid PostgreSQL JDBC URL (jdbc:postgresql://host[:port]/database, port 1..65535)");
        }
        throw new IllegalStateException("PostgreSQL storage needs org.postgresql:postgresql on the class path", e);
      }
      throw e;
    }
  }

  private static boolean driverPresent() {
    try {
      Class.forName("org.postgresql.Driver", false, AuthDataSources.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Opens (creating if needed, mode 0600 on POSIX) an SQLite database in WAL mode with {@code busy_timeout} 5 s,
   * {@code synchronous=FULL} and foreign keys on.
   *
   * @param file the database file
   * @return a data source that opens a new connection per call
   * @throws UncheckedIOException if the file cannot be created
   */
  public static DataSource sqlite(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!Files.exists(file)) {
        try {
          OwnerOnlyFiles.createFile(file);
        } catch (FileAlreadyExistsException raced) {
          // another opener created it first
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create auth database " + file, e);
    }
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setBusyTimeout(5000);
    cfg.enforceForeignKeys(true);
    SQLiteDataSource ds = new SQLiteDataSource(cfg);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    return ds;
  }
}
