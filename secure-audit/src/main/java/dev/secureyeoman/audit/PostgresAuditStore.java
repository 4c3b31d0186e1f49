package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.PostgresStore;
import dev.secureyeoman.core.SecretBytes;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Opens the {@link AuditStore} on PostgreSQL (issue 18): every node that opens a store on the same database appends
 * to <b>one linear chain</b>, with the same entry format and MACs as {@link SqliteAuditStore}.
 *
 * <pre>{@code
 * try (AuditStore store = PostgresAuditStore.builder(dataSource).macKey(key).open()) {
 *   store.append(AuditEvent.builder("auth.login.failure").actor("alice").build());
 *   VerificationResult r = store.verify();
 * }
 * }</pre>
 *
 * <p>The host owns the {@link DataSource} (a pool such as HikariCP, shared with the auth service or not) and needs the
 * PostgreSQL JDBC driver on its class path; secure-audit itself depends on neither. Appends of all nodes are serialised
 * by a transaction-scoped advisory lock: each transaction reads the head under the lock, chains, inserts and commits;
 * within a node, one writer thread commits whatever is queued as one group.
 *
 * <p>Supported as on SQLite: {@code append}/{@code appendAsync}/{@code record}, {@code head}, {@code logId},
 * {@code query}, {@code search} (PostgreSQL full-text search, words matched literally), {@code exportJsonl},
 * {@code verify} (full or {@linkplain VerifyOptions#sinceCheckpoint() incremental}, with an expected log id and
 * checkpoints), retention ({@code enforceRetention}: one transaction under the write lock, so other nodes' appends wait
 * for it), signed checkpoints ({@link Builder#checkpoints}; nodes sharing one sink trust each other's), fail-closed
 * after a failed verification ({@code tamperingDetected}, {@code acknowledgeTampering}). See docs/audit.md "Running on
 * PostgreSQL" for what differs.
 */
public final class PostgresAuditStore {
  private PostgresAuditStore() {}

  /**
   * Starts a builder.
   *
   * @param dataSource connections to the PostgreSQL database (not closed by the store)
   * @return the builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** Settings of a PostgreSQL audit store. */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable AuditKeyring keyring;
    private Clock clock = Clock.systemUTC();
    private int maxBatchSize = 512;
    private int queueCapacity = 65_536;
    private @Nullable CheckpointSink checkpointSink;
    private java.security.@Nullable KeyPair checkpointKeys;
    private String origin = "secureyeoman-audit";
    private String schema = PostgresStore.DEFAULT_SCHEMA;
    private java.time.Duration checkpointLockTimeout = PostgresStore.Checkpointing.DEFAULT_LOCK_TIMEOUT;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Uses one MAC key with key id 1 (the same key on every node).
     *
     * @param key at least 32 bytes; copied
     * @return this builder
     */
    public Builder macKey(SecretBytes key) {
      return keyring(AuditKeyring.of(1, key));
    }

    /**
     * Uses a keyring (for rotation); every node needs every epoch to verify.
     *
     * @param keyring the keys
     * @return this builder
     */
    public Builder keyring(AuditKeyring keyring) {
      if (this.keyring != null) {
        throw new IllegalStateException("keyring/macKey already set");
      }
      this.keyring = Objects.requireNonNull(keyring, "keyring");
      return this;
    }

    /**
     * The clock that stamps new entries (default UTC system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Most entries per group commit (default 512).
     *
     * @param n 1..100000
     * @return this builder
     */
    public Builder maxBatchSize(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxBatchSize must be 1..100000, got " + n);
      }
      this.maxBatchSize = n;
      return this;
    }

    /**
     * Most appends waiting for the writer (default 65536); callers block beyond it.
     *
     * @param n 1..10000000
     * @return this builder
     */
    public Builder queueCapacity(int n) {
      if (n < 1 || n > 10_000_000) {
        throw new IllegalArgumentException("queueCapacity must be 1..10000000, got " + n);
      }
      this.queueCapacity = n;
      return this;
    }

    /**
     * Enables signed checkpoints, as {@link AuditStoreOptions.Builder#checkpoints}. Nodes that are to check each
     * other's checkpoints (one node's checkpoint trusted by another's incremental verification) configure the same sink
     * and key pair; checkpoints of all nodes are serialised by a PostgreSQL advisory lock of their own.
     *
     * @param sink where checkpoints go; never inside the audit database
     * @param signingKeys Ed25519 key pair (see {@link CheckpointKeys})
     * @return this builder
     */
    public Builder checkpoints(CheckpointSink sink, java.security.KeyPair signingKeys) {
      if (this.checkpointSink != null) {
        throw new IllegalStateException("checkpoints already set");
      }
      this.checkpointSink = Objects.requireNonNull(sink, "sink");
      this.checkpointKeys = Objects.requireNonNull(signingKeys, "signingKeys");
      return this;
    }

    /**
     * How long {@code checkpoint()} waits for another node's checkpoint (they are serialised) before failing with
     * {@link AuditException.Reason#STORAGE} (default 60 s), so a node hanging inside its checkpoint cannot block the
     * others' for good. Appends never wait for checkpoints.
     *
     * @param timeout 1 ms .. 24 days
     * @return this builder
     */
    public Builder checkpointLockTimeout(java.time.Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("timeout must be 1 ms .. 24 days, got " + timeout);
      }
      this.checkpointLockTimeout = timeout;
      return this;
    }

    /**
     * The log name written into checkpoints (default {@code secureyeoman-audit}).
     *
     * @param origin 1-200 printable chars without spaces
     * @return this builder
     */
    public Builder origin(String origin) {
      if (origin == null || origin.isEmpty() || origin.length() > 200
          || origin.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
        throw new IllegalArgumentException("origin must be 1-200 printable chars without spaces");
      }
      this.origin = origin;
      return this;
    }

    /**
     * The schema that holds (or is to hold) the audit tables (default {@code public}). Every statement of the store
     * runs with the search path {@code pg_catalog, "<schema>", pg_temp}, set for its transaction only, whatever the
     * role's or the database's {@code search_path} says: a schema the nodes' role put before {@code pg_catalog} cannot
     * shadow the tables, functions or operators the store and its checks use, and the host's pooled connection goes
     * back with its own setting.
     *
     * @param schema a plain lower-case identifier {@code [a-z_][a-z0-9_]{0,62}}, not {@code pg_…} or
     *     {@code information_schema}; it must exist (the store creates tables, not schemas)
     * @return this builder
     * @throws IllegalArgumentException naming the rule
     */
    public Builder schema(String schema) {
      PostgresStore.checkSchema(schema);
      this.schema = schema;
      return this;
    }

    /**
     * Opens a reader that never writes (the counterpart of {@link SqliteAuditStore#openReadOnly}): no table is created,
     * a failed verification is not recorded, no checkpoint or rotation entry is written; a role with {@code SELECT} on
     * {@code audit_log} and {@code audit_meta} is enough. Checkpoints set with {@link #checkpoints} are only read.
     *
     * @return the reader; close it when done (the data source stays open)
     * @throws AuditException {@link AuditException.Reason#NOT_FOUND} when the database holds no audit log,
     *     {@link AuditException.Reason#UNSUPPORTED_SCHEMA} for a newer schema, or a storage failure
     * @throws IllegalStateException if no key was set
     */
    public AuditReader openReadOnly() throws AuditException {
      AuditKeyring ring = keyring;
      if (ring == null) {
        throw new IllegalStateException("a MAC key is required: call macKey or keyring");
      }
      return PostgresStore.openReadOnly(
          dataSource, schema, ring.macKeys(),
          new PostgresStore.Checkpointing(
              Optional.ofNullable(checkpointSink), Optional.ofNullable(checkpointKeys), origin, checkpointLockTimeout));
    }

    /**
     * Opens the store: creates the tables and the log id on a fresh database (once, even when nodes start together).
     *
     * @return the open store; close it when done (the data source stays open)
     * @throws AuditException {@link AuditException.Reason#STORAGE} if the database cannot be reached,
     *     {@link AuditException.Reason#UNSUPPORTED_SCHEMA} for a newer schema
     * @throws IllegalStateException if no key was set
     */
    public AuditStore open() throws AuditException {
      AuditKeyring ring = keyring;
      if (ring == null) {
        throw new IllegalStateException("a MAC key is required: call macKey or keyring");
      }
      return PostgresStore.open(
          dataSource, schema, ring.macKeys(), clock, maxBatchSize, queueCapacity,
          new PostgresStore.Checkpointing(
              Optional.ofNullable(checkpointSink), Optional.ofNullable(checkpointKeys), origin, checkpointLockTimeout));
    }
  }
}
