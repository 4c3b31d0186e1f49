package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
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
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/** SQLite implementation of {@link AuditStore}: one writer thread with group commit, fresh read connections. */
public final class SqliteStore implements AuditStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  /** Hash that the first entry ever chains to. */
  static final byte[] GENESIS = new byte[32];

  /** Event name of purge entries; reserved. */
  public static final String PURGE_EVENT = "retention_purge";

  /** Event name written when the active key differs from the head's key; reserved. */
  public static final String KEY_ROTATED_EVENT = "audit.key_rotated";

  /** Current schema version ({@code PRAGMA user_version}). */
  public static final int SCHEMA_VERSION = 1;

  static final String SELECT_ROW =
      "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash FROM audit_log";

  private static final String INSERT =
      "INSERT INTO audit_log(seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " VALUES (?,?,?,?,?,?,?,?,?,?,?)";

  private final AuditStoreOptions opts;
  private final String url;
  private final BlockingQueue<Op> queue;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Thread writerThread;
  private final Connection wconn;
  private final Mac activeMac;
  private final int activeKeyId;
  private volatile boolean closed;
  private long headSeq;
  private byte[] headHash;

  private sealed interface Op permits Append, Task, Stop {}

  private record Append(AuditEvent event, CompletableFuture<AuditEntry> result) implements Op {}

  @FunctionalInterface
  private interface WriterWork<T> {
    T run() throws Exception;
  }

  private record Task(WriterWork<?> work, CompletableFuture<Object> result) implements Op {}

  private record Stop(CompletableFuture<Void> done) implements Op {}

  private SqliteStore(AuditStoreOptions opts, Connection wconn) throws SQLException {
    this.opts = opts;
    this.url = "jdbc:sqlite:" + opts.dbPath();
    this.wconn = wconn;
    this.queue = new LinkedBlockingQueue<>(opts.queueCapacity());
    this.activeKeyId = opts.keyring().activeKeyId();
    this.activeMac = KeyringAccess.newMac(opts.keyring(), activeKeyId);
    try (Statement st = wconn.createStatement();
        ResultSet rs = st.executeQuery(SELECT_ROW + " ORDER BY seq DESC LIMIT 1")) {
      if (rs.next()) {
        headSeq = rs.getLong(1);
        headHash = rs.getBytes(11) == null ? GENESIS : rs.getBytes(11);
        boolean ok;
        try {
          Row head = readRow(rs);
          Mac m = KeyringAccess.newMac(opts.keyring(), head.keyId());
          ok = m != null && MessageDigest.isEqual(m.doFinal(Canonical.encode(head)), head.hash());
        } catch (IllegalArgumentException | NullPointerException e) {
          ok = false;
        }
        if (!ok) {
          // keep serving (an audit log that stops recording helps the attacker) but say so loudly; verify names it
          LOG.error("audit log {}: head entry seq {} fails its MAC; run verify", opts.dbPath(), headSeq);
        }
      } else {
        headSeq = 0;
        headHash = GENESIS;
      }
    }
    this.writerThread = new Thread(this::writerLoop, "audit-writer-" + opts.dbPath().getFileName());
    writerThread.setDaemon(true);
  }

  /**
   * Opens the store.
   *
   * @param opts settings
   * @return the store
   * @throws AuditException if the database cannot be opened
   */
  public static SqliteStore open(AuditStoreOptions opts) throws AuditException {
    Path db = opts.dbPath();
    Connection c = null;
    try {
      Path parent = db.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        Files0600.createDirectories0700(parent);
      }
      Files0600.createIfAbsent(db);
      for (String suffix : new String[] {"-wal", "-shm"}) {
        Path p = db.resolveSibling(db.getFileName() + suffix);
        if (Files.exists(p)) {
          Files0600.createIfAbsent(p); // tightens permissions of leftovers
        }
      }
      c = connect("jdbc:sqlite:" + db, opts.busyTimeout().toMillis());
      initSchema(c, opts.fullTextSearch());
      SqliteStore s = new SqliteStore(opts, c);
      s.writerThread.start();
      try {
        s.rotateIfNeeded();
      } catch (AuditException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    } catch (IOException | SQLException e) {
      closeQuietly(c);
      throw new AuditException("cannot open audit database " + db + ": " + e.getMessage(), e);
    }
  }

  static Connection connect(String url, long busyMillis) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyMillis));
    return cfg.createConnection(url);
  }

  private static void initSchema(Connection c, boolean fts) throws SQLException, AuditException {
    try (Statement st = c.createStatement()) {
      int version;
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        version = rs.getInt(1);
      }
      if (version > SCHEMA_VERSION) {
        throw new AuditException(
            "audit database schema version " + version + " is newer than supported version " + SCHEMA_VERSION);
      }
      if (version == 0) {
        // must precede the first table for incremental vacuum to work
        st.execute("PRAGMA auto_vacuum = INCREMENTAL");
      }
      try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
        String mode = rs.getString(1);
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new AuditException("audit database refused WAL mode (got " + mode + ")");
        }
      }
      // FULL: in WAL mode NORMAL may lose the last commits on power loss; an append that returned must survive, and a
      // checkpoint must never be signed over a head that is not on disk.
      st.execute("PRAGMA synchronous = FULL");
      if (version == 0) {
        st.execute("BEGIN IMMEDIATE");
        st.execute(
            "CREATE TABLE IF NOT EXISTS audit_log ("
                + " seq INTEGER PRIMARY KEY,"
                + " ts INTEGER NOT NULL,"
                + " level TEXT NOT NULL,"
                + " event TEXT NOT NULL,"
                + " actor TEXT NOT NULL,"
                + " message TEXT NOT NULL,"
                + " metadata TEXT NOT NULL,"
                + " correlation_id TEXT,"
                + " key_id INTEGER NOT NULL,"
                + " prev_hash BLOB NOT NULL,"
                + " hash BLOB NOT NULL)");
        st.execute(
            "CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log"
                + " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END");
        st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        st.execute("COMMIT");
      }
      boolean hasFts;
      try (ResultSet rs =
          st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_fts'")) {
        hasFts = rs.getInt(1) > 0;
      }
      if (fts && !hasFts) {
        st.execute("BEGIN IMMEDIATE");
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
        st.execute("COMMIT");
      } else if (!fts && hasFts) {
        st.execute("BEGIN IMMEDIATE");
        st.execute("DROP TRIGGER IF EXISTS audit_fts_ai");
        st.execute("DROP TRIGGER IF EXISTS audit_fts_ad");
        st.execute("DROP TABLE audit_fts");
        st.execute("COMMIT");
      }
    }
  }

  private void rotateIfNeeded() throws AuditException {
    Integer headKey = submit(
        () -> {
          if (headSeq == 0) {
            return null;
          }
          try (PreparedStatement ps = wconn.prepareStatement("SELECT key_id FROM audit_log WHERE seq = ?")) {
            ps.setLong(1, headSeq);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? rs.getInt(1) : null;
            }
          }
        });
    if (headKey != null && headKey != activeKeyId) {
      Map<String, Object> md = new LinkedHashMap<>();
      md.put("from_key_id", (long) headKey);
      md.put("to_key_id", (long) activeKeyId);
      AuditEvent ev =
          new AuditEvent(
              AuditLevel.SECURITY, KEY_ROTATED_EVENT, "system",
              "audit MAC key rotated from id " + headKey + " to id " + activeKeyId, md, Optional.empty());
      await(enqueueAppend(ev));
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
    CompletableFuture<AuditEntry> f = new CompletableFuture<>();
    enqueue(new Append(event, f), f);
    return f;
  }

  private void enqueue(Op op, CompletableFuture<?> f) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        f.completeExceptionally(new AuditException("audit store " + opts.dbPath() + " is closed"));
        return;
      }
      queue.put(op);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.completeExceptionally(new AuditException("interrupted while enqueueing; the entry was not written", e));
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
        throw new AuditException(ae.getMessage(), ae);
      }
      if (c instanceof IllegalStateException ise) {
        throw ise;
      }
      throw new AuditException("audit operation failed: " + c, c);
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
      AuditException ae = new AuditException("audit writer failed: " + t, t);
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
        batch.add(queue.take());
        queue.drainTo(batch, opts.maxBatchSize() - 1);
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
    long seq = headSeq;
    byte[] prev = headHash;
    try (Statement st = wconn.createStatement();
        PreparedStatement ps = wconn.prepareStatement(INSERT)) {
      st.execute("BEGIN IMMEDIATE");
      for (Op op : appends) {
        AuditEvent ev = ((Append) op).event();
        seq++;
        Row row = newRow(seq, opts.clock().millis(), ev, prev);
        bind(ps, row);
        ps.addBatch(); // sqlite-jdbc runs a batch in one native call
        out.add(toEntry(row));
        prev = row.hash();
      }
      ps.executeBatch();
      st.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      LOG.error("audit log {}: commit of {} entries failed", opts.dbPath(), appends.size(), e);
      AuditException ae = new AuditException("audit commit failed: " + e.getMessage(), e);
      for (Op op : appends) {
        ((Append) op).result().completeExceptionally(ae);
      }
      return;
    }
    headSeq = seq;
    headHash = prev;
    for (int k = 0; k < appends.size(); k++) {
      ((Append) appends.get(k)).result().complete(out.get(k));
    }
  }

  private Row newRow(long seq, long ts, AuditEvent ev, byte[] prev) {
    Row unsigned =
        new Row(
            seq, ts, ev.level().name(), ev.event(), ev.actor(), ev.message(), ev.metadata(),
            ev.correlationId().orElse(null), activeKeyId, prev, null);
    byte[] hash = activeMac.doFinal(Canonical.encode(unsigned));
    return new Row(
        seq, ts, unsigned.level(), unsigned.event(), unsigned.actor(), unsigned.message(), unsigned.metadata(),
        unsigned.correlationId(), activeKeyId, prev, hash);
  }

  private static void insert(PreparedStatement ps, Row r) throws SQLException {
    bind(ps, r);
    ps.executeUpdate();
  }

  private static void bind(PreparedStatement ps, Row r) throws SQLException {
    ps.setLong(1, r.seq());
    ps.setLong(2, r.timestampMillis());
    ps.setString(3, r.level());
    ps.setString(4, r.event());
    ps.setString(5, r.actor());
    ps.setString(6, r.message());
    ps.setString(7, Json.write(r.metadata()));
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

  // ---------------------------------------------------------------- retention

  @Override
  public long enforceRetention(RetentionPolicy policy) throws AuditException {
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    long deleted = submit(() -> purge(policy));
    if (deleted > 0) {
      submit(this::reclaim);
    }
    return deleted;
  }

  private long purge(RetentionPolicy policy) throws SQLException, AuditException {
    if (headSeq == 0) {
      return 0L;
    }
    long now = opts.clock().millis();
    try (Statement st = wconn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      long first;
      try (ResultSet rs = st.executeQuery("SELECT min(seq) FROM audit_log")) {
        first = rs.getLong(1);
      }
      long lastDel = 0;
      if (policy.maxEntries() > 0) {
        lastDel = Math.max(lastDel, headSeq + 1 - policy.maxEntries());
      }
      long cutoff = 0;
      if (policy.maxAgeDays() > 0) {
        cutoff = now - policy.maxAgeDays() * 86_400_000L;
        try (PreparedStatement ps =
            wconn.prepareStatement("SELECT seq FROM audit_log WHERE ts >= ? ORDER BY seq LIMIT 1")) {
          ps.setLong(1, cutoff);
          try (ResultSet rs = ps.executeQuery()) {
            lastDel = Math.max(lastDel, rs.next() ? rs.getLong(1) - 1 : headSeq);
          }
        }
      }
      lastDel = Math.min(lastDel, headSeq - 1);
      if (lastDel < first) {
        st.execute("ROLLBACK");
        return 0L;
      }
      // never erase evidence: the range to delete (and the link to what stays) must verify first
      VerificationResult pre =
          new Verifier(opts.keyring())
              .verify(wconn, List.of(), null, dev.secureyeoman.audit.VerificationProgress.NONE, lastDel + 1);
      if (!pre.valid()) {
        st.execute("ROLLBACK");
        throw new AuditException("refusing to purge: the audit log fails verification: " + pre.summary());
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
      Row row = newRow(headSeq + 1, now, ev, headHash);
      try (PreparedStatement ps = wconn.prepareStatement(INSERT)) {
        insert(ps, row);
      }
      st.execute("COMMIT");
      headSeq = row.seq();
      headHash = row.hash();
      LOG.info("audit log {}: retention purged {} entries (seq {}..{})", opts.dbPath(), count, first, lastDel);
      return count;
    }
  }

  private Void reclaim() throws SQLException {
    try (Statement st = wconn.createStatement()) {
      // one transaction: in autocommit every vacuum step would be its own fsync'd commit
      st.execute("BEGIN IMMEDIATE");
      try {
        if (opts.fullTextSearch()) {
          st.execute("INSERT INTO audit_fts(audit_fts) VALUES ('optimize')");
        }
        // through JDBC an incremental_vacuum statement frees one page per execution: repeat until the freelist is empty
        long free = freelist(st);
        while (free > 0) {
          for (int i = 0; i < 1024; i++) {
            st.execute("PRAGMA incremental_vacuum");
          }
          long now = freelist(st);
          if (now >= free) {
            break;
          }
          free = now;
        }
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly();
        throw e;
      }
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        while (rs.next()) {
          // consume
        }
      }
    }
    return null;
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

  @Override
  public Checkpoint checkpoint() throws AuditException {
    CheckpointSink sink =
        opts.checkpointSink().orElseThrow(() -> new IllegalStateException("no checkpoint sink configured"));
    KeyPair keys = opts.checkpointKeys().orElseThrow();
    return submit(
        () -> {
          Checkpoint cp =
              Checkpoint.sign(
                  opts.origin(), headSeq, HexFormat.of().formatHex(headHash), opts.clock().instant(), keys);
          sink.append(cp);
          return cp;
        });
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
      throw new AuditException("audit store " + opts.dbPath() + " is closed");
    }
  }

  @Override
  public VerificationResult verify(VerifyOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    checkOpen();
    List<Checkpoint> cps = options.checkpoints();
    if (cps.isEmpty() && options.useSinkCheckpoints() && opts.checkpointSink().isPresent()) {
      cps = opts.checkpointSink().get().readAll();
    }
    PublicKey key =
        options.checkpointKey().orElse(opts.checkpointKeys().map(KeyPair::getPublic).orElse(null));
    if (!cps.isEmpty() && key == null) {
      throw new IllegalArgumentException("checkpoints given but no trusted checkpoint key");
    }
    try (Connection c = reader();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      try {
        return new Verifier(opts.keyring()).verify(c, cps, key, options.progress(), Long.MAX_VALUE);
      } finally {
        st.execute("COMMIT");
      }
    } catch (SQLException e) {
      throw new AuditException("cannot read audit database " + opts.dbPath() + ": " + e.getMessage(), e);
    }
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
    args.add(q.afterSeq());
    q.minLevel()
        .ifPresent(
            min -> {
              sql.append(" AND level IN (");
              boolean firstLevel = true;
              for (AuditLevel l : AuditLevel.values()) {
                if (l.compareTo(min) >= 0) {
                  sql.append(firstLevel ? "?" : ",?");
                  args.add(l.name());
                  firstLevel = false;
                }
              }
              sql.append(')');
            });
    q.event().ifPresent(e -> {
      sql.append(" AND event = ?");
      args.add(e);
    });
    q.actor().ifPresent(a -> {
      sql.append(" AND actor = ?");
      args.add(a);
    });
    q.from().ifPresent(f -> {
      sql.append(" AND ts >= ?");
      args.add(f.toEpochMilli());
    });
    q.to().ifPresent(t -> {
      sql.append(" AND ts < ?");
      args.add(t.toEpochMilli());
    });
    sql.append(" ORDER BY seq LIMIT ?");
    args.add((long) q.limit());
    return select(sql.toString(), args);
  }

  @Override
  public List<AuditEntry> search(String text, int limit) throws AuditException {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + AuditQuery.MAX_LIMIT + ", got " + limit);
    }
    if (!opts.fullTextSearch()) {
      throw new IllegalStateException("full-text search is disabled for " + opts.dbPath());
    }
    String match = FtsQuery.escape(text);
    if (match.isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT l.seq, l.ts, l.level, l.event, l.actor, l.message, l.metadata, l.correlation_id, l.key_id,"
            + " l.prev_hash, l.hash FROM audit_fts f JOIN audit_log l ON l.seq = f.rowid"
            + " WHERE audit_fts MATCH ? ORDER BY l.seq DESC LIMIT ?";
    return select(sql, List.of(match, (long) limit));
  }

  private List<AuditEntry> select(String sql, List<Object> args) throws AuditException {
    checkOpen();
    try (Connection c = reader();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        Object a = args.get(i);
        if (a instanceof Long l) {
          ps.setLong(i + 1, l);
        } else {
          ps.setString(i + 1, (String) a);
        }
      }
      List<AuditEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(toEntryChecked(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new AuditException("cannot read audit database " + opts.dbPath() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long exportJsonl(Writer out) throws AuditException {
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    checkOpen();
    long n = 0;
    try (Connection c = reader();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      try (ResultSet rs = st.executeQuery(SELECT_ROW + " ORDER BY seq")) {
        while (rs.next()) {
          out.write(toEntryChecked(rs).toJson());
          out.write('\n');
          n++;
        }
      } finally {
        st.execute("COMMIT");
      }
      out.flush();
      return n;
    } catch (SQLException e) {
      throw new AuditException("cannot read audit database " + opts.dbPath() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new AuditException("cannot write export: " + e.getMessage(), e);
    }
  }

  private static AuditEntry toEntryChecked(ResultSet rs) throws SQLException, AuditException {
    long seq = rs.getLong(1);
    try {
      return toEntry(readRow(rs));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuditException("audit entry seq " + seq + " is malformed (run verify): " + e.getMessage(), e);
    }
  }

  static Row readRow(ResultSet rs) throws SQLException {
    String md = rs.getString(7);
    if (md == null) {
      throw new IllegalArgumentException("metadata is null");
    }
    byte[] prev = rs.getBytes(10);
    byte[] hash = rs.getBytes(11);
    if (prev == null || hash == null) {
      throw new IllegalArgumentException("hash is null");
    }
    return new Row(
        rs.getLong(1), rs.getLong(2),
        java.util.Objects.requireNonNull(rs.getString(3), "level"),
        java.util.Objects.requireNonNull(rs.getString(4), "event"),
        java.util.Objects.requireNonNull(rs.getString(5), "actor"),
        java.util.Objects.requireNonNull(rs.getString(6), "message"),
        Json.parseObject(md), rs.getString(8), rs.getInt(9), prev, hash);
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

  private static void closeQuietly(Connection c) {
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
