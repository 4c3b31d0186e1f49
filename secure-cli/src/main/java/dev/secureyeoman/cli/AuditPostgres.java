package dev.secureyeoman.cli;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditKeyring;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.core.config.SecurityConfig;
import java.io.Writer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The PostgreSQL audit log of a host configured with {@code security.storage.engine: postgres} (issue 18), for {@code
 * audit verify|search|export|acknowledge-tampering --config F}.
 *
 * <ul>
 *   <li>The password comes from the environment variable named by {@code password_env}, or from {@code password} in an
 *       encrypted config; it is copied into a two-connection pool and wiped. Messages name the URL without user-info or
 *       query parameters and never the password.
 *   <li>The log is never created: a database without the audit tables is refused ({@code no audit log in …}); an
 *       unreachable server is one {@code error:} line after at most {@value #CONNECT_TIMEOUT_SECONDS} s.
 *   <li>Unlike the SQLite reader, {@code verify} on PostgreSQL is the store's own: a failed verification is recorded in
 *       the database, so every node sharing the log refuses appends until {@code acknowledge-tampering} (the same
 *       fail-closed state a node's own verification sets).
 * </ul>
 */
final class AuditPostgres {
  /** Seconds to wait for a connection before the command fails. */
  static final int CONNECT_TIMEOUT_SECONDS = 3;

  private AuditPostgres() {}

  /**
   * Opens the PostgreSQL audit log; the returned store closes its pool when closed.
   *
   * @param st the storage settings ({@code postgres})
   * @param env environment lookup
   * @param keyring the MAC keys
   * @return the store
   * @throws AuditException if the store cannot be opened
   */
  static AuditStore open(SecurityConfig.Storage st, UnaryOperator<String> env, AuditKeyring keyring)
      throws AuditException {
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
                st.url(), st.user(), password, 2, Duration.ofSeconds(CONNECT_TIMEOUT_SECONDS));
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
        AuditStore store;
        try {
          store = PostgresAuditStore.builder(pool).keyring(keyring).open();
        } catch (AuditException e) {
          throw new AuditException(
              e.reason(), "audit log on PostgreSQL at " + where + ": " + scrub(e.getMessage(), password), e);
        }
        return new Closing(store, pool);
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

  /** The store, closing its pool after it. */
  private static final class Closing implements AuditStore {
    private final AuditStore store;
    private final AuthDataSources.Pooled pool;

    Closing(AuditStore store, AuthDataSources.Pooled pool) {
      this.store = store;
      this.pool = pool;
    }

    @Override
    public AuditEntry append(AuditEvent event) throws AuditException {
      return store.append(event);
    }

    @Override
    public CompletableFuture<AuditEntry> appendAsync(AuditEvent event) {
      return store.appendAsync(event);
    }

    @Override
    public long enforceRetention(RetentionPolicy policy, VerificationProgress progress) throws AuditException {
      return store.enforceRetention(policy, progress);
    }

    @Override
    public long reclaimSpace() throws AuditException {
      return store.reclaimSpace();
    }

    @Override
    public Optional<VerificationResult> tamperingDetected() throws AuditException {
      return store.tamperingDetected();
    }

    @Override
    public AuditEntry acknowledgeTampering(String reason) throws AuditException {
      return store.acknowledgeTampering(reason);
    }

    @Override
    public boolean checkpointsConfigured() {
      return store.checkpointsConfigured();
    }

    @Override
    public Checkpoint checkpoint() throws AuditException {
      return store.checkpoint();
    }

    @Override
    public Checkpoint startCheckpoints() throws AuditException {
      return store.startCheckpoints();
    }

    @Override
    public Optional<String> logId() throws AuditException {
      return store.logId();
    }

    @Override
    public Optional<AuditEntry> head() throws AuditException {
      return store.head();
    }

    @Override
    public List<AuditEntry> query(AuditQuery query) throws AuditException {
      return store.query(query);
    }

    @Override
    public List<AuditEntry> search(String text, int limit) throws AuditException {
      return store.search(text, limit);
    }

    @Override
    public VerificationResult verify(VerifyOptions options) throws AuditException {
      return store.verify(options);
    }

    @Override
    public long exportJsonl(Writer out) throws AuditException {
      return store.exportJsonl(out);
    }

    @Override
    public void close() {
      try {
        store.close();
      } finally {
        pool.close();
      }
    }
  }
}
