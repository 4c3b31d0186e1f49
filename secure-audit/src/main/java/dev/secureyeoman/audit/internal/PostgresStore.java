package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.VerifyOptions;
import java.io.IOException;
import java.io.Writer;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.crypto.Mac;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit store on PostgreSQL (issue 18): one linear chain shared by every node that opens the same database.
 *
 * <p>Every write transaction takes the transaction-scoped advisory lock {@link #WRITE_LOCK_KEY} first, then reads the
 * head, chains, MACs and inserts its rows and commits; the lock ends with the transaction (also when a node dies), so
 * the writers of all nodes are serialised into one chain with dense seqs. Within a node one writer thread drains the
 * queue into one transaction per group (group commit). The MAC input is exactly the SQLite store's
 * ({@link Canonical}), so an entry verifies the same on both engines.
 */
public final class PostgresStore implements AuditStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);

  /** The advisory lock every audit write transaction takes ("SYaudt18" as ASCII; distinct from secure-auth's key). */
  public static final long WRITE_LOCK_KEY = 0x5359617564743138L;

  /**
   * Seconds a write transaction may sit idle between its statements while it holds {@link #WRITE_LOCK_KEY} before the
   * server ends its session (PostgreSQL {@code idle_in_transaction_session_timeout}, set for that transaction only): a
   * frozen node delays the other nodes' appends by at most this long. A live writer never pauses that long between
   * statements; if one did, its transaction fails with {@code STORAGE} and nothing of it is written.
   */
  public static final int IDLE_HOLDER_TIMEOUT_SECONDS = 30;

  /**
   * How long a writer waits for the write lock when the host's session sets no {@code lock_timeout}: a little longer
   * than a frozen holder may keep it ({@link #IDLE_HOLDER_TIMEOUT_SECONDS}); then the append fails with STORAGE.
   */
  public static final int LOCK_WAIT_SECONDS = 35;

  /** Schema version of the PostgreSQL tables, kept in {@code audit_meta}. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * The text search configuration, cast explicitly: an unknown literal would let a {@code to_tsvector(text, text)} of
   * another schema on the search path match better than the built-in {@code (regconfig, text)} (attack18d). The index
   * expression is the same either way (the literal becomes a {@code regconfig} constant).
   */
  static final String TSVECTOR =
      "to_tsvector(CAST('simple' AS regconfig), event || ' ' || actor || ' ' || message || ' ' || metadata)";

  /**
   * A string parameter in PostgreSQL SQL: the driver binds strings as {@code varchar}, for which an operator such as
   * {@code =(text, varchar)} created in the store's schema would match better than the built-in {@code =(text, text)}
   * although {@code pg_catalog} comes first on the pinned search path (attack18d); cast to {@code text}, the built-in
   * one is an exact match and wins.
   */
  static final String TEXT_PARAM = "CAST(? AS text)";

  private static final String SELECT_ROW = SqliteStore.SELECT_ROW;

  private static final String INSERT =
      "INSERT INTO audit_log (seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** Column → type as {@code information_schema.columns.data_type} reports it for the tables this store creates. */
  private static final Map<String, String> COLUMN_TYPES =
      Map.ofEntries(
          Map.entry("seq", "bigint"), Map.entry("ts", "bigint"), Map.entry("level", "text"),
          Map.entry("event", "text"), Map.entry("actor", "text"), Map.entry("message", "text"),
          Map.entry("metadata", "text"), Map.entry("correlation_id", "text"), Map.entry("key_id", "integer"),
          Map.entry("prev_hash", "bytea"), Map.entry("hash", "bytea"));

  private static final String TAMPER = "tamper";
  private static final String ACK_EVENT = "audit.tampering_acknowledged";

  /** One queued append; {@code event == null} is the stop marker. */
  private record Pending(
      @Nullable AuditEvent event, byte[] body, String json, CompletableFuture<AuditEntry> result) {}

  private static final Pending STOP = new Pending(null, new byte[0], "", new CompletableFuture<>());

  private final DataSource dataSource;
  /** The search path every statement of this store runs with ({@link #searchPath(String)}). */
  private final String path;
  /** The schema of the audit tables. */
  private final String schema;
  private final MacKeys keys;
  private final Clock clock;
  private final int maxBatchSize;
  private final String logIdHex;
  private final byte[] logId;
  private final int activeKeyId;
  private final Mac activeMac; // writer thread and acknowledgeTampering (synchronized on it)
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Optional<CheckpointSink> checkpointSink;
  private final Optional<KeyPair> checkpointKeys;
  private final String origin;
  private final long checkpointLockTimeoutMillis;
  private final Object checkpointLock = new Object();
  /** Why this store refuses writes (its keys do not verify the head it found at open), or null. */
  private volatile @Nullable String keyMismatch;
  /** A reader (openReadOnly): no writer thread, nothing recorded. */
  private volatile boolean readOnly;
  /**
   * A failure this store found but could not record, or whose record does not read back (a rule, trigger, policy,
   * constraint or view on {@code audit_meta}: red team attack18f): this store refuses appends and purges like a
   * recorded one until {@link #acknowledgeTampering}; other nodes find it at their own next verification.
   */
  private volatile @Nullable VerificationResult unrecorded;
  private volatile boolean closed;

  private PostgresStore(
      DataSource dataSource, String schema, MacKeys keys, Clock clock, int maxBatchSize, int queueCapacity,
      String logIdHex, Checkpointing checkpointing) {
    this.schema = schema;
    this.path = searchPath(schema);
    this.checkpointSink = checkpointing.sink();
    this.checkpointKeys = checkpointing.keys();
    this.origin = checkpointing.origin();
    this.checkpointLockTimeoutMillis = checkpointing.lockTimeout().toMillis();
    this.dataSource = dataSource;
    this.keys = keys;
    this.clock = clock;
    this.maxBatchSize = maxBatchSize;
    this.logIdHex = logIdHex;
    this.logId = HexFormat.of().parseHex(logIdHex);
    this.activeKeyId = keys.activeKeyId();
    Mac m = keys.mac(activeKeyId);
    if (m == null) {
      throw new IllegalArgumentException("the keyring lacks its active key id " + activeKeyId);
    }
    this.activeMac = m;
    this.queue = new LinkedBlockingQueue<>(queueCapacity);
    this.writer = new Thread(this::run, "audit-pg-writer");
    writer.setDaemon(true);
  }

  /**
   * Opens the store: creates the tables and the log id on a fresh database (under the write lock, so nodes starting
   * together create them once) and refuses a newer schema.
   *
   * @param dataSource PostgreSQL connections (a pool in production)
   * @param keys MAC keys
   * @param clock time of new entries
   * @param maxBatchSize most entries per group commit
   * @param queueCapacity most queued appends
   * @return the open store
   * @throws AuditException {@link Reason#STORAGE} if the database cannot be reached, {@link Reason#UNSUPPORTED_SCHEMA}
   *     for a newer schema
   */
  public static PostgresStore open(
      DataSource dataSource, MacKeys keys, Clock clock, int maxBatchSize, int queueCapacity) throws AuditException {
    return open(dataSource, keys, clock, maxBatchSize, queueCapacity, Checkpointing.NONE);
  }

  /**
   * Checkpoint settings of a store.
   *
   * @param sink where checkpoints go (shared by the nodes that check each other's), or empty
   * @param keys the Ed25519 key pair that signs them, present with {@code sink}
   * @param origin the log name written into checkpoints
   * @param lockTimeout how long a checkpoint waits for another node's checkpoint before failing with {@code STORAGE}
   */
  public record Checkpointing(
      Optional<CheckpointSink> sink, Optional<KeyPair> keys, String origin, java.time.Duration lockTimeout) {
    /** Default wait for another node's checkpoint: 60 s. */
    public static final java.time.Duration DEFAULT_LOCK_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** No checkpoints. */
    public static final Checkpointing NONE = new Checkpointing(Optional.empty(), Optional.empty(), "secureyeoman-audit");

    /** Validates. */
    public Checkpointing {
      java.util.Objects.requireNonNull(sink, "sink");
      java.util.Objects.requireNonNull(keys, "keys");
      java.util.Objects.requireNonNull(origin, "origin");
      java.util.Objects.requireNonNull(lockTimeout, "lockTimeout");
      if (sink.isPresent() != keys.isPresent()) {
        throw new IllegalArgumentException("a checkpoint sink needs signing keys and vice versa");
      }
      if (lockTimeout.toMillis() < 1 || lockTimeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("lockTimeout must be 1 ms .. 24 days, got " + lockTimeout);
      }
    }

    /**
     * Settings with the default lock timeout.
     *
     * @param sink where checkpoints go, or empty
     * @param keys the signing key pair, present with {@code sink}
     * @param origin the log name written into checkpoints
     */
    public Checkpointing(Optional<CheckpointSink> sink, Optional<KeyPair> keys, String origin) {
      this(sink, keys, origin, DEFAULT_LOCK_TIMEOUT);
    }
  }

  /**
   * Opens the store with checkpoint settings; see {@link #open(DataSource, MacKeys, Clock, int, int)}.
   *
   * @param dataSource PostgreSQL connections (a pool in production)
   * @param keys MAC keys
   * @param clock time of new entries and checkpoints
   * @param maxBatchSize most entries per group commit
   * @param queueCapacity most queued appends
   * @param checkpointing checkpoint sink, signing keys and origin
   * @return the open store
   * @throws AuditException as the other {@code open}
   */
  public static PostgresStore open(
      DataSource dataSource, MacKeys keys, Clock clock, int maxBatchSize, int queueCapacity,
      Checkpointing checkpointing) throws AuditException {
    return open(dataSource, DEFAULT_SCHEMA, keys, clock, maxBatchSize, queueCapacity, checkpointing);
  }

  /**
   * Opens the store on the tables of {@code schema}; see {@link #open(DataSource, MacKeys, Clock, int, int)}.
   *
   * @param dataSource PostgreSQL connections (a pool in production)
   * @param schema the schema of the audit tables ({@link #checkSchema})
   * @param keys MAC keys
   * @param clock time of new entries and checkpoints
   * @param maxBatchSize most entries per group commit
   * @param queueCapacity most queued appends
   * @param checkpointing checkpoint sink, signing keys and origin
   * @return the open store
   * @throws AuditException as the other {@code open}
   */
  public static PostgresStore open(
      DataSource dataSource, String schema, MacKeys keys, Clock clock, int maxBatchSize, int queueCapacity,
      Checkpointing checkpointing) throws AuditException {
    checkSchema(schema);
    String path = searchPath(schema);
    String id;
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        id = initSchema(c, schema);
        c.commit();
      } catch (SQLException | RuntimeException | AuditException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      throw storage("cannot open the audit log on PostgreSQL", e);
    }
    PostgresStore s =
        new PostgresStore(dataSource, schema, keys, clock, maxBatchSize, queueCapacity, id, checkpointing);
    s.writer.start();
    try {
      s.checkKeyAndRotate();
    } catch (AuditException | RuntimeException e) {
      s.close();
      throw e;
    }
    s.startCheckpointsOfNewLog();
    return s;
  }

  /**
   * Opens a reader that never writes: it creates no table, records no failed verification, writes no checkpoint and no
   * rotation entry, and starts no writer thread; every read runs in a {@code READ ONLY} transaction or plain
   * {@code SELECT}s. Safe for {@code audit verify|search|export} against a production database, or a restored dump.
   *
   * @param dataSource connections (a read-only role is enough)
   * @param keys MAC keys
   * @param checkpointing checkpoints to verify against (the sink is only read)
   * @return the reader
   * @throws AuditException {@link Reason#NOT_FOUND} when the database holds no audit log, {@link
   *     Reason#UNSUPPORTED_SCHEMA} for a newer schema, {@link Reason#STORAGE} when it cannot be reached
   */
  public static dev.secureyeoman.audit.AuditReader openReadOnly(
      DataSource dataSource, MacKeys keys, Checkpointing checkpointing) throws AuditException {
    return openReadOnly(dataSource, DEFAULT_SCHEMA, keys, checkpointing);
  }

  /**
   * Opens a reader on the tables of {@code schema}; see {@link #openReadOnly(DataSource, MacKeys, Checkpointing)}.
   *
   * @param dataSource connections (a read-only role is enough)
   * @param schema the schema of the audit tables ({@link #checkSchema})
   * @param keys MAC keys
   * @param checkpointing checkpoints to verify against (the sink is only read)
   * @return the reader
   * @throws AuditException as the other {@code openReadOnly}
   */
  public static dev.secureyeoman.audit.AuditReader openReadOnly(
      DataSource dataSource, String schema, MacKeys keys, Checkpointing checkpointing) throws AuditException {
    checkSchema(schema);
    String path = searchPath(schema);
    String id;
    try (Connection c = dataSource.getConnection()) {
      id = readOnly(c, path, PostgresStore::readOnlyOpen);
    } catch (SQLException e) {
      throw storage("cannot open the audit log on PostgreSQL read-only", e);
    }
    PostgresStore s = new PostgresStore(dataSource, schema, keys, Clock.systemUTC(), 1, 1, id, checkpointing);
    s.readOnly = true;
    return new ReadOnly(s);
  }

  /** The checks of {@link #openReadOnly}, inside its read-only transaction; returns the log id. */
  private static String readOnlyOpen(Connection c) throws SQLException, AuditException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('audit_meta') IS NOT NULL AND to_regclass('audit_log')"
          + " IS NOT NULL")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new AuditException(Reason.NOT_FOUND, "no audit log in this PostgreSQL database");
        }
      }
      String version = meta(c, "schema_version");
      if (!Integer.toString(SCHEMA_VERSION).equals(version)) {
        throw new AuditException(
            Reason.UNSUPPORTED_SCHEMA,
            "audit schema version " + version + " on PostgreSQL is not supported by this version (supports "
                + SCHEMA_VERSION + ")");
      }
      return logIdOf(c);
    }
  }

  /** The reader view of a read-only store: only the read methods, so it cannot be cast to a writer. */
  private record ReadOnly(PostgresStore store) implements dev.secureyeoman.audit.AuditReader {
    @Override
    public Optional<String> logId() {
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
      store.close();
    }

    @Override
    public String toString() {
      return "PostgresAuditReader[log " + store.logIdHex + (store.closed ? ", closed" : "") + "]";
    }
  }

  /** The log id record, or {@link Reason#UNSUPPORTED_SCHEMA} when it was deleted or damaged (metadata to restore). */
  private static String logIdOf(Connection c) throws SQLException, AuditException {
    String id = meta(c, "log_id");
    if (id == null || !id.matches("[0-9a-f]{32}")) {
      throw new AuditException(
          Reason.UNSUPPORTED_SCHEMA,
          "the log_id record in audit_meta on PostgreSQL is missing or malformed: the metadata was deleted or damaged;"
              + " restore audit_meta (schema_version and log_id) from a backup, then verify");
    }
    return id;
  }

  private static String initSchema(Connection c, String schema) throws SQLException, AuditException {
    // pg_catalog is first on the pinned search path, so it would be where unqualified objects are created: name the
    // schema in every DDL statement
    String q = "\"" + schema + "\".";
    try (Statement st = c.createStatement()) {
      // DDL only when something is missing: a node's role with DML grants only (not the tables' owner, no CREATE on
      // the schema) opens an existing log; CREATE ... IF NOT EXISTS would be refused for it even when nothing is made
      boolean complete;
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('audit_meta') IS NOT NULL AND to_regclass('audit_log')"
          + " IS NOT NULL AND to_regclass('audit_log_purges') IS NOT NULL")) {
        rs.next();
        complete = rs.getBoolean(1);
      }
      if (!complete) {
        st.execute("CREATE TABLE IF NOT EXISTS " + q + "audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
      }
      String version = meta(c, "schema_version");
      if (version == null) {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('audit_log') IS NOT NULL")) {
          rs.next();
          if (rs.getBoolean(1)) {
            // never start a second log over the first, nor fail on CREATE TABLE: the record was deleted (attack18)
            throw new AuditException(
                Reason.UNSUPPORTED_SCHEMA,
                "the schema_version record in audit_meta is missing but audit_log exists: the metadata was deleted or"
                    + " damaged; restore audit_meta (schema_version and log_id) from a backup, then verify");
          }
        }
        st.execute(
            "CREATE TABLE " + q + "audit_log (seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, level TEXT NOT NULL,"
                + " event TEXT NOT NULL, actor TEXT NOT NULL, message TEXT NOT NULL, metadata TEXT NOT NULL,"
                + " correlation_id TEXT, key_id INTEGER NOT NULL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL)");
        st.execute("CREATE INDEX audit_log_fts ON " + q + "audit_log USING GIN (" + TSVECTOR + ")");
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        putMeta(c, "schema_version", Integer.toString(SCHEMA_VERSION));
        putMeta(c, "log_id", HexFormat.of().formatHex(id));
      } else if (!version.equals(Integer.toString(SCHEMA_VERSION))) {
        throw new AuditException(
            Reason.UNSUPPORTED_SCHEMA,
            "audit schema version " + version + " on PostgreSQL is not supported by this version (supports "
                + SCHEMA_VERSION + ")");
      }
      if (!complete) {
        // purge entries only: finding the retention anchor costs O(purges), appends barely pay (as on SQLite)
        st.execute(
            "CREATE INDEX IF NOT EXISTS audit_log_purges ON " + q + "audit_log (seq) WHERE event = '" + SqliteStore.PURGE_EVENT
                + "'");
      }
      return logIdOf(c);
    }
  }

  private static void lock(Connection c, String path) throws SQLException {
    try (Statement st = c.createStatement()) {
      // READ COMMITTED whatever the pool's default: the head read after the lock must see the previous holder's commit
      // (under REPEATABLE READ the snapshot would be taken by the lock's SELECT, before the lock is granted)
      // READ WRITE whatever the role's default_transaction_read_only: a default switched on during a verification kept
      // the failure from being recorded (red team attack18f)
      st.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE");
      // durable on commit even if the server's default says otherwise: an append that returned must survive a crash
      st.execute("SET LOCAL synchronous_commit TO on");
      // a holder that stops talking inside its transaction (node frozen: SIGSTOP, VM pause, long GC, network partition)
      // is cut by the server, which ends the transaction and frees the lock: otherwise every node's appends would wait
      // for it for good (the server sees a partitioned peer only after the OS keepalive, about two hours)
      st.execute("SET LOCAL idle_in_transaction_session_timeout = '" + IDLE_HOLDER_TIMEOUT_SECONDS + "s'");
    }
    pin(c, path);
    try (Statement st = c.createStatement()) {
      // a bounded wait when the host set none: a session holding the (documented) key with pg_advisory_lock outside
      // any transaction is not cut by idle_in_transaction_session_timeout and kept every append waiting (attack18f)
      st.execute("SELECT pg_catalog.set_config('lock_timeout', '" + LOCK_WAIT_SECONDS + "s', true)"
          + " WHERE pg_catalog.current_setting('lock_timeout') OPERATOR(pg_catalog.=) CAST('0' AS text)");
      st.execute("SELECT pg_catalog.pg_advisory_xact_lock(" + WRITE_LOCK_KEY + ")");
    }
  }

  /** The schema of the audit tables when none is given. */
  public static final String DEFAULT_SCHEMA = "public";

  /**
   * Checks a schema name: a plain lower-case identifier, {@code [a-z_][a-z0-9_]{0,62}}, not reserved by PostgreSQL
   * ({@code pg_…}, {@code information_schema}).
   *
   * @param schema the name
   * @throws IllegalArgumentException naming the rule
   */
  public static void checkSchema(String schema) {
    if (schema == null || !schema.matches("[a-z_][a-z0-9_]{0,62}") || schema.startsWith("pg_")
        || schema.equals("information_schema")) {
      throw new IllegalArgumentException(
          "schema must match [a-z_][a-z0-9_]{0,62} and not be pg_… or information_schema, got "
              + (schema == null ? "null" : "'" + schema.substring(0, Math.min(schema.length(), 80)) + "'"));
    }
  }

  /**
   * The search path every statement of the store runs with: {@code pg_catalog} first, so no function, operator or type
   * of another schema shadows a built-in one; then the store's schema; {@code pg_temp} explicitly last, so no temporary
   * relation shadows a table. Whatever the role's or the database's {@code search_path} says (red team attack18d).
   *
   * @param schema a checked schema name
   * @return the value of {@code search_path}
   */
  static String searchPath(String schema) {
    return "pg_catalog, \"" + schema + "\", pg_temp";
  }

  /**
   * Pins the search path for the rest of the current transaction ({@code set_config(…, true)}, i.e. {@code SET LOCAL}):
   * it reverts at commit or rollback, so the host's pooled connection goes back with its own setting. The function is
   * named with its schema: the session's search path may be the attacker's until this statement has run.
   */
  private static void pin(Connection c, String path) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config('search_path', ?, true)")) {
      ps.setString(1, path);
      ps.execute();
    }
  }

  /** Starts a read-only transaction with the pinned search path (reads that need no single snapshot). */
  private static void readOnlyTransaction(Connection c, String path) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SET TRANSACTION READ ONLY");
    }
    pin(c, path);
  }

  /** Work on one connection inside a transaction. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException, AuditException;
  }

  /**
   * Runs {@code work} in a read-only transaction with the pinned search path, then hands the connection back as it
   * came (autocommit restored, nothing left open).
   */
  private static <T> T readOnly(Connection c, String path, SqlWork<T> work) throws SQLException, AuditException {
    try {
      readOnlyTransaction(c, path);
      T result = work.run(c);
      c.commit();
      return result;
    } finally {
      rollbackQuietly(c);
      resetAutoCommit(c);
    }
  }

  private static @Nullable String meta(Connection c, String name) throws SQLException {
    // the built-in operator by name: a domain on audit_meta.name with an "=" of the store's schema would be an exact
    // match, answer false for 'tamper' and hide the fail-closed record (red team attack18e)
    try (PreparedStatement ps =
        c.prepareStatement("SELECT value FROM audit_meta WHERE name OPERATOR(pg_catalog.=) " + TEXT_PARAM)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void putMeta(Connection c, String name, String value) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO audit_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value")) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- appends

  @Override
  public AuditEntry append(AuditEvent event) throws AuditException {
    CompletableFuture<AuditEntry> f = appendAsync(event);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditException(
          Reason.INTERRUPTED, "interrupted while waiting for the commit; the entry may still be written", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuditException ae) {
        throw AuditException.rethrown(ae);
      }
      throw new AuditException(Reason.STORAGE, "audit append failed", e.getCause());
    }
  }

  @Override
  public CompletableFuture<AuditEntry> appendAsync(AuditEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    if (event.event().equals(SqliteStore.PURGE_EVENT) || event.event().startsWith("audit.")) {
      throw new IllegalArgumentException("event name " + event.event() + " is reserved for the audit store itself");
    }
    // PostgreSQL text cannot hold U+0000: refuse here, or the whole group commit of other callers would fail with it
    // (metadata is stored as JSON text, where it is escaped)
    if (hasNul(event.actor()) || hasNul(event.message()) || event.correlationId().map(PostgresStore::hasNul).orElse(false)) {
      throw new IllegalArgumentException("actor, message and correlationId must not contain U+0000 on PostgreSQL");
    }
    String json = Json.write(event.metadata());
    if (json.length() > Json.MAX_INPUT) {
      // the reader refuses longer JSON: stored and MACed, it would fail every verification and lock the log of every
      // node (as on SQLite)
      throw new IllegalArgumentException(
          "metadata must be at most " + Json.MAX_INPUT + " chars as JSON, got " + json.length());
    }
    CompletableFuture<AuditEntry> f = new CompletableFuture<>();
    String mismatch = keyMismatch;
    if (mismatch != null) {
      f.completeExceptionally(new AuditException(Reason.KEY_MISMATCH, "refusing to append: " + mismatch));
      return f;
    }
    Pending p =
        new Pending(
            event,
            Canonical.body(
                event.level().name(), event.event(), event.actor(), event.message(),
                event.correlationId().orElse(null), event.metadata()),
            json, f);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        f.completeExceptionally(new AuditException(Reason.CLOSED, "audit store " + this + " is closed"));
      } else {
        queue.put(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.completeExceptionally(
          new AuditException(Reason.INTERRUPTED, "interrupted while enqueueing; the entry was not written", e));
    } finally {
      lifecycle.readLock().unlock();
    }
    return f;
  }

  private static boolean hasNul(String s) {
    return s.indexOf('\u0000') >= 0;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() ends the writer, after draining
      }
      queue.drainTo(batch, maxBatchSize - 1);
      int end = batch.indexOf(STOP);
      if (end >= 0) {
        stop = true;
        // nothing is enqueued after STOP (close holds the write lock), so the rest of the batch is empty
        batch = new ArrayList<>(batch.subList(0, end));
      }
      if (!batch.isEmpty()) {
        try {
          commit(batch);
        } catch (Throwable t) { // an Error (out of memory, …): fail this group, keep the writer, never hang a caller
          LOG.error("audit log on PostgreSQL: writer failed on a group of {} entries", batch.size(), t);
          AuditException ae = new AuditException(Reason.STORAGE, "audit writer failed: " + t, t);
          batch.forEach(p -> p.result().completeExceptionally(ae));
        }
      }
      batch.clear();
    }
  }

  private void commit(List<Pending> batch) {
    List<AuditEntry> out = new ArrayList<>(batch.size());
    Optional<VerificationResult> tampered;
    // callers are completed only after the connection is reset and back in the host's pool
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        tampered = tamper(c);
        if (tampered.isPresent()) {
          c.rollback();
        } else {
          insert(c, batch, out);
          c.commit();
        }
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.error("audit log on PostgreSQL: commit of {} entries failed", batch.size(), e);
      AuditException ae =
          storage("audit commit on PostgreSQL failed (the group of " + batch.size() + " entries is rolled back)", e);
      batch.forEach(p -> p.result().completeExceptionally(ae));
      return;
    }
    if (tampered.isPresent()) {
      AuditException ae = AuditException.tampered("refusing to append", tampered.get());
      batch.forEach(p -> p.result().completeExceptionally(ae));
      return;
    }
    for (int k = 0; k < batch.size(); k++) {
      batch.get(k).result().complete(out.get(k));
    }
  }

  /**
   * All rows of a group in one statement: one array per column, expanded by {@code unnest} on the server. The
   * writer holds the cluster-wide write lock while the group is inserted, so one statement instead of one per row
   * shortens what every other node waits for (issue 18 performance: per-row execution was most of the lock's time).
   */
  private static final String INSERT_GROUP =
      "INSERT INTO audit_log (seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " SELECT * FROM ROWS FROM (" + unnest("bigint", "bigint", "text", "text", "text", "text", "text", "text",
              "integer", "bytea", "bytea") + ")";

  /**
   * {@code pg_catalog.unnest(?::type[]), …}: qualified, or an {@code unnest(bigint[])} of another schema would be an
   * exact match and beat the built-in polymorphic one (attack18d); the multi-argument {@code unnest(a, b, …)} form
   * exists only unqualified, hence {@code ROWS FROM}, which is what it stands for.
   */
  private static String unnest(String... types) {
    StringBuilder sb = new StringBuilder();
    for (String t : types) {
      sb.append(sb.length() == 0 ? "" : ", ").append("pg_catalog.unnest(?::").append(t).append("[])");
    }
    return sb.toString();
  }

  /** Reads the head inside the locked transaction, chains and inserts the rows (one statement per group). */
  private void insert(Connection c, List<Pending> batch, List<AuditEntry> out) throws SQLException {
    long seq = 0;
    byte[] prev = SqliteStore.GENESIS;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")) {
      if (rs.next()) {
        seq = rs.getLong(1);
        byte[] h = rs.getBytes(2);
        prev = h == null ? SqliteStore.GENESIS : h;
      }
    }
    int n = batch.size();
    Long[] seqs = new Long[n];
    Long[] tss = new Long[n];
    String[] levels = new String[n];
    String[] events = new String[n];
    String[] actors = new String[n];
    String[] messages = new String[n];
    String[] metadata = new String[n];
    String[] correlationIds = new String[n];
    Integer[] keyIds = new Integer[n];
    byte[][] prevHashes = new byte[n][];
    byte[][] hashes = new byte[n][];
    for (int k = 0; k < n; k++) {
      Pending p = batch.get(k);
      AuditEvent ev = java.util.Objects.requireNonNull(p.event());
      seq = Verifier.nextSeq(seq); // never wraps to a negative seq (attack18c)
      long ts = clock.millis();
      byte[] hash;
      synchronized (activeMac) {
        hash = Canonical.mac(activeMac, logId, seq, ts, activeKeyId, p.body(), prev);
      }
      Row row =
          new Row(
              seq, ts, ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.metadata(),
              ev.correlationId().orElse(null), activeKeyId, prev, hash);
      seqs[k] = seq;
      tss[k] = ts;
      levels[k] = row.level();
      events[k] = row.event();
      actors[k] = row.actor();
      messages[k] = row.message();
      metadata[k] = p.json();
      correlationIds[k] = row.correlationId();
      keyIds[k] = activeKeyId;
      prevHashes[k] = prev;
      hashes[k] = hash;
      out.add(SqliteStore.toEntry(row));
      prev = hash;
    }
    List<java.sql.Array> arrays = new ArrayList<>(11);
    try (PreparedStatement ps = c.prepareStatement(INSERT_GROUP)) {
      Object[][] columns = {seqs, tss, levels, events, actors, messages, metadata, correlationIds, keyIds, prevHashes,
          hashes};
      String[] types = {"int8", "int8", "text", "text", "text", "text", "text", "text", "int4", "bytea", "bytea"};
      for (int i = 0; i < columns.length; i++) {
        java.sql.Array a = c.createArrayOf(types[i], columns[i]);
        arrays.add(a);
        ps.setArray(i + 1, a);
      }
      int inserted = ps.executeUpdate();
      if (inserted != n) {
        throw new SQLException("inserted " + inserted + " audit rows instead of " + n);
      }
    } finally {
      for (java.sql.Array a : arrays) {
        a.free();
      }
    }
  }

  private static void bind(PreparedStatement ps, Row r, String metadataJson) throws SQLException {
    ps.setLong(1, r.seq());
    ps.setLong(2, r.timestampMillis());
    ps.setString(3, r.level());
    ps.setString(4, r.event());
    ps.setString(5, r.actor());
    ps.setString(6, r.message());
    ps.setString(7, metadataJson);
    if (r.correlationId() == null) {
      ps.setNull(8, Types.VARCHAR);
    } else {
      ps.setString(8, r.correlationId());
    }
    ps.setInt(9, r.keyId());
    ps.setBytes(10, r.prevHash());
    ps.setBytes(11, r.hash());
  }

  // ---------------------------------------------------------------- fail closed

  @Override
  public Optional<VerificationResult> tamperingDetected() throws AuditException {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      return readOnly(c, path, this::tamper);
    } catch (SQLException e) {
      throw storage("cannot read the tamper state", e);
    }
  }

  /** The recorded failure, else the one this store could not record. */
  private Optional<VerificationResult> tamper(Connection c) throws SQLException {
    Optional<VerificationResult> recorded = readTamper(c);
    VerificationResult local = unrecorded;
    return recorded.isPresent() || local == null ? recorded : Optional.of(local);
  }

  private static Optional<VerificationResult> readTamper(Connection c) throws SQLException {
    String v = meta(c, TAMPER);
    if (v == null) {
      return Optional.empty();
    }
    String[] parts = v.split("\t", 3);
    long seq = parts.length > 0 && parts[0].matches("\\d{1,18}") ? Long.parseLong(parts[0]) : 0;
    Problem problem = Problem.ENTRY_ALTERED;
    if (parts.length > 1) {
      try {
        problem = Problem.valueOf(parts[1]);
      } catch (IllegalArgumentException e) {
        // keep ENTRY_ALTERED: the record was written by this class; an edited one still blocks appends
      }
    }
    String detail = parts.length > 2 ? parts[2] : "recorded verification failure";
    return Optional.of(
        new VerificationResult(false, 0, 0, 0, 0, OptionalLong.of(seq), Optional.of(problem), detail));
  }

  /** Records a failed verification (unless one is already recorded): appends are refused from now on. */
  private void recordTamper(VerificationResult failure) {
    VerificationResult r = failure;
    long at = r.firstBrokenSeq().orElse(0);
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        if (readTamper(c).isPresent()) {
          c.rollback(); // the first detection stays recorded (as on SQLite)
          return;
        }
        putMeta(
            c, TAMPER,
            at + "\t" + r.problem().map(Enum::name).orElse(Problem.ENTRY_ALTERED.name()) + "\t" + r.detail());
        requireReadBack(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException | RuntimeException e) {
      unrecorded = r;
      LOG.error("audit log on PostgreSQL: could not record the failed verification (seq {}); this store refuses"
          + " appends until acknowledgeTampering, other nodes only after their own verification", at, e);
    }
  }

  /** The tamper record just written must read back in the same transaction, else it was not stored. */
  private static void requireReadBack(Connection c) throws SQLException {
    if (readTamper(c).isEmpty()) {
      throw new SQLException(
          "the tamper record does not read back: audit_meta is rewritten (a rule, trigger, policy, constraint or view)");
    }
  }

  /**
   * The failure to record for {@code r}: {@code r} itself, or — after a genuine acknowledgement — null when every break
   * of the log lies inside the ranges that acknowledgement recorded, else a result naming the first new break
   * ({@link Verifier#toRecord}). Decided in its own read snapshot, outside the write lock (a whole-log scan). When it
   * cannot be decided, {@code r} (fail closed).
   */
  private @Nullable VerificationResult toRecord(VerificationResult r) {
    try (Connection c = dataSource.getConnection()) {
      try {
        Verifier.Checks own = Checkpoints.own(checkpointSink, checkpointKeys).checks();
        snapshot(c, path);
        VerificationResult out = new Verifier(keys, Verifier.Dialect.POSTGRES).toRecord(c, own, r);
        c.commit();
        return out;
      } finally {
        rollbackQuietly(c);
        resetAutoCommit(c);
      }
    } catch (SQLException | AuditException | RuntimeException e) {
      LOG.error("audit log on PostgreSQL: could not compare the failure with the acknowledgement; recording it", e);
      return r;
    }
  }

  /** Writes other than appends (purge, checkpoint, acknowledgement) are refused like appends on a key mismatch. */
  private void refuseOnKeyMismatch(String operation) throws AuditException {
    String mismatch = keyMismatch;
    if (mismatch != null) {
      throw new AuditException(Reason.KEY_MISMATCH, operation + ": " + mismatch);
    }
  }

  /**
   * At open, under the write lock: a head that does not verify under this store's keys is told apart (issue 18): when
   * an earlier entry under the head's key id verifies under this store's key for that id ({@link
   * HeadCheck#earlierEntryVerifies}), the key is right and the head was edited — the failure is recorded like any failed
   * verification (every node then refuses appends); otherwise (a key id the keyring lacks, or no earlier entry under
   * that key id verifies) it is a wrong key — this store refuses every write and records nothing (a node with a wrong
   * key must not be able to lock the log of the others). A head under another key id than the active one gets the
   * chained {@code audit.key_rotated} entry, as on SQLite.
   */
  private void checkKeyAndRotate() throws AuditException {
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        Row head = null;
        long headSeq = 0;
        int headKeyId = 0;
        boolean malformed = false;
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery(SELECT_ROW + " ORDER BY seq DESC LIMIT 1")) {
          if (rs.next()) {
            headSeq = rs.getLong("seq");
            headKeyId = rs.getInt("key_id");
            try {
              head = RowReader.of(rs).read(rs);
            } catch (IllegalArgumentException | NullPointerException e) {
              malformed = true;
            }
          }
        }
        boolean macOk = head != null && macOk(head);
        if ((malformed || (head != null && !macOk)) && keys.mac(headKeyId) != null
            && HeadCheck.earlierEntryVerifies(c, headSeq, headKeyId, this::macOk)) {
          // the key is right (it verifies an earlier entry under the head's key id): the head was edited
          if (readTamper(c).isEmpty()) {
            Problem problem = malformed ? Problem.MALFORMED_ENTRY : Problem.ENTRY_ALTERED;
            putMeta(
                c, TAMPER,
                headSeq + "\t" + problem.name() + "\t" + "the newest entry (seq " + headSeq + ") "
                    + (malformed ? "cannot be read" : "fails its MAC") + " while an earlier entry under its key id "
                    + headKeyId + " verifies: the head was edited");
            if (readTamper(c).isEmpty()) {
              unrecorded = new VerificationResult(false, 0, 0, 0, 0, OptionalLong.of(headSeq), Optional.of(problem),
                  "the newest entry (seq " + headSeq + ") was edited; the record of it does not read back");
              LOG.error("audit log on PostgreSQL: head entry seq {} was edited ({}); the record does not read back"
                  + " (audit_meta rewritten): this store refuses appends", headSeq, problem);
            } else {
              LOG.error("audit log on PostgreSQL: head entry seq {} was edited ({}); recorded, appends refused on"
                  + " every node until acknowledgeTampering", headSeq, problem);
            }
          }
        } else if (malformed) {
          keyMismatch = "the newest entry cannot be read: run verify";
        } else if (head != null && !macOk) {
          keyMismatch =
              "the newest entry (seq " + head.seq() + ") does not verify under this store's audit key (key id "
                  + activeKeyId + "): a wrong key, or a tampered head; run verify with the right key";
          LOG.error("audit log on PostgreSQL: head entry seq {} fails its MAC; appends refused (wrong key or"
              + " tampered)", head.seq());
        } else if (head != null && head.keyId() != activeKeyId && readTamper(c).isEmpty()) {
          Map<String, Object> md = new java.util.LinkedHashMap<>();
          md.put("from_key_id", (long) head.keyId());
          md.put("to_key_id", (long) activeKeyId);
          AuditEvent ev =
              new AuditEvent(
                  AuditLevel.SECURITY, SqliteStore.KEY_ROTATED_EVENT, "system",
                  "audit MAC key rotated from id " + head.keyId() + " to id " + activeKeyId, md, Optional.empty());
          insertSystemEntry(c, Verifier.nextSeq(head.seq()), clock.millis(), ev, head.hash());
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      throw storage("cannot check the audit key on PostgreSQL", e);
    }
  }


  private boolean macOk(Row row) {
    Mac m = keys.mac(row.keyId());
    return m != null && java.security.MessageDigest.isEqual(m.doFinal(Canonical.encode(row, logId)), row.hash());
  }


  @Override
  public AuditEntry acknowledgeTampering(String reason, String actor) throws AuditException {
    if (reason == null || reason.isBlank() || reason.length() > 1000) {
      throw new IllegalArgumentException("reason must be 1..1000 characters and not blank");
    }
    SqliteStore.checkAckActor(actor);
    checkOpen();
    refuseOnKeyMismatch("refusing to acknowledge");
    Verifier.Checks own = Checkpoints.own(checkpointSink, checkpointKeys).checks();
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        Optional<VerificationResult> t = tamper(c);
        if (t.isEmpty()) {
          c.rollback();
          throw new IllegalStateException("the audit log is not read-only: nothing to acknowledge");
        }
        VerificationResult failure = t.get();
        Problem problem = failure.problem().orElse(Problem.ENTRY_ALTERED);
        long brokenSeq = failure.firstBrokenSeq().orElse(0);
        // the same entry as SqliteStore writes (its metadata keys; no detected_at/head_seq bookkeeping here)
        Map<String, Object> md = new java.util.LinkedHashMap<>();
        md.put("reason", reason);
        md.put("first_broken_seq", brokenSeq);
        md.put("problem", problem.name());
        // every break known now (MACed with the entry): later failures are acknowledged only inside these ranges
        Verifier.Breaks breaks = new Verifier(keys, Verifier.Dialect.POSTGRES).scanBreaks(c, own);
        if (Verifier.hasRowBelowOne(breaks)) {
          throw new IllegalStateException(Verifier.BELOW_ONE_REFUSED);
        }
        if (breaks.overflow()) {
          throw new IllegalStateException(
              "the audit log has more than " + Verifier.MAX_ACK_RANGES + " broken ranges: too many to acknowledge;"
                  + " restore it from a backup or start a new log");
        }
        md.put(Verifier.ACK_RANGES, Verifier.encodeRanges(breaks));
        md.put(Verifier.ACK_LOG_PROBLEMS, Verifier.encodeProblems(breaks));
        md.put(Verifier.ACK_CHECKPOINTS, Verifier.encodeCheckpoints(breaks));
        AuditEvent ev =
            new AuditEvent(
                AuditLevel.SECURITY, ACK_EVENT, actor,
                "host acknowledged a failed verification (" + problem + " at seq " + brokenSeq
                    + ") and resumed appending",
                md, Optional.empty());
        Pending p =
            new Pending(
                ev, Canonical.body(ev.level().name(), ev.event(), ev.actor(), ev.message(), null, ev.metadata()),
                Json.write(ev.metadata()), new CompletableFuture<>());
        List<AuditEntry> out = new ArrayList<>(1);
        insert(c, List.of(p), out);
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM audit_meta WHERE name OPERATOR(pg_catalog.=) " + TEXT_PARAM)) {
          ps.setString(1, TAMPER);
          ps.executeUpdate();
        }
        c.commit();
        unrecorded = null;
        LOG.warn("audit log on PostgreSQL: tampering acknowledged at seq {}", out.get(0).seq());
        return out.get(0);
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      throw storage("cannot acknowledge tampering", e);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<String> logId() {
    return Optional.of(logIdHex);
  }

  @Override
  public Optional<AuditEntry> head() throws AuditException {
    List<AuditEntry> l = select(SELECT_ROW + " ORDER BY seq DESC LIMIT 1", List.of());
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  @Override
  public List<AuditEntry> query(AuditQuery q) throws AuditException {
    if (q == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    StringBuilder sql = new StringBuilder(SELECT_ROW).append(" WHERE seq > ?");
    List<Object> args = new ArrayList<>();
    SqliteReads.appendFilters(q, sql, args, TEXT_PARAM);
    return select(sql.toString(), args);
  }

  /**
   * Full-text search with {@code plainto_tsquery('simple', …)} over the GIN-indexed {@code tsvector} of event, actor,
   * message and metadata: the input is bound as a parameter and parsed as plain words (ANDed), so tsquery operators
   * ({@code &}, {@code |}, {@code !}, {@code <->}, {@code :*}) are text and never a syntax error. The text is bounded as
   * on SQLite (1000 chars, 32 words; more is refused).
   */
  @Override
  public List<AuditEntry> search(String text, int limit) throws AuditException {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + AuditQuery.MAX_LIMIT + ", got " + limit);
    }
    List<String> words = FtsQuery.words(text);
    if (words.isEmpty()) {
      return List.of();
    }
    return select(
        SELECT_ROW + " WHERE " + TSVECTOR + " @@ plainto_tsquery(CAST('simple' AS regconfig), " + TEXT_PARAM
            + ") ORDER BY seq DESC LIMIT ?",
        List.of(String.join(" ", words), (long) limit));
  }

  private List<AuditEntry> select(String sql, List<Object> args) throws AuditException {
    checkOpen();
    try (Connection c = dataSource.getConnection()) {
      return readOnly(c, path, tx -> {
        List<AuditEntry> out = new ArrayList<>();
        try (PreparedStatement ps = tx.prepareStatement(sql)) {
          SqliteReads.bind(ps, args);
          try (ResultSet rs = ps.executeQuery()) {
            RowReader rows = RowReader.of(rs);
            while (rs.next()) {
              out.add(rows.entry(rs));
            }
          }
        }
        return out;
      });
    } catch (SQLException e) {
      throw storage("audit read on PostgreSQL failed", e);
    }
  }

  @Override
  public long exportJsonl(Writer out) throws AuditException {
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    checkOpen();
    long n = 0;
    try (Connection c = dataSource.getConnection()) {
      try {
        snapshot(c, path);
        try (Statement st = c.createStatement()) {
          st.setFetchSize(1000);
          try (ResultSet rs = st.executeQuery(SELECT_ROW + " ORDER BY seq")) {
            RowReader rows = RowReader.of(rs);
            while (rs.next()) {
              out.write(rows.entry(rs).toJson());
              out.write('\n');
              n++;
            }
          }
        }
        c.commit();
      } finally {
        rollbackQuietly(c);
        resetAutoCommit(c);
      }
      out.flush();
      return n;
    } catch (SQLException e) {
      throw storage("audit export on PostgreSQL failed", e);
    } catch (IOException e) {
      throw new AuditException(Reason.STORAGE, "cannot write export: " + e.getMessage(), e);
    }
  }

  /** Starts a read-only REPEATABLE READ transaction: every read of it sees one snapshot. */
  private static void snapshot(Connection c, String path) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }
    pin(c, path);
  }

  // ---------------------------------------------------------------- verification

  /**
   * Verifies in one read snapshot with the shared {@link Verifier} (PostgreSQL dialect): dense seqs, every MAC
   * (canonical encoding with the log id), every link, the retention anchor, the column types of {@code audit_log}, the
   * expected log id, and the checkpoints (from the configured sink or the options; incremental from a trusted one with
   * {@link VerifyOptions#sinceCheckpoint()}).
   */
  @Override
  public VerificationResult verify(VerifyOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    checkOpen();
    VerificationResult r = verifyWith(Checkpoints.plan(options, checkpointSink, checkpointKeys));
    if (!r.valid() && Checkpoints.callerExpectations(options)) {
      // a failure against the caller's own expectation (a wrong log id, checkpoint or key) is recorded only when the
      // store's own verification (its configured sink and key) fails too, and then that result (red team attack18)
      VerificationResult own;
      try {
        own = verifyWith(Checkpoints.own(checkpointSink, checkpointKeys));
      } catch (AuditException e) {
        own = r; // the store's own checks cannot run (its checkpoint file unreadable): fail closed, record this one
      }
      noteFailure(own);
      return r;
    }
    noteFailure(r);
    return r;
  }

  private VerificationResult verifyWith(Checkpoints.Plan plan) throws AuditException {
    VerificationResult r;
    try (Connection c = dataSource.getConnection()) {
      try {
        snapshot(c, path);
        r = new Verifier(keys, Verifier.Dialect.POSTGRES).verify(c, plan.checks(), Long.MAX_VALUE).result();
        c.commit();
      } finally {
        rollbackQuietly(c);
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      throw storage("audit verification on PostgreSQL failed", e);
    }
    return plan.withTornSink(r);
  }

  /** Records a failed verification (not a torn checkpoint file, a crash artifact): appends are refused from then on. */
  private void noteFailure(VerificationResult r) {
    // a store whose keys do not verify the head (a node with the wrong key) must not lock the log of the others
    if (!r.valid() && r.problem().orElseThrow() != Problem.CHECKPOINT_FILE_TORN && keyMismatch == null && !readOnly) {
      VerificationResult record = toRecord(r);
      if (record != null) {
        recordTamper(record);
      }
    }
  }

  /** The log identity on PostgreSQL: the log id binds every entry from seq 1; null if the record is missing or bad. */
  static Schema.@Nullable LogIdentity readIdentity(Connection c) throws SQLException {
    String id = meta(c, "log_id");
    if (id == null || !id.matches("[0-9a-f]{32}")) {
      return null;
    }
    return new Schema.LogIdentity(id, HexFormat.of().parseHex(id), 1);
  }

  /**
   * A retyped column keeps every MAC but changes what filters see: refuse it like SQLite's storage-class check.
   *
   * @return what is wrong, or null when every column has the type the store creates
   */
  static @Nullable String checkColumnTypes(Connection c) throws SQLException {
    // the name must resolve to the plain table the store created: a view (in its place, or in a schema earlier on the
    // search_path) or row level security can show the verifying SELECT every row and hide some from queries, search
    // and exports, e.g. by testing current_query() (red team attack18c)
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT c.relkind, c.relrowsecurity, n.nspname FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid OPERATOR(pg_catalog.=) to_regclass('audit_log')");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Verifier.NOT_A_PLAIN_TABLE + ": the name does not resolve";
      }
      String kind = rs.getString(1);
      if (!"r".equals(kind)) {
        return Verifier.NOT_A_PLAIN_TABLE + ": it resolves to " + rs.getString(3) + ".audit_log of relkind " + kind
            + " (a view or another relation can show the verification other rows than queries and exports)";
      }
      if (rs.getBoolean(2)) {
        return Verifier.NOT_A_PLAIN_TABLE + ": row level security is enabled on " + rs.getString(3) + ".audit_log"
            + " (its policies can show the verification other rows than queries and exports)";
      }
    }
    // no child table: its rows are read by every SELECT on audit_log, outside the parent's primary key
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT inhrelid::regclass::text FROM pg_inherits"
                    + " WHERE inhparent OPERATOR(pg_catalog.=) to_regclass('audit_log') LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return Verifier.NOT_A_PLAIN_TABLE + ": " + rs.getString(1) + " inherits from it (its rows are read as entries,"
            + " outside the primary key)";
      }
    }
    // the primary key on seq alone: without it a duplicate of a seq escapes the scan (which reads each seq once)
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                    + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid OPERATOR(pg_catalog.=) to_regclass('audit_log')"
                    + " AND i.indisprimary");
        ResultSet rs = ps.executeQuery()) {
      List<String> key = new ArrayList<>();
      while (rs.next()) {
        key.add(rs.getString(1));
      }
      if (!key.equals(List.of("seq"))) {
        return Verifier.NOT_A_PLAIN_TABLE + ": its primary key is " + (key.isEmpty() ? "gone" : key)
            + ", not (seq) (a duplicate or missing seq escapes the verification)";
      }
    }
    // read from pg_catalog, never information_schema: its columns are of the domain sql_identifier, for which
    // pg_catalog has no "=", so an "=(sql_identifier, sql_identifier)" in the store's schema was an exact match that
    // pointed this check at a pristine copy of the table (red team attack18f)
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, NULL), t.typtype::text, tn.nspname::text,"
                + " pg_catalog.format_type(t.typbasetype, NULL), a.attcollation OPERATOR(pg_catalog.<>) t.typcollation,"
                + " (SELECT co.collname::text FROM pg_catalog.pg_collation co"
                + " WHERE co.oid OPERATOR(pg_catalog.=) a.attcollation)"
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid"
                + " JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.typnamespace"
                + " WHERE a.attrelid OPERATOR(pg_catalog.=) to_regclass('audit_log')"
                + " AND a.attnum OPERATOR(pg_catalog.>) CAST(0 AS smallint) AND NOT a.attisdropped")) {
      int seen = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String col = rs.getString(1);
          String type = rs.getString(2);
          String want = COLUMN_TYPES.get(col);
          if (want == null) {
            continue;
          }
          seen++;
          // a domain (or a collation) lets an operator in the store's schema match the column exactly and beat the
          // built-in one despite the pinned search path, hiding entries from filters and search while the full scan
          // sees them (red team attack18e)
          if ("d".equals(rs.getString(3))) {
            return "column " + col + " has the domain " + type + " over " + rs.getString(5) + ", not the plain type "
                + want + " the store creates";
          }
          if (!want.equals(type) || !"pg_catalog".equals(rs.getString(4))) {
            return "column " + col + " has type " + rs.getString(4) + "." + type + ", not " + want
                + " as the store creates it";
          }
          if (rs.getBoolean(6)) {
            return "column " + col + " has the collation " + rs.getString(7)
                + ", not the default the store creates it with";
          }
        }
      }
      return seen == COLUMN_TYPES.size() ? null : "audit_log lacks columns the store creates";
    }
  }

  // ---------------------------------------------------------------- retention

  /**
   * Retention with the SQLite semantics, in one transaction under the write lock (so no node appends in between, and a
   * failure or a crash deletes nothing): the range to delete (and its link to what stays) is verified first — with
   * checkpoints, the whole log against every checkpoint —, then the prefix is deleted and a MACed {@code
   * retention_purge} entry chained to the head records the range, count, policy and the hash of the last deleted entry
   * (the anchor the first retained entry chains to). The verification runs under the lock, so appends of every node
   * wait for it.
   */
  @Override
  public long enforceRetention(RetentionPolicy policy, VerificationProgress progress) throws AuditException {
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    if (progress == null) {
      throw new IllegalArgumentException("progress must not be null");
    }
    checkOpen();
    refuseOnKeyMismatch("refusing to purge");
    // read before taking the write lock: with checkpoints, the whole log is verified against them first
    Optional<SqliteReads.SinkState> sink = Optional.empty();
    if (checkpointSink.isPresent()) {
      SqliteReads.SinkState state = SqliteReads.readSink(checkpointSink.get());
      if (state.torn()) {
        throw new AuditException(Reason.CHECKPOINT_FILE_TORN, "refusing to purge: " + state.tornDetail());
      }
      sink = Optional.of(state);
    }
    Purge p;
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        lock(c, path);
        p = purge(c, policy, sink, progress);
        if (p.count() > 0) {
          c.commit();
        } else {
          c.rollback();
        }
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      throw storage("retention on PostgreSQL failed (nothing was deleted)", e);
    }
    if (p.failed() != null) {
      noteFailure(p.failed()); // after the rollback: recording takes the write lock on another connection
      throw AuditException.verificationFailed("refusing to purge", p.failed());
    }
    if (p.tampered() != null) {
      throw AuditException.tampered("refusing to purge", p.tampered());
    }
    if (p.count() > 0) {
      LOG.info("audit log on PostgreSQL: retention purged {} entries (seq {}..{})", p.count(), p.first(), p.last());
    }
    return p.count();
  }

  /** What a purge did: the range deleted, or why it refused. */
  private record Purge(
      long count, long first, long last, @Nullable VerificationResult failed, @Nullable VerificationResult tampered) {
    static final Purge NOTHING = new Purge(0, 0, 0, null, null);
  }

  /** Inside the locked transaction; never commits. */
  private Purge purge(
      Connection c, RetentionPolicy policy, Optional<SqliteReads.SinkState> checkpoints, VerificationProgress progress)
      throws SQLException {
    long now = clock.millis();
    long headSeq;
    byte[] headHash;
    long first;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")) {
      if (!rs.next()) {
        return Purge.NOTHING;
      }
      headSeq = rs.getLong(1);
      headHash = rs.getBytes(2);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq FROM audit_log ORDER BY seq LIMIT 1")) {
      rs.next();
      first = rs.getLong(1);
    }
    long lastDel = 0;
    if (policy.maxEntries() > 0) {
      lastDel = Math.max(lastDel, headSeq + 1 - policy.maxEntries());
    }
    long cutoff = 0;
    if (policy.maxAgeDays() > 0) {
      cutoff = now - policy.maxAgeDays() * 86_400_000L;
      String retyped = checkColumnTypes(c);
      if (retyped != null) {
        // a retyped ts cannot be compared with the cutoff: refuse like a failed verification, which names it
        return new Purge(
            0, 0, 0,
            new VerificationResult(
                false, 0, first, headSeq, 0, OptionalLong.of(first), Optional.of(Problem.STORAGE_TYPE_ALTERED),
                retyped),
            null);
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT seq FROM audit_log WHERE ts >= ? ORDER BY seq LIMIT 1")) {
        ps.setLong(1, cutoff);
        try (ResultSet rs = ps.executeQuery()) {
          lastDel = Math.max(lastDel, rs.next() ? rs.getLong(1) - 1 : headSeq);
        }
      }
    }
    lastDel = Math.min(lastDel, headSeq - 1);
    if (lastDel < first) {
      return Purge.NOTHING;
    }
    // never erase evidence: the range to delete (and the link to what stays) must verify first; with checkpoints, the
    // whole log must agree with every checkpoint, or a rollback visible only against them would be erased
    Verifier.Checks checks =
        checkpoints
            .map(
                st ->
                    new Verifier.Checks(
                        st.checkpoints(), checkpointKeys.map(KeyPair::getPublic).orElse(null), true, Optional.empty(),
                        VerificationProgress.NONE))
            .orElse(Verifier.Checks.chainOnly())
            .withProgress(progress);
    long upTo = checkpoints.isPresent() ? Long.MAX_VALUE : lastDel + 1;
    VerificationResult pre = new Verifier(keys, Verifier.Dialect.POSTGRES).verify(c, checks, upTo).result();
    if (!pre.valid()) {
      return new Purge(0, 0, 0, pre, null);
    }
    // a log that verifies now may still be read-only after an earlier failure
    Optional<VerificationResult> tampered = tamper(c);
    if (tampered.isPresent()) {
      return new Purge(0, 0, 0, null, tampered.get());
    }
    byte[] lastHash;
    try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM audit_log WHERE seq = ?")) {
      ps.setLong(1, lastDel);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        lastHash = rs.getBytes(1);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_log WHERE seq <= ?")) {
      ps.setLong(1, lastDel);
      ps.executeUpdate();
    }
    long count = lastDel - first + 1;
    Map<String, Object> policyMd = new java.util.LinkedHashMap<>();
    policyMd.put("max_age_days", (long) policy.maxAgeDays());
    policyMd.put("max_entries", policy.maxEntries());
    Map<String, Object> md = new java.util.LinkedHashMap<>();
    md.put("first_seq", first);
    md.put("last_seq", lastDel);
    md.put("count", count);
    md.put("last_deleted_hash", HexFormat.of().formatHex(lastHash));
    md.put("policy", policyMd);
    if (policy.maxAgeDays() > 0) {
      md.put("cutoff", java.time.Instant.ofEpochMilli(cutoff).toString());
    }
    AuditEvent ev =
        new AuditEvent(
            AuditLevel.SECURITY, SqliteStore.PURGE_EVENT, "system",
            "retention purged " + count + " entries (seq " + first + ".." + lastDel + ")", md, Optional.empty());
    insertSystemEntry(c, Verifier.nextSeq(headSeq), now, ev, headHash);
    return new Purge(count, first, lastDel, null, null);
  }

  /**
   * Inserts one entry written by the store itself (purge), chained to {@code prev}, inside the caller's locked
   * transaction; separate from the group-commit path.
   */
  private AuditEntry insertSystemEntry(Connection c, long seq, long ts, AuditEvent ev, byte[] prev)
      throws SQLException {
    byte[] body =
        Canonical.body(ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.correlationId().orElse(null),
            ev.metadata());
    byte[] hash;
    synchronized (activeMac) {
      hash = Canonical.mac(activeMac, logId, seq, ts, activeKeyId, body, prev);
    }
    Row row =
        new Row(
            seq, ts, ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.metadata(),
            ev.correlationId().orElse(null), activeKeyId, prev, hash);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      bind(ps, row, Json.write(ev.metadata()));
      int inserted = ps.executeUpdate();
      if (inserted != 1) { // a rule or trigger dropping rows: never commit without the entry (attack18c)
        throw new SQLException("inserted " + inserted + " audit rows instead of 1");
      }
    }
    return SqliteStore.toEntry(row);
  }

  /**
   * Runs a plain {@code VACUUM} of the audit tables (not {@code VACUUM FULL}, whose exclusive lock would stop the appends
   * of every node): it makes the space of purged rows and their GIN entries reusable and gives trailing empty pages
   * back to the file system; autovacuum does the same eventually. Takes no write lock (appends go on).
   *
   * @return the pages (of {@code block_size}) by which the table and its indexes shrank
   */
  @Override
  public long reclaimSpace() throws AuditException {
    checkOpen();
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(true); // VACUUM cannot run inside a transaction
      // outside a transaction nothing can be pinned for a statement: every name is qualified instead (attack18d)
      String table = "\"" + schema + "\".audit_log";
      long before = relationBytes(st, table);
      st.execute("VACUUM " + table);
      long after = relationBytes(st, table);
      long block;
      try (ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('block_size')::bigint")) {
        rs.next();
        block = rs.getLong(1);
      }
      return Math.max(0, before - after) / block;
    } catch (SQLException e) {
      throw storage("space reclamation on PostgreSQL failed", e);
    }
  }

  private static long relationBytes(Statement st, String table) throws SQLException {
    try (ResultSet rs =
        st.executeQuery("SELECT pg_catalog.pg_total_relation_size('" + table + "'::pg_catalog.regclass)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------- checkpoints

  /** The session advisory lock that serialises checkpoints of all nodes ("SYckpt18"); appends do not take it. */
  public static final long CHECKPOINT_LOCK_KEY = 0x5359636b70743138L;

  @Override
  public boolean checkpointsConfigured() {
    return checkpointSink.isPresent();
  }

  private CheckpointSink sink() {
    return checkpointSink.orElseThrow(() -> new IllegalStateException("no checkpoint sink configured"));
  }

  @Override
  public Checkpoint checkpoint() throws AuditException {
    return signVerified(false);
  }

  @Override
  public Checkpoint startCheckpoints() throws AuditException {
    return signVerified(true);
  }

  /**
   * As on SQLite: verifies, then signs the head of exactly the snapshot that verified. Checkpoints of all nodes are
   * serialised by the session lock {@link #CHECKPOINT_LOCK_KEY}, taken <em>before</em> the snapshot and the sink are
   * read: a node that waited for another's checkpoint sees it in the sink and sees a log at least as long as it signed
   * (else the other's checkpoint would look like a truncation). Appends go on meanwhile.
   */
  private Checkpoint signVerified(boolean start) throws AuditException {
    refuseOnKeyMismatch("refusing to sign a checkpoint");
    CheckpointSink sink = sink();
    checkOpen();
    synchronized (checkpointLock) {
      VerificationResult failed;
      try (Connection c = dataSource.getConnection()) {
        lockCheckpoints(c);
        try {
          SqliteReads.SinkState state = SqliteReads.readSink(sink);
          if (start && (!state.checkpoints().isEmpty() || state.torn())) {
            throw new AuditException(
                Reason.CHECKPOINT_STATE,
                "the checkpoint sink " + sink + " already holds " + state.checkpoints().size()
                    + " checkpoint(s); use checkpoint()");
          }
          if (state.torn()) {
            throw new AuditException(
                Reason.CHECKPOINT_FILE_TORN, "refusing to sign a checkpoint: " + state.tornDetail());
          }
          Verifier.Checks checks =
              start
                  ? Verifier.Checks.chainOnly()
                  : new Verifier.Checks(
                      state.checkpoints(), checkpointKeys.orElseThrow().getPublic(), true, Optional.empty(),
                      VerificationProgress.NONE);
          Verifier.Outcome o;
          try {
            snapshot(c, path);
            o = new Verifier(keys, Verifier.Dialect.POSTGRES).verify(c, checks, Long.MAX_VALUE);
            c.commit();
          } finally {
            rollbackQuietly(c);
            resetAutoCommit(c);
          }
          if (o.result().valid()) {
            if (start) {
              LOG.warn("audit log on PostgreSQL: starting a new checkpoint sink {} at seq {}", sink,
                  o.result().headSeq());
            }
            return signAndAppend(
                o.result().headSeq(), java.util.Objects.requireNonNull(o.headHash(), "a valid outcome has a head"));
          }
          failed = o.result();
        } finally {
          sessionUnlock(c);
        }
      } catch (SQLException e) {
        throw storage("checkpoint on PostgreSQL failed", e);
      }
      noteFailure(failed);
      throw AuditException.verificationFailed(
          start ? "refusing to start checkpoints" : "refusing to sign a checkpoint", failed);
    }
  }

  /** A new log with a sink gets its first checkpoint (seq 0), once even when several nodes open it together. */
  private void startCheckpointsOfNewLog() {
    if (checkpointSink.isEmpty()) {
      return;
    }
    synchronized (checkpointLock) {
      try (Connection c = dataSource.getConnection()) {
        lockCheckpoints(c);
        try {
          SqliteReads.SinkState state = SqliteReads.readSink(checkpointSink.get());
          if (!state.checkpoints().isEmpty() || state.torn()) {
            return;
          }
          long rows =
              readOnly(c, path, tx -> {
                try (Statement st = tx.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM audit_log")) {
                  rs.next();
                  return rs.getLong(1);
                }
              });
          if (rows > 0) {
            return;
          }
          signAndAppend(0, SqliteStore.GENESIS);
        } finally {
          sessionUnlock(c);
        }
      } catch (SQLException | AuditException e) {
        LOG.error("audit log on PostgreSQL: cannot start the checkpoints of the new log: {}", e.getMessage());
      }
    }
  }

  private static void sessionLock(Connection c, boolean take) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "SELECT " + (take ? "pg_catalog.pg_advisory_lock(" : "pg_catalog.pg_advisory_unlock(") + CHECKPOINT_LOCK_KEY
              + ")");
    }
  }

  /**
   * Takes the checkpoint lock, waiting at most the configured timeout: a node hanging inside its checkpoint (a sink that
   * never returns) must not block the others' checkpoints for good ({@code lock_timeout} applies to advisory locks).
   */
  private void lockCheckpoints(Connection c) throws SQLException {
    // the session lock needs a session setting (outside any transaction): the host's own value is put back afterwards
    // (RESET would drop a value the host set on its pooled session); the names are qualified, nothing is pinned here
    String hostValue;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW lock_timeout")) {
      rs.next();
      hostValue = rs.getString(1);
    }
    setLockTimeout(c, checkpointLockTimeoutMillis + "ms");
    try {
      sessionLock(c, true);
    } finally {
      setLockTimeout(c, hostValue); // the pool's connection goes back as it came
    }
  }

  private static void setLockTimeout(Connection c, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config('lock_timeout', ?, false)")) {
      ps.setString(1, value);
      ps.execute();
    }
  }

  /** Releases the checkpoint lock; a connection that cannot is closed for good (its session, and the lock, end). */
  private static void sessionUnlock(Connection c) {
    try {
      sessionLock(c, false);
    } catch (SQLException e) {
      LOG.warn("audit log on PostgreSQL: releasing the checkpoint lock failed; dropping the connection", e);
      try {
        c.abort(Runnable::run);
      } catch (SQLException | RuntimeException ignored) {
        // already broken
      }
    }
  }

  private Checkpoint signAndAppend(long seq, byte[] headHash) throws AuditException {
    Checkpoint cp =
        Checkpoint.sign(
            origin, seq, HexFormat.of().formatHex(headHash), clock.instant(), Optional.of(logIdHex),
            checkpointKeys.orElseThrow());
    sink().append(cp);
    return cp;
  }

  // ---------------------------------------------------------------- lifecycle

  private void checkOpen() throws AuditException {
    if (closed) {
      throw new AuditException(Reason.CLOSED, "audit store " + this + " is closed");
    }
  }

  private static AuditException storage(String what, Exception e) {
    // the driver's message names host, port and database, never the password
    return new AuditException(Reason.STORAGE, what + ": " + e.getMessage(), e);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      LOG.debug("rollback on a broken audit connection failed", e);
    }
  }

  private static void resetAutoCommit(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      LOG.debug("resetting auto-commit on a broken audit connection failed", e);
    }
  }

  /** Commits what is queued, stops the writer. Idempotent. The data source belongs to the host and stays open. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lifecycle.writeLock().unlock();
    }
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(STOP);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "PostgresAuditStore[log " + logIdHex + (closed ? ", closed" : "") + "]";
  }
}
