package dev.secureyeoman.auth.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.core.config.SecurityConfig;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * A HikariCP pool of PostgreSQL connections behind {@link AuthDataSources.Pooled}, so HikariCP types stay out of the
 * public API (HikariCP and the driver are optional dependencies: this class loads only when a host asks for PostgreSQL).
 *
 * <p>Settings: at most {@code maxPoolSize} connections; waiting for one (the server is down) fails after {@code
 * connectTimeout} with an {@link SQLException} (the service turns it into {@code AuthStorageException}); the pool is
 * created even while the server is down (the first use reports it), and broken connections are evicted, so a
 * restarted server is used again without manual steps. Every connection sets {@code lock_timeout} so a writer never
 * waits forever for the write lock, and a socket timeout above it so a request never waits forever for a server that
 * stopped answering without closing the connection.
 */
public final class PostgresPool implements AuthDataSources.Pooled {
  /** {@code lock_timeout} of every connection: how long a writer waits for the write lock at most. */
  static final int LOCK_TIMEOUT_SECONDS = 10;

  /** How long a read on a connection waits for the server at most (driver {@code socketTimeout}). */
  static final int SOCKET_TIMEOUT_SECONDS = LOCK_TIMEOUT_SECONDS + 5;

  private final HikariDataSource pool;
  private final String description;

  /**
   * Opens the pool.
   *
   * @param jdbcUrl {@code jdbc:postgresql://host:port/db}
   * @param user the user
   * @param password the password (copied; the caller may wipe its array)
   * @param maxPoolSize connections at most
   * @param connectTimeout how long to wait for a connection
   * @param poolName the pool's name (thread names, the connections' {@code application_name})
   */
  public PostgresPool(
      String jdbcUrl, String user, char[] password, int maxPoolSize, Duration connectTimeout, String poolName) {
    HikariConfig cfg = new HikariConfig();
    cfg.setPoolName(poolName);
    cfg.setJdbcUrl(jdbcUrl);
    cfg.setUsername(user);
    cfg.setPassword(new String(password));
    cfg.setMaximumPoolSize(maxPoolSize);
    cfg.setMinimumIdle(Math.min(2, maxPoolSize));
    cfg.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
    cfg.setValidationTimeout(Math.max(250, Math.min(connectTimeout.toMillis(), 5000)));
    cfg.setInitializationFailTimeout(-1); // start even while the server is down; use reports it
    cfg.setConnectionInitSql("SET lock_timeout = '" + LOCK_TIMEOUT_SECONDS + "s'");
    // a server that stops answering without closing the connection (hung host, packets dropped) must fail a request
    // too: without a socket timeout a read on a pooled connection waits forever (and the revocation poll holds its
    // lock meanwhile, so every request of the node waits behind it). Above lock_timeout: a writer may wait that long
    // for the write lock legitimately.
    cfg.addDataSourceProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
    cfg.addDataSourceProperty(
        "loginTimeout", Long.toString(Math.max(1, Math.min(SOCKET_TIMEOUT_SECONDS, connectTimeout.toSeconds()))));
    cfg.addDataSourceProperty("tcpKeepAlive", "true");
    cfg.addDataSourceProperty("ApplicationName", poolName); // pg_stat_activity tells the pools apart
    cfg.setAutoCommit(true);
    this.pool = new HikariDataSource(cfg);
    this.description =
        "PostgreSQL pool " + poolName + "[" + redacted(jdbcUrl) + ", user " + user + ", max " + maxPoolSize + "]";
  }

  /**
   * The URL without what may carry a secret: the parameters ({@code ?password=…}, {@code sslpassword=…}, which the
   * driver honours) and any {@code user:password@} before the host.
   *
   * @param jdbcUrl the URL as configured
   * @return {@code jdbc:postgresql://host:port/db}, with {@code ?…} when parameters were dropped
   */
  static String redacted(String jdbcUrl) {
    return SecurityConfig.Storage.redactUrl(jdbcUrl);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the auth pool connects with its configured user");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return description; // never the password
  }
}
