package dev.secureyeoman.integrations.conversation.internal;

import dev.secureyeoman.core.OwnerOnlyFiles;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.ConversationContext;
import dev.secureyeoman.integrations.conversation.ConversationException;
import dev.secureyeoman.integrations.conversation.ConversationException.Reason;
import dev.secureyeoman.integrations.conversation.ConversationLimits;
import dev.secureyeoman.integrations.conversation.ConversationStore;
import dev.secureyeoman.integrations.conversation.Turn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SQLite implementation behind {@link dev.secureyeoman.integrations.conversation.SqliteConversationStore}. */
public final class SqliteConversationStoreImpl implements ConversationStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteConversationStoreImpl.class);
  private static final int SCHEMA_VERSION = 1;
  private static final byte BODY_VERSION = 1;

  private final Path dbPath;
  private final Connection conn;
  private final SecretStore sealer;
  private final Duration retention;
  private boolean closed;

  private SqliteConversationStoreImpl(Path dbPath, Connection conn, SecretStore sealer, Duration retention) {
    this.dbPath = dbPath;
    this.conn = conn;
    this.sealer = sealer;
    this.retention = retention;
  }

  /**
   * Opens the store.
   *
   * @param dbPath the file
   * @param sealer body sealing
   * @param retention retention period
   * @param clock time of the first retention run
   * @return the store
   * @throws ConversationException if opening failed
   */
  public static SqliteConversationStoreImpl open(Path dbPath, SecretStore sealer, Duration retention, Clock clock)
      throws ConversationException {
    Path db = dbPath.toAbsolutePath();
    Connection c = null;
    try {
      Path parent = db.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        OwnerOnlyFiles.createDirectories(parent);
      }
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        // 0600 from creation; an existing file is narrowed to 0600; a planted symlink is refused, never chmod-ed
        OwnerOnlyFiles.createFileIfAbsent(Path.of(db + suffix));
      }
      c = DriverManager.getConnection("jdbc:sqlite:" + db);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
        st.execute("PRAGMA auto_vacuum = INCREMENTAL"); // effective on a new file, before the first table
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = FULL");
        st.execute("PRAGMA secure_delete = ON");
        st.execute("PRAGMA foreign_keys = ON");
        int version;
        try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
          version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version == 0) {
          st.execute("BEGIN IMMEDIATE");
          st.execute(
              "CREATE TABLE IF NOT EXISTS threads(id INTEGER PRIMARY KEY, thread_key TEXT NOT NULL UNIQUE,"
                  + " last_active INTEGER NOT NULL, next_seq INTEGER NOT NULL)");
          st.execute("CREATE INDEX IF NOT EXISTS threads_last_active ON threads(last_active)");
          st.execute(
              "CREATE TABLE IF NOT EXISTS turns(thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,"
                  + " seq INTEGER NOT NULL, at INTEGER NOT NULL, stored_at INTEGER NOT NULL, tokens INTEGER NOT NULL,"
                  + " body BLOB NOT NULL,"
                  + " PRIMARY KEY(thread_id, seq))");
          st.execute("CREATE INDEX IF NOT EXISTS turns_stored_at ON turns(stored_at)");
          st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
          st.execute("COMMIT");
        } else if (version != SCHEMA_VERSION) {
          throw new ConversationException(Reason.STORE_FAILED,
              "conversation store " + db + " has schema version " + version + ", expected " + SCHEMA_VERSION, null);
        }
      }
      SqliteConversationStoreImpl store = new SqliteConversationStoreImpl(db, c, sealer, retention);
      store.enforceRetention(clock.instant());
      return store;
    } catch (SQLException | IOException e) {
      closeQuietly(c);
      throw new ConversationException(Reason.STORE_FAILED, "cannot open conversation store " + db, e);
    } catch (ConversationException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void closeQuietly(@Nullable Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("close failed", e);
      }
    }
  }

  /** Associated data of one turn: binds the envelope to its thread, position and time. */
  static byte[] aad(ThreadKey key, long seq, long atMillis) {
    return ("conversation-turn:v1:" + key.canonical() + ":" + seq + ":" + atMillis).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] encode(Turn t) {
    byte[] author = t.author().getBytes(StandardCharsets.UTF_8);
    byte[] text = t.text().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + 4 + author.length + text.length);
    b.put(BODY_VERSION).put((byte) t.role().ordinal()).putInt(author.length).put(author).put(text);
    return b.array();
  }

  static Turn decode(byte[] plain, long atMillis) {
    ByteBuffer b = ByteBuffer.wrap(plain);
    if (b.get() != BODY_VERSION) {
      throw new IllegalArgumentException("unknown body version");
    }
    Turn.Role role = Turn.Role.values()[b.get()];
    int authorLen = b.getInt();
    String author = new String(plain, 6, authorLen, StandardCharsets.UTF_8);
    String text = new String(plain, 6 + authorLen, plain.length - 6 - authorLen, StandardCharsets.UTF_8);
    return new Turn(role, author, text, Instant.ofEpochMilli(atMillis));
  }

  private record ThreadRow(long id, long lastActive, long nextSeq) {}

  private @Nullable ThreadRow thread(ThreadKey key) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT id, last_active, next_seq FROM threads WHERE thread_key = ?")) {
      ps.setString(1, key.canonical());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new ThreadRow(rs.getLong("id"), rs.getLong("last_active"), rs.getLong("next_seq"))
            : null;
      }
    }
  }

  @Override
  public synchronized void append(ThreadKey key, Turn turn, ConversationLimits limits, Instant now)
      throws ConversationException {
    append(key, turn, limits, now, false);
  }

  @Override
  public synchronized ConversationContext appendAndLoad(
      ThreadKey key, Turn turn, ConversationLimits limits, Instant now) throws ConversationException {
    return Objects.requireNonNull(
        append(key, turn, limits, now, true), "an append with snapshot and without 'after' always reads the window");
  }

  @Override
  public synchronized boolean appendAfter(
      ThreadKey key, Turn after, Turn turn, ConversationLimits limits, Instant now) throws ConversationException {
    return append(key, turn, limits, now, false, Objects.requireNonNull(after, "after")) != null;
  }

  private @Nullable ConversationContext append(
      ThreadKey key, Turn turn, ConversationLimits limits, Instant now, boolean snapshot)
      throws ConversationException {
    return append(key, turn, limits, now, snapshot, null);
  }

  /**
   * Appends in one {@code BEGIN IMMEDIATE} transaction; with {@code snapshot}, reads the window in the same one. With
   * {@code after}, appends only to a live thread whose window holds {@code after}, and returns null when it did not.
   */
  private @Nullable ConversationContext append(
      ThreadKey key, Turn turn, ConversationLimits limits, Instant now, boolean snapshot, @Nullable Turn after)
      throws ConversationException {
    checkOpen();
    ConversationContext context = after == null ? null : new ConversationContext(key, List.of(), 0);
    long nowMillis = now.toEpochMilli();
    long atMillis = turn.at().toEpochMilli();
    try (Statement st = conn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      boolean committed = false;
      try {
        ThreadRow row = thread(key);
        if (after != null
            && (row == null
                || nowMillis - row.lastActive() >= limits.idleTimeout().toMillis()
                || !readWindow(key, row.id(), Long.MAX_VALUE).turns().contains(after))) {
          return null; // forgotten, expired or restarted meanwhile: nothing to continue (rolled back below)
        }
        if (row != null && nowMillis - row.lastActive() >= limits.idleTimeout().toMillis()) {
          deleteThread(row.id()); // idle: the conversation starts over
          row = null;
        }
        if (row == null) {
          evictForNewThread(limits.maxLiveThreads());
          try (PreparedStatement ps =
              conn.prepareStatement("INSERT INTO threads(thread_key, last_active, next_seq) VALUES (?,?,1)",
                  Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, key.canonical());
            ps.setLong(2, nowMillis);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
              rs.next();
              row = new ThreadRow(rs.getLong(1), nowMillis, 1);
            }
          }
        }
        long seq = row.nextSeq();
        byte[] plain = encode(turn);
        byte[] body;
        try {
          body = sealer.encrypt(plain, aad(key, seq, atMillis));
        } finally {
          Arrays.fill(plain, (byte) 0);
        }
        try (PreparedStatement ps =
            conn.prepareStatement(
                "INSERT INTO turns(thread_id, seq, at, stored_at, tokens, body) VALUES (?,?,?,?,?,?)")) {
          ps.setLong(1, row.id());
          ps.setLong(2, seq);
          ps.setLong(3, atMillis);
          ps.setLong(4, nowMillis);
          ps.setInt(5, limits.tokens(turn));
          ps.setBytes(6, body);
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            conn.prepareStatement("UPDATE threads SET next_seq = ?, last_active = max(last_active, ?) WHERE id = ?")) {
          ps.setLong(1, seq + 1);
          ps.setLong(2, nowMillis);
          ps.setLong(3, row.id());
          ps.executeUpdate();
        }
        trim(row.id(), limits);
        if (snapshot) {
          context = readWindow(key, row.id(), seq);
        }
        st.execute("COMMIT");
        committed = true;
      } finally {
        if (!committed) {
          rollback(st);
        }
      }
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "append to " + key.platform() + " thread failed", e);
    }
    return context;
  }

  private void trim(long threadId, ConversationLimits limits) throws SQLException {
    List<long[]> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT seq, tokens FROM turns WHERE thread_id = ? ORDER BY seq")) {
      ps.setLong(1, threadId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new long[] {rs.getLong("seq"), rs.getLong("tokens")});
        }
      }
    }
    int[] tokens = new int[rows.size()];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = (int) rows.get(i)[1];
    }
    int evict = limits.turnsToEvict(tokens, tokens.length);
    if (evict > 0) {
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM turns WHERE thread_id = ? AND seq < ?")) {
        ps.setLong(1, threadId);
        ps.setLong(2, rows.get(evict)[0]);
        ps.executeUpdate();
      }
    }
  }

  /**
   * Threads with at least this many recorded turns (two exchanges) are established: beyond the live-thread cap, threads
   * below it go first (least recently active first), so a flood of one-message threads cannot push established
   * conversations out.
   */
  static final int ESTABLISHED_TURNS = 4;

  private void evictForNewThread(int maxLiveThreads) throws SQLException {
    long count;
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) AS n FROM threads")) {
      count = rs.next() ? rs.getLong("n") : 0;
    }
    if (count >= maxLiveThreads) {
      try (PreparedStatement ps =
          conn.prepareStatement(
              "DELETE FROM threads WHERE id IN"
                  + " (SELECT id FROM threads ORDER BY next_seq > ?, last_active, id LIMIT ?)")) {
        ps.setInt(1, ESTABLISHED_TURNS); // next_seq - 1 turns were ever recorded
        ps.setLong(2, count - maxLiveThreads + 1);
        ps.executeUpdate();
      }
    }
  }

  private void deleteThread(long id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM threads WHERE id = ?")) {
      ps.setLong(1, id); // turns follow by ON DELETE CASCADE
      ps.executeUpdate();
    }
  }

  private static void rollback(Statement st) {
    try {
      st.execute("ROLLBACK");
    } catch (SQLException e) {
      LOG.debug("rollback failed (no transaction open?)", e);
    }
  }

  @Override
  public synchronized ConversationContext load(ThreadKey key, ConversationLimits limits, Instant now)
      throws ConversationException {
    checkOpen();
    try {
      ThreadRow row = thread(key);
      if (row == null) {
        return new ConversationContext(key, List.of(), 0);
      }
      if (now.toEpochMilli() - row.lastActive() >= limits.idleTimeout().toMillis()) {
        deleteThread(row.id());
        return new ConversationContext(key, List.of(), 0);
      }
      return readWindow(key, row.id(), Long.MAX_VALUE);
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "load of a " + key.platform() + " thread failed", e);
    }
  }

  /** Reads and opens the turns of a thread up to and including {@code maxSeq}, oldest first. */
  private ConversationContext readWindow(ThreadKey key, long threadId, long maxSeq)
      throws SQLException, ConversationException {
    List<Turn> turns = new ArrayList<>();
    int tokens = 0;
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT seq, at, tokens, body FROM turns WHERE thread_id = ? AND seq <= ? ORDER BY seq")) {
      ps.setLong(1, threadId);
      ps.setLong(2, maxSeq);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong("seq");
          long at = rs.getLong("at");
          byte[] plain;
          try {
            plain = sealer.decrypt(rs.getBytes("body"), aad(key, seq, at));
          } catch (EnvelopeException e) {
            throw new ConversationException(Reason.TAMPERED,
                "stored turn " + seq + " of a " + key.platform() + " thread failed authentication", e);
          }
          try {
            turns.add(decode(plain, at));
          } catch (RuntimeException e) {
            throw new ConversationException(Reason.TAMPERED, "stored turn " + seq + " is malformed", e);
          } finally {
            Arrays.fill(plain, (byte) 0);
          }
          tokens += rs.getInt("tokens");
        }
      }
    }
    return new ConversationContext(key, turns, tokens);
  }

  @Override
  public synchronized boolean delete(ThreadKey key) throws ConversationException {
    checkOpen();
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM threads WHERE thread_key = ?")) {
      ps.setString(1, key.canonical());
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "delete failed", e);
    }
  }

  @Override
  public synchronized int maintain(ConversationLimits limits, Instant now) throws ConversationException {
    checkOpen();
    int expired;
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM threads WHERE last_active <= ?")) {
      ps.setLong(1, now.toEpochMilli() - limits.idleTimeout().toMillis());
      expired = ps.executeUpdate();
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "idle expiry failed", e);
    }
    enforceRetention(now);
    return expired;
  }

  /**
   * Deletes turns older than the retention period (and threads left empty), then reclaims the space: the WAL is
   * checkpointed and truncated and free pages are released.
   *
   * @param now the current time
   * @return how many turns were deleted
   * @throws ConversationException if the database failed
   */
  public synchronized int enforceRetention(Instant now) throws ConversationException {
    checkOpen();
    long cutoff = now.minus(retention).toEpochMilli();
    try (Statement st = conn.createStatement()) {
      int deleted;
      st.execute("BEGIN IMMEDIATE");
      boolean committed = false;
      try {
        // the age is the earlier of the platform's time and the time it was stored: a future-dated platform time
        // cannot keep a turn beyond the retention period
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM turns WHERE stored_at < ? OR at < ?")) {
          ps.setLong(1, cutoff);
          ps.setLong(2, cutoff);
          deleted = ps.executeUpdate();
        }
        st.executeUpdate("DELETE FROM threads WHERE NOT EXISTS (SELECT 1 FROM turns WHERE turns.thread_id = threads.id)");
        st.execute("COMMIT");
        committed = true;
      } finally {
        if (!committed) {
          rollback(st);
        }
      }
      if (deleted > 0) {
        reclaim(st);
        LOG.info("conversation store {}: retention deleted {} turn(s) older than {}", dbPath.getFileName(), deleted,
            retention);
      }
      return deleted;
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "retention failed", e);
    }
  }

  private static void reclaim(Statement st) throws SQLException {
    long free = freelistCount(st);
    // sqlite-jdbc runs one vacuum step per execution: loop, bounded by the free pages counted before
    for (long i = 0; i <= free && freelistCount(st) > 0; i++) {
      if (st.execute("PRAGMA incremental_vacuum(1000)")) {
        try (ResultSet rs = st.getResultSet()) {
          while (rs.next()) {
            // each row is one freed page
          }
        }
      }
    }
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      if (rs.next() && rs.getInt(1) != 0) {
        LOG.debug("WAL checkpoint was busy; deleted pages are overwritten (secure_delete) but the WAL is not truncated");
      }
    }
  }

  private static long freelistCount(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA freelist_count")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public synchronized long threadCount() throws ConversationException {
    checkOpen();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) AS n FROM threads")) {
      return rs.next() ? rs.getLong("n") : 0;
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "count failed", e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("conversation store is closed");
    }
  }

  @Override
  public synchronized void close() throws ConversationException {
    if (closed) {
      return;
    }
    closed = true;
    try (Statement st = conn.createStatement()) {
      st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)").close();
    } catch (SQLException e) {
      LOG.debug("checkpoint on close failed", e);
    }
    try {
      conn.close();
    } catch (SQLException e) {
      throw new ConversationException(Reason.STORE_FAILED, "close failed", e);
    }
  }
}
