package dev.secureyeoman.cli;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditKeyring;
import dev.secureyeoman.audit.AuditReader;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.core.config.SecurityConfig;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The PostgreSQL audit log of a host configured with {@code security.storage.engine: postgres} (issue 18), for {@code
 * audit verify|search|export|acknowledge-tampering --config F}.
 *
 * <ul>
 *   <li>The password comes from the environment variable named by {@code password_env}, or from {@code password} in an
 *       encrypted config; it is copied into a two-connection pool named {@value #POOL_NAME} and wiped. Messages name
 *       the URL without user-info or query parameters and never the password.
 *   <li>The log is never created: a database without the audit tables is refused ({@code no audit log in …}); an
 *       unreachable server is one {@code error:} line after at most {@value #CONNECT_TIMEOUT_SECONDS} s.
 *   <li>{@code search}, {@code export} and {@code verify} read through {@link PostgresAuditStore.Builder#openReadOnly()}
 *       ({@link #openReader}): no DDL, no {@code audit.key_rotated} entry, nothing recorded; a role with {@code SELECT}
 *       on {@code audit_log} and {@code audit_meta} is enough.
 *   <li>Only when that verification <em>fails</em> does {@code verify} (without {@code --read-only}) open the writable
 *       store ({@link #openStore}) and verify again, so that the failure is recorded in the database and every node
 *       sharing the log refuses appends until {@code acknowledge-tampering} (the same fail-closed state a node's own
 *       verification sets). Recording needs the writable store because only it writes the tamper record — so only a
 *       role with {@code INSERT, UPDATE, DELETE} on {@code audit_log} and {@code audit_meta} records (opening an
 *       existing log runs no DDL); with any other role the failure is reported, exit 1, and the message says it was
 *       not recorded. The writable store is opened with the head's key id active, so this never
 *       appends an {@code audit.key_rotated} entry. {@code acknowledge-tampering} always uses the writable store.
 * </ul>
 */
final class AuditPostgres {
  /** Seconds to wait for a connection before the command fails. */
  static final int CONNECT_TIMEOUT_SECONDS = 3;

  /** HikariCP pool name of the CLI's connections (thread names, {@code application_name} on the server). */
  static final String POOL_NAME = "secureyeoman-cli";

  private AuditPostgres() {}

  /**
   * An open log and the pool it reads through; closing it closes the log, then the pool.
   *
   * @param <T> {@link AuditReader} or {@link AuditStore}
   * @param log the reader or store
   * @param pool its pool (null for a SQLite file)
   */
  record Opened<T extends AuditReader>(T log, AuthDataSources.Pooled pool) implements AutoCloseable {
    @Override
    public void close() {
      try {
        log.close();
      } finally {
        if (pool != null) {
          pool.close();
        }
      }
    }
  }

  /** How a log is opened on a checked pool. */
  @FunctionalInterface
  private interface Opener<T extends AuditReader> {
    T open(PostgresAuditStore.Builder builder) throws AuditException;
  }

  /**
   * Opens the PostgreSQL audit log read-only: nothing is created, recorded or appended.
   *
   * @param st the storage settings ({@code postgres})
   * @param env environment lookup
   * @param keyring the MAC keys
   * @return the reader and its pool
   * @throws AuditException if the log cannot be opened
   */
  static Opened<AuditReader> openReader(SecurityConfig.Storage st, UnaryOperator<String> env, AuditKeyring keyring)
      throws AuditException {
    return open(st, env, b -> b.keyring(keyring).openReadOnly());
  }

  /**
   * Opens the writable PostgreSQL audit log ({@code acknowledge-tampering}, recording a failed {@code verify}).
   *
   * @param st the storage settings ({@code postgres})
   * @param env environment lookup
   * @param keyring the MAC keys
   * @return the store and its pool
   * @throws AuditException if the store cannot be opened
   */
  static Opened<AuditStore> openStore(SecurityConfig.Storage st, UnaryOperator<String> env, AuditKeyring keyring)
      throws AuditException {
    return openStore(st, env, keyring, null, null);
  }

  /**
   * Opens the writable PostgreSQL audit log with a node's checkpoint file ({@code acknowledge-tampering --checkpoint}),
   * so that breaks visible only against those checkpoints (a truncation) are seen and covered.
   *
   * @param st the storage settings ({@code postgres})
   * @param env environment lookup
   * @param keyring the MAC keys
   * @param checkpoints the node's checkpoints, or null for none
   * @param checkpointKeys the keys that signed them (null exactly when {@code checkpoints} is)
   * @return the store and its pool
   * @throws AuditException if the store cannot be opened
   */
  static Opened<AuditStore> openStore(
      SecurityConfig.Storage st,
      UnaryOperator<String> env,
      AuditKeyring keyring,
      @org.jspecify.annotations.Nullable CheckpointSink checkpoints,
      @org.jspecify.annotations.Nullable KeyPair checkpointKeys)
      throws AuditException {
    return open(
        st,
        env,
        b -> {
          b.keyring(keyring);
          if (checkpoints != null && checkpointKeys != null) {
            b.checkpoints(checkpoints, checkpointKeys);
          }
          return b.open();
        });
  }

  private static <T extends AuditReader> Opened<T> open(
      SecurityConfig.Storage st, UnaryOperator<String> env, Opener<T> opener) throws AuditException {
    String where = redactUrl(st.url());
    char[] password;
    try {
      password = st.resolvePassword(env::apply);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    try {
      AuthDataSources.Pooled pool;
      try {
        pool =
            AuthDataSources.postgres(
                st.url(), st.user(), password, 2, Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS), POOL_NAME);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalStateException("security.storage: " + e.getMessage());
      }
      try {
        try (Connection c = pool.getConnection();
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT to_regclass('audit_log') IS NOT NULL AND to_regclass('audit_meta') IS NOT NULL")) {
          if (!rs.next() || !rs.getBoolean(1)) {
            throw new IllegalStateException(
                "no audit log in the PostgreSQL database at " + where + " (nothing has been audited there yet)");
          }
        } catch (SQLException e) {
          throw new IllegalStateException("PostgreSQL at " + where + " unreachable: " + reason(e, password));
        }
        try {
          return new Opened<>(opener.open(PostgresAuditStore.builder(pool)), pool);
        } catch (AuditException e) {
          throw new AuditException(
              e.reason(), "audit log on PostgreSQL at " + where + ": " + scrub(e.getMessage(), password), e);
        }
      } catch (AuditException | RuntimeException e) {
        pool.close();
        throw e;
      }
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** The driver's own reason (e.g. "Connection to 127.0.0.1:5432 refused"), not the pool's timeout wrapper. */
  private static String reason(SQLException e, char[] password) {
    Throwable t = e;
    while (t.getCause() instanceof SQLException && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return scrub(m, password);
  }

  /** Removes the password should a driver ever echo it. */
  static String scrub(String message, char[] password) {
    String m = message == null ? "" : message;
    if (password.length >= 1) {
      m = m.replace(new String(password), "(password)");
    }
    return m;
  }

  /**
   * A JDBC URL without user-info ({@code user:password@}) or query parameters ({@code ?password=…}).
   *
   * @param url the URL
   * @return {@code jdbc:postgresql://host:port/database}
   */
  static String redactUrl(String url) {
    return SecurityConfig.Storage.redactUrl(url);
  }
}
