package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditMaintenance;
import dev.secureyeoman.audit.AuditMaintenanceSettings;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.MaintenanceReport;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's storage from {@code security.storage} (issue 18, docs/scale-out.md): where the audit log and the auth
 * database live, and how the audit log is maintained.
 *
 * <ul>
 *   <li>{@code sqlite} (default): the audit log in {@code security.audit.db_path} under the data directory (signed
 *       checkpoints, retention, incremental start-up verification) and {@code auth.db} next to it. Nothing to install.
 *   <li>{@code postgres}: the auth service and {@link PostgresAuditStore} on the same database, so every node appends to
 *       one audit chain. Each gets <b>its own pool</b>: the auth pool (10 connections) and a small audit pool ({@value
 *       #AUDIT_POOL_SIZE}: the group-commit writer, a verification, a health read). A shared pool could deadlock: an
 *       auth transaction holds its connection while it records its audit events, and the audit writer then needs
 *       another one; with every auth connection busy in such a transaction, the writer would wait for a connection that
 *       only its own commit frees (until the 3 s timeout fails them all). Maintenance is the same as on SQLite
 *       (verification, retention, a signed checkpoint per run). Each node signs checkpoints into its own file,
 *       {@code security.audit.checkpoint_path} under its data directory (an absolute path on shared storage gives the
 *       nodes one file); a node whose file is empty while the log already has entries (a node joining the cluster)
 *       starts it with {@link AuditStore#startCheckpoints()} after a chain verification, before anything else.
 * </ul>
 *
 * <p>Secrets: the database password is read once (from {@code password_env} or the encrypted config), copied into the
 * pools and wiped; {@link #describe()} and every message use the URL without a user-info part or query parameters.
 */
public final class GatewayStorage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayStorage.class);

  /** Connections of the PostgreSQL audit pool (writer, one verification, one health or query read, one spare). */
  public static final int AUDIT_POOL_SIZE = 4;

  /** How long the audit writer or a read waits for a PostgreSQL connection before the request fails (503). */
  public static final Duration AUDIT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** Name of the audit pool (threads, {@code application_name}); the auth pool keeps {@code secureyeoman-auth}. */
  public static final String AUDIT_POOL_NAME = "secureyeoman-audit";

  /** Attempts to open the PostgreSQL audit store at start, each bounded by {@link #AUDIT_CONNECT_TIMEOUT}. */
  static final int OPEN_ATTEMPTS = 3;

  private final SecurityConfig.Storage.Engine engine;
  private final AuditStore audit;
  private final DataSource authData;
  private final AuthDataSources.Pooled authPool;
  private final AuthDataSources.Pooled auditPool;
  private final String description;

  private GatewayStorage(
      SecurityConfig.Storage.Engine engine,
      AuditStore audit,
      DataSource authData,
      AuthDataSources.Pooled authPool,
      AuthDataSources.Pooled auditPool,
      String description) {
    this.engine = engine;
    this.audit = audit;
    this.authData = authData;
    this.authPool = authPool;
    this.auditPool = auditPool;
    this.description = description;
  }

  /**
   * Opens the audit store and the auth data source of {@code config.storage()}.
   *
   * @param config the gateway's configuration
   * @param dataDir the data directory (SQLite files are resolved against it)
   * @param env environment lookup (the PostgreSQL password variable)
   * @param auditKey the audit MAC key (copied by the store)
   * @param clock the clock that stamps new PostgreSQL audit entries
   * @return the storage; close it after the auth service
   * @throws AuditException if the audit store cannot be opened (PostgreSQL unreachable: {@code STORAGE})
   * @throws IllegalStateException if the password variable is unset or the driver is missing (message without secrets)
   * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL
   */
  public static GatewayStorage open(
      SecurityConfig config, Path dataDir, Function<String, String> env, SecretBytes auditKey, Clock clock)
      throws AuditException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(auditKey, "auditKey");
    Objects.requireNonNull(clock, "clock");
    SecurityConfig.Storage storage = config.storage();
    if (storage.engine() == SecurityConfig.Storage.Engine.SQLITE) {
      AuditStore audit =
          SqliteAuditStore.open(
              AuditStoreOptions.builder(config.audit(), dataDir, auditKey, CheckpointKeys.deriveFromAuditKey(auditKey))
                  .build());
      return new GatewayStorage(
          storage.engine(), audit, AuthDataSources.sqlite(dataDir.resolve("auth.db")), null, null, "SQLite in "
              + dataDir);
    }
    String safeUrl = redactUrl(storage.url());
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    char[] password = storage.resolvePassword(env);
    try {
      AuthDataSources.Pooled authPool;
      AuthDataSources.Pooled auditPool;
      try {
        authPool = AuthDataSources.postgres(storage.url(), storage.user(), password);
        opened.push(authPool);
        auditPool =
            AuthDataSources.postgres(
                storage.url(), storage.user(), password, AUDIT_POOL_SIZE, AUDIT_CONNECT_TIMEOUT, AUDIT_POOL_NAME);
        opened.push(auditPool);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalStateException("security.storage: " + e.getMessage(), e);
      }
      Path checkpointFile = dataDir.resolve(config.audit().checkpointPath());
      CheckpointSink sink = CheckpointSinks.appendOnlyFile(checkpointFile);
      AuditStore audit = null;
      for (int attempt = 1; audit == null; attempt++) {
        try {
          audit =
              PostgresAuditStore.builder(auditPool)
                  .macKey(auditKey)
                  .clock(clock)
                  .checkpoints(sink, CheckpointKeys.deriveFromAuditKey(auditKey))
                  .open();
        } catch (AuditException e) {
          if (e.reason() != AuditException.Reason.STORAGE || attempt >= OPEN_ATTEMPTS) {
            throw new AuditException(
                e.reason(), "audit log on PostgreSQL at " + safeUrl + " unavailable: " + e.getMessage(), e);
          }
          // nodes starting together on a loaded host can wait longer than one connect timeout for their first
          // connection; a server that is really down fails after OPEN_ATTEMPTS waits
          LOG.warn(
              "audit log on PostgreSQL at {} not reachable yet (attempt {}/{}): {}",
              safeUrl, attempt, OPEN_ATTEMPTS, e.getMessage());
        }
      }
      opened.push(audit);
      joinCheckpoints(audit, sink, checkpointFile);
      opened.clear();
      String description = "PostgreSQL at " + safeUrl + " as " + storage.user();
      return new GatewayStorage(storage.engine(), audit, authPool, authPool, auditPool, description);
    } finally {
      Arrays.fill(password, '\0');
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception e) {
          LOG.warn("closing a pool after a failed start: {}", e.toString());
        }
      }
    }
  }

  /**
   * A node joining a log that already has entries has no checkpoint of its own yet: verifying with its empty file would
   * report the checkpoints missing and, the fail-closed state being shared, stop every node. Start its file instead on
   * a chain verification (a broken chain is recorded as tampering by the store and the start goes on, degraded).
   */
  private static void joinCheckpoints(AuditStore audit, CheckpointSink sink, Path file) throws AuditException {
    boolean empty;
    try {
      empty = sink.readAll().isEmpty();
    } catch (AuditException e) {
      return; // torn or malformed: the store's verification reports it
    }
    if (!empty || audit.head().isEmpty()) {
      return; // the store signed seq 0 of a new log itself
    }
    try {
      audit.startCheckpoints();
      LOG.warn("audit checkpoints of this node start now in {} (the shared log already had entries)", file);
    } catch (AuditException e) {
      if (e.verification().isEmpty()) {
        throw e;
      }
      LOG.error("AUDIT LOG FAILED VERIFICATION before this node's first checkpoint: {}", e.getMessage());
    }
  }

  /**
   * A JDBC URL without user-info ({@code user:password@}) or query parameters ({@code ?password=…}), for messages and
   * logs.
   *
   * @param url a JDBC URL (may be null or empty)
   * @return {@code jdbc:postgresql://host:port/database}
   */
  public static String redactUrl(String url) {
    return SecurityConfig.Storage.redactUrl(url);
  }

  /**
   * Whether the storage is PostgreSQL (shared by every node).
   *
   * @return true for {@code postgres}
   */
  public boolean postgres() {
    return engine == SecurityConfig.Storage.Engine.POSTGRES;
  }

  /**
   * The engine's name as {@code /healthz} reports it.
   *
   * @return {@code sqlite} or {@code postgres}
   */
  public String engineName() {
    return postgres() ? "postgres" : "sqlite";
  }

  /**
   * The maintenance state for {@code /healthz}: {@code full} (verification, retention, checkpoint) on both engines.
   *
   * @return the state
   */
  public String maintenanceState() {
    return "full";
  }

  /**
   * The audit store.
   *
   * @return the open store
   */
  public AuditStore audit() {
    return audit;
  }

  /**
   * The auth service's data source.
   *
   * @return the SQLite file or the auth pool
   */
  public DataSource authDataSource() {
    return authData;
  }

  /**
   * Where the data lives, without secrets.
   *
   * @return e.g. {@code PostgreSQL at jdbc:postgresql://db:5432/sy as secureyeoman}
   */
  public String describe() {
    return description;
  }

  /**
   * The start-up verification: incremental from the newest signed checkpoint of this node's file (start-up cost grows
   * with new entries only; the maintenance runs a full verification periodically).
   *
   * @return the result
   * @throws AuditException if the log cannot be read
   */
  public VerificationResult verifyAtStart() throws AuditException {
    return audit.verify(VerifyOptions.defaults().sinceCheckpoint());
  }

  /** The periodic audit maintenance of the gateway (scheduled runs, one run on demand). */
  public interface Maintenance {
    /** Schedules the runs. */
    void start();

    /** Cancels future runs; idempotent. */
    void stop();

    /**
     * Runs once now on the calling thread.
     *
     * @return the report
     */
    MaintenanceReport runOnce();
  }

  /**
   * The maintenance of this store: {@link AuditMaintenance} (verification, retention, checkpoint) on both engines.
   *
   * @param settings interval, retention, checkpoint and verification settings
   * @param scheduler the scheduler (owned by the caller)
   * @param clock the clock of the reports
   * @param listener called after every run
   * @return the maintenance, not started
   */
  public Maintenance maintenance(
      AuditMaintenanceSettings settings,
      ScheduledExecutorService scheduler,
      Clock clock,
      Consumer<MaintenanceReport> listener) {
    AuditMaintenance m =
        AuditMaintenance.builder(audit, settings).scheduler(scheduler).clock(clock).listener(listener).build();
    return new Maintenance() {
      @Override
      public void start() {
        m.start();
      }

      @Override
      public void stop() {
        m.stop();
      }

      @Override
      public MaintenanceReport runOnce() {
        return m.runOnce();
      }
    };
  }

  /**
   * Closes the audit store (committing what is queued), then the pools. Call after the auth service is closed.
   * Idempotent.
   */
  @Override
  public void close() {
    audit.close();
    if (auditPool != null) {
      auditPool.close();
    }
    if (authPool != null) {
      authPool.close();
    }
  }
}
