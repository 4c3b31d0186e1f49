package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.core.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * SQLite implementation of {@link AuditStore}: one writer thread with group commit, fresh read connections.
 *
 * <p>Several processes may write the same database: every commit, purge and checkpoint reads the head inside its own
 * transaction ({@code BEGIN IMMEDIATE} for writes, so SQLite's write lock serialises the processes) instead of trusting
 * a head cached at open.
 */
public final class SqliteStore extends SqliteReaderBase implements AuditStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  /** Hash that the first entry ever chains to. */
  static final byte[] GENESIS = new byte[32];
  /** The hash of a row whose MAC is being computed: the canonical MAC input does not contain the hash. */
  private static final byte[] NOT_YET_MACED = new byte[0];

  /** Event name of purge entries; reserved. */
  public static final String PURGE_EVENT = "retention_purge";

  /** Event name written when the active key differs from the head's key; reserved. */
  public static final String KEY_ROTATED_EVENT = "audit.key_rotated";

  /** Current schema version ({@code PRAGMA user_version}). */
  public static final int SCHEMA_VERSION = Schema.VERSION;

  static final String SELECT_ROW =
      "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash FROM audit_log";

  private static final String INSERT =
      "INSERT INTO audit_log(seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " VALUES (?,?,?,?,?,?,?,?,?,?,?)";

  private final AuditStoreOptions opts;
  private final MacKeys keys;
  private final String url;
  private final BlockingQueue<Op> queue;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Object checkpointLock = new Object();
  private final Thread writerThread;
  private final Connection wconn;
  private final Mac activeMac;
  private final int activeKeyId;
  private final Schema.LogIdentity identity;
  private final SqliteReads reads;
  private volatile boolean closed;
  /**
   * A failure this store found but could not record, or whose record does not read back (a trigger on
   * {@code audit_tamper}: red team attack18f): this store refuses appends and purges like a recorded one until
   * {@link #acknowledgeTampering}; other processes find it at their own next verification.
   */
  private volatile @Nullable VerificationResult unrecorded;
  /** Why this store refuses writes (its keys do not verify the head it found at open), or null. */
  private final @Nullable String keyMismatch;

  /** The newest row as the database holds it now. */
  private record Head(long seq, byte[] hash, int keyId) {}

  private sealed interface Op permits Append, Task, Stop {}

  /** An event with its canonical middle and JSON, encoded on the appending thread. */
  private record Append(AuditEvent event, byte[] body, String json, CompletableFuture<AuditEntry> result)
      implements Op {}

  @FunctionalInterface
  private interface WriterWork<T> {
    T run() throws Exception;
  }

  private record Task(WriterWork<?> work, CompletableFuture<Object> result) implements Op {}

  private record Stop(CompletableFuture<Void> done) implements Op {}

  private SqliteStore(AuditStoreOptions opts, MacKeys keys, Connection wconn, Schema.LogIdentity identity)
      throws SQLException {
    this.opts = opts;
    this.keys = keys;
    this.url = "jdbc:sqlite:" + opts.dbPath();
    this.wconn = wconn;
    this.identity = identity;
    this.queue = new LinkedBlockingQueue<>(opts.queueCapacity());
    this.activeKeyId = keys.activeKeyId();
    this.activeMac = Objects.requireNonNull(keys.mac(activeKeyId), "the keyring holds its active key");
    this.reads = new SqliteReads(opts, keys, this::reader, this::checkOpenUnchecked);
    Head head = readHead(wconn);
    int headState = head.seq() > 0 ? headState(head) : HEAD_OK;
    if (headState != HEAD_OK
        && keys.mac(head.keyId()) != null
        && HeadCheck.earlierEntryVerifies(wconn, head.seq(), head.keyId(), this::macOk)) {
      // issue 18: an earlier entry under the head's key id verifies, so the key is right and the head was edited:
      // recorded like any failed verification (every process then refuses appends), not taken for a wrong key
      this.keyMismatch = null;
      Problem problem = headState == HEAD_MALFORMED ? Problem.MALFORMED_ENTRY : Problem.ENTRY_ALTERED;
      markTampered(
          new VerificationResult(
              false, 1, head.seq(), head.seq(), 0, OptionalLong.of(head.seq()), Optional.of(problem),
              "the newest entry (seq " + head.seq() + ") "
                  + (headState == HEAD_MALFORMED ? "cannot be read" : "fails its MAC")
                  + " while an earlier entry under its key id " + head.keyId() + " verifies: the head was edited"));
    } else if (headState != HEAD_OK) {
      // a wrong key (or a head edited together with every checked entry under its key id): appending would MAC new
      // entries under a key the log was never written with, and the log would fail verification from there on for
      // good. Refuse writes of this store object; record nothing in the database (a process holding a wrong key must
      // not be able to lock the log for the right one).
      this.keyMismatch =
          "the newest entry (seq " + head.seq() + ") does not verify under this store's audit key (key id "
              + activeKeyId + "): a wrong key, or a tampered head; run verify with the right key";
      LOG.error("audit log {}: head entry seq {} fails its MAC; appends refused (wrong key or tampered)", opts.dbPath(),
          head.seq());
    } else {
      this.keyMismatch = null;
    }
    // a process that died between a purge's commit and its deferred reclamation left the purged entries' pages in the
    // freelist, and the pending reclamation was only remembered in memory: pick it up (idle steps, at the latest close())
    try (Statement st = wconn.createStatement()) {
      this.reclaimPhase = freelist(st) > 0 ? 1 : 0;
    }
    this.writerThread = new Thread(this::writerLoop, "audit-writer-" + opts.dbPath().getFileName());
    writerThread.setDaemon(true);
  }

  /**
   * Opens the store.
   *
   * @param opts settings
   * @param keys the MAC keys of {@code opts.keyring()}
   * @return the store
   * @throws AuditException if the database cannot be opened
   */
  public static SqliteStore open(AuditStoreOptions opts, MacKeys keys) throws AuditException {
    Path db = opts.dbPath();
    Connection c = null;
    try {
      Path parent = db.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        OwnerOnlyFiles.createDirectories(parent);
      }
      OwnerOnlyFiles.createFileIfAbsent(db);
      for (String suffix : new String[] {"-wal", "-shm"}) {
        Path p = db.resolveSibling(db.getFileName() + suffix);
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          OwnerOnlyFiles.createFileIfAbsent(p); // tightens permissions of leftovers; refuses a planted symlink, even dangling
        }
      }
      c = connect("jdbc:sqlite:" + db, opts.busyTimeout().toMillis());
      Schema.LogIdentity identity = initSchema(c, opts.fullTextSearch());
      SqliteStore s = new SqliteStore(opts, keys, c, identity);
      s.writerThread.start();
      try {
        s.rotateIfNeeded();
        s.startCheckpointsOfNewLog();
      } catch (AuditException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    } catch (IOException | SQLException e) {
      closeQuietly(c);
      throw new AuditException(Reason.STORAGE, "cannot open audit database " + db + ": " + e.getMessage(), e);
    } catch (AuditException e) {
      closeQuietly(c);
      throw e;
    }
  }

  static Connection connect(String url, long busyMillis) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyMillis));
    return cfg.createConnection(url);
  }

  private static Schema.LogIdentity initSchema(Connection c, boolean fts) throws SQLException, AuditException {
    try (Statement st = c.createStatement()) {
      if (Schema.version(c) == 0) {
        // must precede the first table for incremental vacuum to work
        st.execute("PRAGMA auto_vacuum = INCREMENTAL");
      }
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
        String mode = rs.getString(1);
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new AuditException(Reason.STORAGE, "audit database refused WAL mode (got " + mode + ")");
        }
      }
      // FULL: in WAL mode NORMAL may lose the last commits on power loss; an append that returned must survive, and a
      // checkpoint must never be signed over a head that is not on disk.
      st.execute("PRAGMA synchronous = FULL");
      Schema.LogIdentity identity = Schema.createOrMigrate(c, new SecureRandom());
      st.execute("BEGIN IMMEDIATE");
      try {
        boolean hasFts;
        try (ResultSet rs =
            st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_fts'")) {
          hasFts = rs.getInt(1) > 0;
        }
        if (fts && !hasFts) {
          st.execute(
              "CREATE VIRTUAL TABLE audit_fts USING fts5(event, actor, message, metadata,"
                  + " content='audit_log', content_rowid='seq', tokenize='unicode61')");
          st.execute(
              "CREATE TRIGGER audit_fts_ai AFTER INSERT ON audit_log BEGIN"
                  + " INSERT INTO audit_fts(rowid, event, actor, message, metadata)"
                  + " VALUES (new.seq, new.event, new.actor, new.message, new.metadata); END");
          st.execute(
              "CREATE TRIGGER audit_fts_ad AFTER DELETE ON audit_log BEGIN"
                  + " INSERT INTO audit_fts(audit_fts, rowid, event, actor, message, metadata)"
                  + " VALUES ('delete', old.seq, old.event, old.actor, old.message, old.metadata); END");
          st.execute("INSERT INTO audit_fts(audit_fts) VALUES ('rebuild')");
        } else if (!fts && hasFts) {
          st.execute("DROP TRIGGER IF EXISTS audit_fts_ai");
          st.execute("DROP TRIGGER IF EXISTS audit_fts_ad");
          st.execute("DROP TABLE audit_fts");
        }
        // the read-only state after a failed verification; outside the chain, shared by every process
        st.execute("CREATE TABLE IF NOT EXISTS audit_tamper (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
        // purge entries only: finding the retention anchor costs O(purges) instead of a scan, appends barely pay
        st.execute(
            "CREATE INDEX IF NOT EXISTS audit_log_purges ON audit_log(seq) WHERE event = '" + PURGE_EVENT + "'");
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        try {
          st.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // nothing to roll back
        }
        throw e;
      }
      return identity;
    }
  }

  private static Head readHead(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, hash, key_id FROM audit_log ORDER BY seq DESC LIMIT 1")) {
      if (!rs.next()) {
        return new Head(0, GENESIS, 0);
      }
      byte[] hash = rs.getBytes(2);
      return new Head(rs.getLong(1), hash == null ? GENESIS : hash, rs.getInt(3));
    }
  }

  private static final int HEAD_OK = 0;
  private static final int HEAD_MAC_FAILS = 1;
  private static final int HEAD_MALFORMED = 2;


  private int headState(Head head) throws SQLException {
    try (PreparedStatement ps = wconn.prepareStatement(SELECT_ROW + " WHERE seq = ?")) {
      ps.setLong(1, head.seq());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Row row;
        try {
          row = RowReader.of(rs).read(rs);
        } catch (IllegalArgumentException | NullPointerException e) {
          return HEAD_MALFORMED;
        }
        return macOk(row) ? HEAD_OK : HEAD_MAC_FAILS;
      }
    }
  }

  private boolean macOk(Row row) {
    Mac m = keys.mac(row.keyId());
    return m != null && MessageDigest.isEqual(m.doFinal(Canonical.encode(row, identity.forSeq(row.seq()))), row.hash());
  }


  private void rotateIfNeeded() throws AuditException {
    if (keyMismatch != null) {
      LOG.warn("audit log {}: key rotation not recorded: {}", opts.dbPath(), keyMismatch);
      return;
    }
    Head head = submit(() -> readHead(wconn));
    if (head.seq() > 0 && head.keyId() != activeKeyId && submit(() -> readTamper(wconn)).isPresent()) {
      LOG.warn("audit log {}: key rotation not recorded: the store is read-only after a failed verification",
          opts.dbPath());
      return;
    }
    if (head.seq() > 0 && head.keyId() != activeKeyId) {
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("from_key_id", (long) head.keyId());
      md.put("to_key_id", (long) activeKeyId);
      AuditEvent ev =
          new AuditEvent(
              AuditLevel.SECURITY, KEY_ROTATED_EVENT, "system",
              "audit MAC key rotated from id " + head.keyId() + " to id " + activeKeyId, md, Optional.empty());
      await(enqueueAppend(ev));
    }
  }

  /**
   * A new log with a checkpoint sink gets its first checkpoint (seq 0) at once: from then on, a missing or empty
   * checkpoint file next to a log with entries can only mean the file was removed.
   */
  private void startCheckpointsOfNewLog() throws AuditException {
    if (opts.checkpointSink().isEmpty()) {
      return;
    }
    synchronized (checkpointLock) {
      SqliteReads.SinkState state;
      try {
        state = SqliteReads.readSink(opts.checkpointSink().get());
      } catch (AuditException e) {
        LOG.error("audit log {}: cannot read the checkpoint sink: {}", opts.dbPath(), e.getMessage());
        return;
      }
      if (!state.checkpoints().isEmpty() || state.torn()) {
        return;
      }
      Head head = submit(() -> readHead(wconn));
      if (head.seq() == 0) {
        signAndAppend(0, GENESIS);
      }
    }
  }

  // ---------------------------------------------------------------- appends

  @Override
  public AuditEntry append(AuditEvent event) throws AuditException {
    return await(appendAsync(event));
  }

  @Override
  public CompletableFuture<AuditEntry> appendAsync(AuditEvent event) {
    if (event == null) {
      throw new IllegalArgumentException("event must not be null");
    }
    if (event.event().equals(PURGE_EVENT) || event.event().startsWith("audit.")) {
      throw new IllegalArgumentException(
          "event name " + event.event() + " is reserved for the audit store itself");
    }
    return enqueueAppend(event);
  }

  private CompletableFuture<AuditEntry> enqueueAppend(AuditEvent event) {
    String json = Json.write(event.metadata());
    if (json.length() > Json.MAX_INPUT) {
      // the reader refuses longer JSON: such an entry was stored and MACed, then failed every verification as
      // MALFORMED_ENTRY and made the store read-only — one oversized value from a caller's input locked the log
      throw new IllegalArgumentException(
          "metadata must be at most " + Json.MAX_INPUT + " chars as JSON, got " + json.length());
    }
    CompletableFuture<AuditEntry> f = new CompletableFuture<>();
    enqueue(
        new Append(
            event,
            Canonical.body(
                event.level().name(), event.event(), event.actor(), event.message(),
                event.correlationId().orElse(null), event.metadata()),
            json, f),
        f);
    return f;
  }

  private void enqueue(Op op, CompletableFuture<?> f) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        f.completeExceptionally(new AuditException(Reason.CLOSED, "audit store " + opts.dbPath() + " is closed"));
        return;
      }
      queue.put(op);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.completeExceptionally(
          new AuditException(Reason.INTERRUPTED, "interrupted while enqueueing; the entry was not written", e));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private static <T> T await(CompletableFuture<T> f) throws AuditException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          // the commit is already queued; finish waiting so the caller learns the outcome, then restore the flag
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AuditException ae) {
        throw AuditException.rethrown(ae);
      }
      if (c instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new AuditException(Reason.STORAGE, "audit operation failed: " + c, c);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T submit(WriterWork<T> work) throws AuditException {
    CompletableFuture<Object> f = new CompletableFuture<>();
    enqueue(new Task(work, f), f);
    return (T) await(f);
  }

  // ---------------------------------------------------------------- writer thread

  private void writerLoop() {
    try {
      serve();
    } catch (Throwable t) { // an Error here must not leave callers waiting forever
      LOG.error("audit log {}: writer thread died; the store is closed", opts.dbPath(), t);
      closed = true;
      AuditException ae = new AuditException(Reason.CLOSED, "audit writer failed: " + t, t);
      List<Op> rest = new ArrayList<>();
      queue.drainTo(rest);
      for (Op op : rest) {
        if (op instanceof Append a) {
          a.result().completeExceptionally(ae);
        } else if (op instanceof Task t2) {
          t2.result().completeExceptionally(ae);
        } else if (op instanceof Stop st) {
          st.done().complete(null);
        }
      }
    } finally {
      closeQuietly(wconn);
    }
  }

  private void serve() {
    List<Op> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        if (reclaimPhase != 0) {
          // deferred space reclamation runs only while nothing is waiting, one bounded step at a time
          Op next = queue.poll();
          if (next == null) {
            reclaimStep();
            continue;
          }
          batch.add(next);
        } else {
          batch.add(queue.take());
        }
        queue.drainTo(batch, opts.maxBatchSize() - 1);
        // group commit: while appenders are still enqueueing a burst, give them the CPU and take what they added, so a
        // burst commits in few fsyncs (the commit dominates: profile in PERFORMANCE.md, issue 17); an idle queue costs
        // one yield
        while (batch.size() < opts.maxBatchSize() && batch.get(batch.size() - 1) instanceof Append) {
          Thread.yield();
          if (queue.drainTo(batch, opts.maxBatchSize() - batch.size()) == 0) {
            break;
          }
        }
        long lingerNanos = opts.maxBatchDelay().toNanos();
        if (lingerNanos > 0 && batch.size() < opts.maxBatchSize()) {
          long deadline = System.nanoTime() + lingerNanos;
          while (batch.size() < opts.maxBatchSize()) {
            long left = deadline - System.nanoTime();
            Op more = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (more == null) {
              break;
            }
            batch.add(more);
            if (!(more instanceof Append)) {
              break;
            }
          }
        }
      } catch (InterruptedException e) {
        // the writer is never interrupted by design; keep serving until a Stop arrives
        continue;
      }
      int i = 0;
      while (i < batch.size()) {
        Op op = batch.get(i);
        if (op instanceof Append) {
          int j = i;
          while (j < batch.size() && batch.get(j) instanceof Append) {
            j++;
          }
          commitAppends(batch.subList(i, j));
          i = j;
        } else if (op instanceof Task t) {
          runTask(t);
          i++;
        } else {
          stop = true;
          i++;
          if (reclaimPhase != 0) {
            // a purge's space is reclaimed before the store closes (e.g. 'audit purge' exits right after the purge)
            try {
              reclaim();
            } catch (SQLException | RuntimeException e) {
              LOG.warn("audit log {}: space reclamation at close failed: {}", opts.dbPath(), e.getMessage());
            }
          }
        }
      }
      for (Op op : batch) {
        if (op instanceof Stop s) {
          s.done().complete(null);
        }
      }
      batch.clear();
    }
  }

  private void runTask(Task t) {
    try {
      t.result().complete(t.work().run());
    } catch (Exception | Error e) {
      rollbackQuietly();
      t.result().completeExceptionally(e);
    }
  }

  private void commitAppends(List<Op> appends) {
    List<AuditEntry> out = new ArrayList<>(appends.size());
    try (Statement st = wconn.createStatement();
        PreparedStatement ps = wconn.prepareStatement(INSERT)) {
      if (keyMismatch != null) {
        AuditException ae = new AuditException(AuditException.Reason.KEY_MISMATCH, "refusing to append: " + keyMismatch);
        for (Op op : appends) {
          ((Append) op).result().completeExceptionally(ae);
        }
        return;
      }
      st.execute("BEGIN IMMEDIATE");
      Optional<VerificationResult> tampered = tamper(wconn);
      if (tampered.isPresent()) {
        st.execute("ROLLBACK");
        AuditException ae = AuditException.tampered("refusing to append", tampered.get());
        for (Op op : appends) {
          ((Append) op).result().completeExceptionally(ae);
        }
        return;
      }
      // the head as the database holds it now: another process may have appended since this store's last commit
      Head head = readHead(wconn);
      long seq = head.seq();
      byte[] prev = head.hash();
      for (Op op : appends) {
        Append a = (Append) op;
        AuditEvent ev = a.event();
        seq = Verifier.nextSeq(seq); // never wraps to a negative seq (attack18c)
        long ts = opts.clock().millis();
        // only the MAC is left for the writer: the canonical middle and the JSON came encoded with the event
        byte[] logId = identity.forSeq(seq);
        Row row =
            logId == null
                ? newRow(seq, ts, ev, prev) // never for a current log: every new seq binds the log id
                : new Row(
                    seq, ts, ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.metadata(),
                    ev.correlationId().orElse(null), activeKeyId, prev,
                    Canonical.mac(activeMac, logId, seq, ts, activeKeyId, a.body(), prev));
        bind(ps, row, a.json());
        ps.addBatch(); // sqlite-jdbc runs a batch in one native call
        out.add(toEntry(row));
        prev = row.hash();
      }
      // a trigger planted in the file (RAISE(IGNORE)) drops a row silently: the caller would get a seq and hash for an
      // entry that never reached the table (red team attack18c); fail the group like PostgreSQL's count check
      for (int n : ps.executeBatch()) {
        checkInserted(n);
      }
      st.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      LOG.error("audit log {}: commit of {} entries failed", opts.dbPath(), appends.size(), e);
      AuditException ae = new AuditException(Reason.STORAGE, "audit commit failed: " + e.getMessage(), e);
      for (Op op : appends) {
        ((Append) op).result().completeExceptionally(ae);
      }
      return;
    }
    for (int k = 0; k < appends.size(); k++) {
      ((Append) appends.get(k)).result().complete(out.get(k));
    }
  }

  private Row newRow(long seq, long ts, AuditEvent ev, byte[] prev) {
    Row unsigned =
        new Row(
            seq, ts, ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.metadata(),
            ev.correlationId().orElse(null), activeKeyId, prev, NOT_YET_MACED);
    byte[] hash = activeMac.doFinal(Canonical.encode(unsigned, identity.forSeq(seq)));
    return new Row(
        seq, ts, unsigned.level(), unsigned.event(), unsigned.actor(), unsigned.message(), unsigned.metadata(),
        unsigned.correlationId(), activeKeyId, prev, hash);
  }

  private static void insert(PreparedStatement ps, Row r) throws SQLException {
    bind(ps, r, Json.write(r.metadata()));
    checkInserted(ps.executeUpdate());
  }

  /** One row per insert, or the table drops rows (a planted trigger): the transaction must not commit. */
  private static void checkInserted(int n) throws SQLException {
    if (n != 1) {
      throw new SQLException(
          "an insert into audit_log stored " + n + " rows instead of 1: a trigger in the database drops entries");
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

  private void rollbackQuietly() {
    try (Statement st = wconn.createStatement()) {
      if (!wconn.getAutoCommit()) {
        wconn.rollback();
      } else {
        st.execute("ROLLBACK");
      }
    } catch (SQLException e) {
      // no transaction was open
    }
  }

  /** Writes other than appends (purge, checkpoint, acknowledgement) are refused like appends on a key mismatch. */
  private void refuseOnKeyMismatch(String operation) throws AuditException {
    if (keyMismatch != null) {
      throw new AuditException(AuditException.Reason.KEY_MISMATCH, operation + ": " + keyMismatch);
    }
  }

  // ---------------------------------------------------------------- retention

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
    if (opts.checkpointSink().isPresent()) {
      SqliteReads.SinkState state = SqliteReads.readSink(opts.checkpointSink().get());
      if (state.torn()) {
        throw new AuditException(Reason.CHECKPOINT_FILE_TORN, "refusing to purge: " + state.tornDetail());
      }
      sink = Optional.of(state);
    }
    Optional<SqliteReads.SinkState> checkpoints = sink;
    // space reclamation is left to the writer's idle time (reclaimStep), to close() and to reclaimSpace(): off the
    // caller's path, where it was 37 % of a purge (issue 17 profile in PERFORMANCE.md)
    return submit(() -> purge(policy, checkpoints, progress));
  }

  @Override
  public long reclaimSpace() throws AuditException {
    checkOpen();
    return submit(this::reclaim);
  }

  /** Pages the writer frees per idle step (one transaction, one fsync each), so a waiting append is delayed little. */
  static final int RECLAIM_STEP_PAGES = 2048;

  /** Set by a purge (writer thread only): reclamation is due. 0 none, 1 FTS optimize next, 2 vacuum, 3 WAL truncate. */
  private int reclaimPhase;

  /**
   * One bounded step of the deferred reclamation, run by the writer when no operation is waiting. A failure is logged
   * and ends the deferred reclamation (reclaimSpace() or the next purge starts it again).
   */
  private void reclaimStep() {
    try (Statement st = wconn.createStatement()) {
      switch (reclaimPhase) {
        case 1 -> {
          if (opts.fullTextSearch()) {
            st.execute("INSERT INTO audit_fts(audit_fts) VALUES ('optimize')");
          }
          reclaimPhase = 2;
        }
        case 2 -> {
          st.execute("BEGIN IMMEDIATE");
          long before = freelist(st);
          try {
            vacuumPages(st, before, RECLAIM_STEP_PAGES);
            st.execute("COMMIT");
          } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
          }
          long after = freelist(st);
          if (after == 0 || after >= before) {
            reclaimPhase = 3;
          }
        }
        default -> {
          walTruncate(st);
          reclaimPhase = 0;
        }
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("audit log {}: deferred space reclamation stopped: {}", opts.dbPath(), e.getMessage());
      reclaimPhase = 0;
    }
  }

  private long purge(
      RetentionPolicy policy, Optional<SqliteReads.SinkState> checkpoints, VerificationProgress progress)
      throws SQLException, AuditException {
    long now = opts.clock().millis();
    try (Statement st = wconn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      Head head = readHead(wconn);
      if (head.seq() == 0) {
        st.execute("ROLLBACK");
        return 0L;
      }
      long first;
      try (ResultSet rs = st.executeQuery("SELECT min(seq) FROM audit_log")) {
        first = rs.getLong(1);
      }
      long lastDel = 0;
      if (policy.maxEntries() > 0) {
        lastDel = Math.max(lastDel, head.seq() + 1 - policy.maxEntries());
      }
      long cutoff = 0;
      if (policy.maxAgeDays() > 0) {
        cutoff = now - policy.maxAgeDays() * 86_400_000L;
        // only an integer ts can be young: a ts stored as text or blob compares above every integer and would stop
        // age-based retention at that row, silently; here it falls into the range, whose verification names it
        try (PreparedStatement ps =
            wconn.prepareStatement(
                "SELECT seq FROM audit_log WHERE typeof(ts) = 'integer' AND ts >= ? ORDER BY seq LIMIT 1")) {
          ps.setLong(1, cutoff);
          try (ResultSet rs = ps.executeQuery()) {
            lastDel = Math.max(lastDel, rs.next() ? rs.getLong(1) - 1 : head.seq());
          }
        }
      }
      lastDel = Math.min(lastDel, head.seq() - 1);
      if (lastDel < first) {
        st.execute("ROLLBACK");
        return 0L;
      }
      // never erase evidence: the range to delete (and the link to what stays) must verify first; with checkpoints,
      // the whole log must agree with every checkpoint, or a rollback visible only against them would be erased
      Verifier.Checks checks =
          checkpoints
              .map(
                  s ->
                      new Verifier.Checks(
                          s.checkpoints(), opts.checkpointKeys().map(KeyPair::getPublic).orElse(null), true,
                          Optional.empty(), VerificationProgress.NONE))
              .orElse(Verifier.Checks.chainOnly())
              .withProgress(progress);
      long upTo = checkpoints.isPresent() ? Long.MAX_VALUE : lastDel + 1;
      VerificationResult pre = new Verifier(keys).verify(wconn, checks, upTo).result();
      if (!pre.valid()) {
        st.execute("ROLLBACK");
        VerificationResult record = toRecordOnWriter(pre);
        if (record != null) {
          markTampered(record);
        }
        throw AuditException.verificationFailed("refusing to purge", pre);
      }
      // a log that verifies now may still be read-only after an earlier failure (e.g. against checkpoints since repaired)
      Optional<VerificationResult> tampered = tamper(wconn);
      if (tampered.isPresent()) {
        st.execute("ROLLBACK");
        throw AuditException.tampered("refusing to purge", tampered.get());
      }
      byte[] lastHash;
      try (PreparedStatement ps = wconn.prepareStatement("SELECT hash FROM audit_log WHERE seq = ?")) {
        ps.setLong(1, lastDel);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          lastHash = rs.getBytes(1);
        }
      }
      try (PreparedStatement ps = wconn.prepareStatement("DELETE FROM audit_log WHERE seq <= ?")) {
        ps.setLong(1, lastDel);
        ps.executeUpdate();
      }
      long count = lastDel - first + 1;
      Map<String, Object> policyMd = new LinkedHashMap<>();
      policyMd.put("max_age_days", (long) policy.maxAgeDays());
      policyMd.put("max_entries", policy.maxEntries());
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("first_seq", first);
      md.put("last_seq", lastDel);
      md.put("count", count);
      md.put("last_deleted_hash", HexFormat.of().formatHex(lastHash));
      md.put("policy", policyMd);
      if (policy.maxAgeDays() > 0) {
        md.put("cutoff", Instant.ofEpochMilli(cutoff).toString());
      }
      AuditEvent ev =
          new AuditEvent(
              AuditLevel.SECURITY, PURGE_EVENT, "system",
              "retention purged " + count + " entries (seq " + first + ".." + lastDel + ")", md, Optional.empty());
      Row row = newRow(Verifier.nextSeq(head.seq()), now, ev, head.hash());
      try (PreparedStatement ps = wconn.prepareStatement(INSERT)) {
        insert(ps, row);
      }
      st.execute("COMMIT");
      reclaimPhase = 1; // deferred: the writer reclaims the space when idle (reclaimStep), or close()/reclaimSpace()
      LOG.info("audit log {}: retention purged {} entries (seq {}..{})", opts.dbPath(), count, first, lastDel);
      return count;
    }
  }

  private long reclaim() throws SQLException {
    reclaimPhase = 0;
    long pagesBefore;
    try (Statement st = wconn.createStatement()) {
      pagesBefore = pageCount(st);
      // one transaction: in autocommit every vacuum step would be its own fsync'd commit
      st.execute("BEGIN IMMEDIATE");
      try {
        if (opts.fullTextSearch()) {
          st.execute("INSERT INTO audit_fts(audit_fts) VALUES ('optimize')");
        }
        // through JDBC an incremental_vacuum statement frees one page per execution: repeat until the freelist is empty
        // (one prepared statement re-run: parsing the pragma for every page was a measurable part of the purge)
        vacuumPages(st, freelist(st), Long.MAX_VALUE);
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly();
        throw e;
      }
      walTruncate(st);
      return Math.max(0, pagesBefore - pageCount(st));
    }
  }

  /** Frees up to {@code max} free pages (inside the caller's transaction), stopping when no progress is made. */
  private void vacuumPages(Statement st, long free, long max) throws SQLException {
    long freed = 0;
    try (PreparedStatement vacuum = wconn.prepareStatement("PRAGMA incremental_vacuum")) {
      while (free > 0 && freed < max) {
        int n = (int) Math.min(1024, max - freed);
        for (int i = 0; i < n; i++) {
          vacuum.execute();
        }
        freed += n;
        long now = freelist(st);
        if (now >= free) {
          break;
        }
        free = now;
      }
    }
  }

  private static void walTruncate(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      while (rs.next()) {
        // consume
      }
    }
  }

  private static long pageCount(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA page_count")) {
      return rs.getLong(1);
    }
  }

  private static long freelist(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA freelist_count")) {
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------- checkpoints

  @Override
  public boolean checkpointsConfigured() {
    return opts.checkpointSink().isPresent();
  }

  private CheckpointSink sink() {
    return opts.checkpointSink().orElseThrow(() -> new IllegalStateException("no checkpoint sink configured"));
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
   * Verifies, then signs the head of exactly the snapshot that verified. A regular checkpoint is verified against the
   * existing checkpoints (so none is ever signed over a fork, rollback or truncation, nor over a deleted checkpoint
   * file); a start needs an empty sink and a chain that verifies on its own.
   */
  private Checkpoint signVerified(boolean start) throws AuditException {
    refuseOnKeyMismatch("refusing to sign a checkpoint");
    CheckpointSink sink = sink();
    checkOpen();
    synchronized (checkpointLock) {
      SqliteReads.SinkState state = SqliteReads.readSink(sink);
      if (start && (!state.checkpoints().isEmpty() || state.torn())) {
        throw new AuditException(
            Reason.CHECKPOINT_STATE,
            "the checkpoint sink " + sink + " already holds " + state.checkpoints().size()
                + " checkpoint(s); use checkpoint()");
      }
      if (state.torn()) {
        throw new AuditException(Reason.CHECKPOINT_FILE_TORN, "refusing to sign a checkpoint: " + state.tornDetail());
      }
      Verifier.Checks checks =
          start
              ? Verifier.Checks.chainOnly()
              : new Verifier.Checks(
                  state.checkpoints(), opts.checkpointKeys().orElseThrow().getPublic(), true, Optional.empty(),
                  VerificationProgress.NONE);
      Verifier.Outcome o = reads.verify(checks);
      if (!o.result().valid()) {
        noteFailure(o.result());
        throw AuditException.verificationFailed(
            start ? "refusing to start checkpoints" : "refusing to sign a checkpoint", o.result());
      }
      if (start) {
        LOG.warn(
            "audit log {}: starting a new checkpoint file {} at seq {} (only do this for a log that never had one)",
            opts.dbPath(), sink, o.result().headSeq());
      }
      return signAndAppend(
          o.result().headSeq(), Objects.requireNonNull(o.headHash(), "a valid outcome has a head hash"));
    }
  }

  private Checkpoint signAndAppend(long seq, byte[] headHash) throws AuditException {
    Checkpoint cp =
        Checkpoint.sign(
            opts.origin(), seq, HexFormat.of().formatHex(headHash), opts.clock().instant(),
            Optional.of(identity.hex()), opts.checkpointKeys().orElseThrow());
    sink().append(cp);
    return cp;
  }

  // ---------------------------------------------------------------- read-only after tampering

  /** Event name of an acknowledgement of tampering; reserved. */
  public static final String TAMPERING_ACKNOWLEDGED_EVENT = "audit.tampering_acknowledged";

  private static final int MAX_REASON = 1000;

  @Override
  public VerificationResult verify(dev.secureyeoman.audit.VerifyOptions options) throws AuditException {
    VerificationResult r = reads.verify(options);
    if (!r.valid() && Checkpoints.callerExpectations(options)) {
      // a failure against the caller's own expectation (a wrong log id, checkpoint or key) is recorded only when the
      // store's own verification (its configured sink and key) fails too, and then that result (red team attack18)
      VerificationResult own;
      try {
        own = reads.verify(dev.secureyeoman.audit.VerifyOptions.defaults());
      } catch (AuditException e) {
        if (e.reason() == Reason.CLOSED) {
          throw e;
        }
        own = r; // the store's own checks cannot run (its checkpoint file unreadable): fail closed, record this one
      }
      if (!own.valid()) {
        noteFailure(own);
      }
      return r;
    }
    noteFailure(r);
    return r;
  }

  /** Records a failed verification of this log (on the writer thread), making the store read-only. */
  private void noteFailure(VerificationResult r) throws AuditException {
    // a store whose keys do not verify the head (a wrong key) must not lock the log for the right one (as on PostgreSQL)
    if (!r.valid() && r.problem().orElseThrow() != VerificationResult.Problem.CHECKPOINT_FILE_TORN
        && keyMismatch == null) {
      // decided on a reader snapshot, not on the writer thread: after an acknowledgement this scans the whole log
      Verifier.Checks own = null;
      try {
        own = Checkpoints.own(opts.checkpointSink(), opts.checkpointKeys()).checks();
      } catch (AuditException e) {
        // the checkpoint file cannot be read: nothing can be compared with an acknowledgement, record (fail closed)
      }
      VerificationResult record = own == null ? r : reads.toRecord(own, r);
      if (record == null) {
        return; // only acknowledged breaks
      }
      // an interrupted caller (a maintenance thread being shut down) must not skip recording the failure: before, the
      // enqueue failed with INTERRUPTED, the result was lost and the store stayed writable
      boolean interrupted = Thread.interrupted();
      try {
        submit(() -> {
          markTampered(record);
          return Boolean.TRUE; // a value for submit(); ignored
        });
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * On the writer thread: the failure to record for {@code r} when every break of the log lies inside the ranges of the
   * newest genuine acknowledgement ({@link Verifier#toRecord}), else {@code r}'s replacement naming the new break;
   * null when nothing new is broken.
   */
  private @Nullable VerificationResult toRecordOnWriter(VerificationResult r) throws SQLException {
    Verifier.Checks own;
    try {
      own = Checkpoints.own(opts.checkpointSink(), opts.checkpointKeys()).checks();
    } catch (AuditException e) {
      return r; // the sink cannot be read: record the failure (fail closed)
    }
    try (Statement st = wconn.createStatement()) {
      st.execute("BEGIN");
      try {
        return new Verifier(keys).toRecord(wconn, own, r);
      } finally {
        st.execute("COMMIT");
      }
    }
  }

  /** On the writer thread: persists the failure unless one is already recorded. */
  private void markTampered(VerificationResult r) throws SQLException {
    if (r.valid() || r.problem().orElseThrow() == VerificationResult.Problem.CHECKPOINT_FILE_TORN) {
      return;
    }
    try (Statement st = wconn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        Map<String, String> state = tamperState(wconn);
        long broken = r.firstBrokenSeq().orElse(0);
        if (state.containsKey("detected_seq")) {
          st.execute("ROLLBACK");
          return;
        }
        try (PreparedStatement ps =
            wconn.prepareStatement("INSERT OR REPLACE INTO audit_tamper(name, value) VALUES (?, ?)")) {
          putState(ps, "detected_seq", Long.toString(broken));
          putState(ps, "detected_problem", r.problem().orElseThrow().name());
          putState(ps, "detected_detail", r.detail());
          putState(ps, "detected_at", Instant.ofEpochMilli(opts.clock().millis()).toString());
        }
        if (readTamper(wconn).isEmpty()) {
          throw new SQLException("the tamper record does not read back: audit_tamper is rewritten (a trigger?)");
        }
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      unrecorded = r;
      LOG.error("audit log {}: could not record the failed verification ({}); this store refuses appends until"
          + " acknowledgeTampering, other processes only after their own verification", opts.dbPath(), r.summary(), e);
      throw e;
    }
    LOG.error(
        "audit log {}: verification failed ({}); the store refuses appends until acknowledgeTampering",
        opts.dbPath(), r.summary());
  }

  private static void putState(PreparedStatement ps, String name, String value) throws SQLException {
    ps.setString(1, name);
    ps.setString(2, value);
    ps.executeUpdate();
  }

  private static Map<String, String> tamperState(Connection c) throws SQLException {
    Map<String, String> m = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name, value FROM audit_tamper")) {
      while (rs.next()) {
        m.put(rs.getString(1), rs.getString(2));
      }
    }
    return m;
  }

  /** The recorded failure, else the one this store could not record. */
  private Optional<VerificationResult> tamper(Connection c) throws SQLException {
    Optional<VerificationResult> recorded = readTamper(c);
    VerificationResult local = unrecorded;
    return recorded.isPresent() || local == null ? recorded : Optional.of(local);
  }

  /** The recorded failure, read inside the caller's transaction. */
  private static Optional<VerificationResult> readTamper(Connection c) throws SQLException {
    Map<String, String> m = tamperState(c);
    String seq = m.get("detected_seq");
    if (seq == null) {
      return Optional.empty();
    }
    VerificationResult.Problem problem;
    long at;
    try {
      problem = VerificationResult.Problem.valueOf(m.getOrDefault("detected_problem", ""));
      at = Long.parseLong(seq);
    } catch (IllegalArgumentException e) {
      // an unreadable record still means "refuse": fail closed
      problem = VerificationResult.Problem.MALFORMED_ENTRY;
      at = 0;
    }
    return Optional.of(
        new VerificationResult(
            false, 0, 0, 0, 0, java.util.OptionalLong.of(at), Optional.of(problem),
            m.getOrDefault("detected_detail", "") + " (detected " + m.getOrDefault("detected_at", "?") + ")"));
  }

  @Override
  public Optional<VerificationResult> tamperingDetected() throws AuditException {
    checkOpen();
    return submit(() -> tamper(wconn));
  }

  @Override
  public AuditEntry acknowledgeTampering(String reason, String actor) throws AuditException {
    if (reason == null || reason.isBlank() || reason.length() > MAX_REASON) {
      throw new IllegalArgumentException("reason must be 1.." + MAX_REASON + " characters and not blank");
    }
    checkAckActor(actor);
    checkOpen();
    refuseOnKeyMismatch("refusing to acknowledge");
    Verifier.Checks own = Checkpoints.own(opts.checkpointSink(), opts.checkpointKeys()).checks();
    return submit(() -> acknowledge(reason, actor, own));
  }

  /**
   * The actor of an acknowledgement: 1..256 characters, not blank (both engines).
   *
   * @param actor the actor
   * @throws IllegalArgumentException if it is null, blank or too long
   */
  static void checkAckActor(@Nullable String actor) {
    if (actor == null || actor.isBlank() || actor.length() > 256) {
      throw new IllegalArgumentException("actor must be 1..256 characters and not blank");
    }
  }

  private AuditEntry acknowledge(String reason, String actor, Verifier.Checks own) throws SQLException {
    try (Statement st = wconn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        Optional<VerificationResult> t = tamper(wconn);
        if (t.isEmpty()) {
          throw new IllegalStateException("the audit log " + opts.dbPath() + " is not read-only: nothing to acknowledge");
        }
        Map<String, String> state = tamperState(wconn);
        Head head = readHead(wconn);
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("reason", reason);
        md.put("first_broken_seq", t.get().firstBrokenSeq().orElse(0));
        md.put("problem", t.get().problem().orElseThrow().name());
        md.put("detected_at", state.getOrDefault("detected_at", ""));
        md.put("head_seq", head.seq());
        Verifier.Breaks breaks = ackBreaks(wconn, own);
        md.put(Verifier.ACK_RANGES, Verifier.encodeRanges(breaks));
        md.put(Verifier.ACK_LOG_PROBLEMS, Verifier.encodeProblems(breaks));
        md.put(Verifier.ACK_CHECKPOINTS, Verifier.encodeCheckpoints(breaks));
        AuditEvent ev =
            new AuditEvent(
                AuditLevel.SECURITY, TAMPERING_ACKNOWLEDGED_EVENT, actor,
                "host acknowledged a failed verification (" + t.get().problem().orElseThrow() + " at seq "
                    + t.get().firstBrokenSeq().orElse(0) + ") and resumed appending",
                md, Optional.empty());
        Row row = newRow(Verifier.nextSeq(head.seq()), opts.clock().millis(), ev, head.hash());
        try (PreparedStatement ps = wconn.prepareStatement(INSERT)) {
          insert(ps, row);
        }
        st.execute("DELETE FROM audit_tamper WHERE name LIKE 'detected_%'");
        try (PreparedStatement ps =
            wconn.prepareStatement("INSERT OR REPLACE INTO audit_tamper(name, value) VALUES (?, ?)")) {
          putState(ps, "acknowledged_through", Long.toString(row.seq())); // informational: coverage comes from the entry
        }
        st.execute("COMMIT");
        unrecorded = null;
        LOG.warn("audit log {}: tampering acknowledged at seq {}; appends resume", opts.dbPath(), row.seq());
        return toEntry(row);
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly();
        throw e;
      }
    }
  }

  /**
   * Every broken range of the log now (inside the caller's transaction), for the acknowledgement entry.
   *
   * @throws IllegalStateException beyond {@link Verifier#MAX_ACK_RANGES} ranges
   */
  private Verifier.Breaks ackBreaks(Connection c, Verifier.Checks own) throws SQLException {
    Verifier.Breaks breaks = new Verifier(keys).scanBreaks(c, own);
    if (Verifier.hasRowBelowOne(breaks)) {
      throw new IllegalStateException(Verifier.BELOW_ONE_REFUSED);
    }
    if (breaks.overflow()) {
      throw new IllegalStateException(
          "the audit log " + opts.dbPath() + " has more than " + Verifier.MAX_ACK_RANGES + " broken ranges: too many to"
              + " acknowledge; restore it from a backup or start a new log");
    }
    return breaks;
  }

  // ---------------------------------------------------------------- reads

  private Connection reader() throws SQLException {
    Connection c = connect(url, opts.busyTimeout().toMillis());
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA query_only = 1");
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private void checkOpen() throws AuditException {
    if (closed) {
      throw new AuditException(Reason.CLOSED, "audit store " + opts.dbPath() + " is closed");
    }
  }

  private void checkOpenUnchecked() {
    if (closed) {
      throw new SqliteReads.ClosedException("audit store " + opts.dbPath() + " is closed");
    }
  }

  @Override
  public Optional<String> logId() {
    return Optional.of(identity.hex());
  }

  @Override
  SqliteReads reads() {
    return reads;
  }

  static AuditEntry toEntry(Row r) {
    HexFormat hex = HexFormat.of();
    return new AuditEntry(
        r.seq(), Instant.ofEpochMilli(r.timestampMillis()), AuditLevel.valueOf(r.level()), r.event(), r.actor(),
        r.message(), r.metadata(), Optional.ofNullable(r.correlationId()), r.keyId(), hex.formatHex(r.prevHash()),
        hex.formatHex(r.hash()));
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    boolean interrupted = false;
    try {
      if (closed && !writerThread.isAlive()) {
        return;
      }
      closed = true;
      Stop stop = new Stop(new CompletableFuture<>());
      while (writerThread.isAlive()) {
        try {
          if (queue.offer(stop, 100, TimeUnit.MILLISECONDS)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
    while (true) {
      try {
        writerThread.join(); // the writer commits everything queued before the Stop, then closes the connection
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  static void closeQuietly(@Nullable Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.warn("closing audit database connection failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "SqliteAuditStore[" + opts.dbPath() + (closed ? ", closed" : "") + "]";
  }
}
