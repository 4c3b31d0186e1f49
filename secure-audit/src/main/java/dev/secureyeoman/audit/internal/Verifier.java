package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import javax.crypto.Mac;
import org.jspecify.annotations.Nullable;

/**
 * Streams the log and checks every MAC, chain link, sequence number, storage class, the retention anchor, the log id
 * and the checkpoints (signatures, forks, truncation, rollback).
 */
public final class Verifier {
  /** Progress is reported every this many entries. */
  public static final int PROGRESS_EVERY = 4096;

  /**
   * The verifying SELECT: the stored row plus the first column whose storage class differs from the one the store
   * writes, as {@code column:class} (null when all match).
   */
  static final String VERIFY_SELECT =
      "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash,"
          + " CASE"
          + " WHEN typeof(ts) <> 'integer' THEN 'ts:' || typeof(ts)"
          + " WHEN typeof(level) <> 'text' THEN 'level:' || typeof(level)"
          + " WHEN typeof(event) <> 'text' THEN 'event:' || typeof(event)"
          + " WHEN typeof(actor) <> 'text' THEN 'actor:' || typeof(actor)"
          + " WHEN typeof(message) <> 'text' THEN 'message:' || typeof(message)"
          + " WHEN typeof(metadata) <> 'text' THEN 'metadata:' || typeof(metadata)"
          + " WHEN typeof(correlation_id) NOT IN ('text', 'null') THEN 'correlation_id:' || typeof(correlation_id)"
          + " WHEN typeof(key_id) <> 'integer' THEN 'key_id:' || typeof(key_id)"
          // read as a Java int: an id outside the int range would be truncated to one whose MAC matches
          + " WHEN key_id NOT BETWEEN -2147483648 AND 2147483647 THEN 'key_id:integer outside the 32-bit range'"
          + " WHEN typeof(prev_hash) <> 'blob' THEN 'prev_hash:' || typeof(prev_hash)"
          + " WHEN typeof(hash) <> 'blob' THEN 'hash:' || typeof(hash)"
          + " END FROM audit_log";

  /**
   * The verifying SELECT on PostgreSQL: the column types are checked once per verification from the catalog
   * ({@code PostgresStore.checkColumnTypes}), since a PostgreSQL column holds one type for every row; the twelfth column
   * is always null.
   */
  static final String PG_VERIFY_SELECT =
      "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash,"
          + " CAST(NULL AS text) FROM audit_log";

  /** The engine whose database is verified: how the identity, schema version and column types are read. */
  public enum Dialect {
    /** SQLite: identity and version from {@link Schema}, storage class checked per row. */
    SQLITE,
    /** PostgreSQL: identity from {@code audit_meta} (bound from seq 1), column types checked from the catalog. */
    POSTGRES
  }

  private final MacKeys keys;
  private final Dialect dialect;
  private final String verifySelect;
  private final Map<Integer, Mac> macs = new HashMap<>();

  /**
   * Creates a verifier of a SQLite log.
   *
   * @param keys the MAC keys
   */
  public Verifier(MacKeys keys) {
    this(keys, Dialect.SQLITE);
  }

  /**
   * Creates a verifier.
   *
   * @param keys the MAC keys
   * @param dialect the engine
   */
  public Verifier(MacKeys keys, Dialect dialect) {
    this.keys = keys;
    this.dialect = dialect;
    this.verifySelect = dialect == Dialect.SQLITE ? VERIFY_SELECT : PG_VERIFY_SELECT;
  }

  private Schema.@Nullable LogIdentity readIdentity(Connection c) throws SQLException {
    return dialect == Dialect.SQLITE ? Schema.readIdentity(c) : PostgresStore.readIdentity(c);
  }

  /** A statement that streams its rows (PostgreSQL otherwise reads the whole result into memory). */
  private PreparedStatement streaming(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    if (dialect == Dialect.POSTGRES) {
      ps.setFetchSize(CHUNK_ROWS * CHUNKS);
    }
    return ps;
  }

  /**
   * The result, and the hash of the last entry checked (the head that a checkpoint may sign).
   *
   * @param result the verification result
   * @param headHash hash of the head entry checked; 32 zero bytes for an empty log
   */
  public record Outcome(VerificationResult result, byte @Nullable [] headHash) {}

  /** What to check besides the chain. */
  public record Checks(
      List<Checkpoint> checkpoints,
      @Nullable PublicKey key,
      boolean requireCheckpoints,
      Optional<String> expectedLogId,
      VerificationProgress progress,
      boolean incremental) {
    /**
     * Full verification.
     *
     * @param checkpoints checkpoints
     * @param key trusted key
     * @param requireCheckpoints whether an empty list means the checkpoint file is missing
     * @param expectedLogId expected log id
     * @param progress progress
     */
    public Checks(
        List<Checkpoint> checkpoints,
        @Nullable PublicKey key,
        boolean requireCheckpoints,
        Optional<String> expectedLogId,
        VerificationProgress progress) {
      this(checkpoints, key, requireCheckpoints, expectedLogId, progress, false);
    }

    /**
     * Returns a copy with another progress callback.
     *
     * @param p the callback
     * @return the copy
     */
    public Checks withProgress(VerificationProgress p) {
      return new Checks(checkpoints, key, requireCheckpoints, expectedLogId, p, incremental);
    }

    /**
     * The chain only.
     *
     * @return checks without checkpoints
     */
    public static Checks chainOnly() {
      return new Checks(List.of(), null, false, Optional.empty(), VerificationProgress.NONE);
    }
  }

  private @Nullable Mac mac(int keyId) {
    return macs.computeIfAbsent(keyId, keys::mac);
  }

  private final FastCanonical fast = new FastCanonical();
  private final byte[] computed = new byte[32];
  private int lastKeyId = Integer.MIN_VALUE;
  private @Nullable Mac lastMac;

  /**
   * The happy path of one row, on the stored bytes: seq, storage classes, MAC and link all as expected. Returns the
   * row's hash, or null when anything is off or unusual — the caller then checks the row on the original path, which
   * reports exactly what it reported before. It never accepts a row the original path rejects: a MAC that matches the
   * raw UTF-8 column bytes means the writer MACed exactly those (valid UTF-8) bytes, which decode and re-encode to
   * themselves, and {@link FastCanonical} emits the canonical metadata encoding or declines.
   */
  private byte @Nullable [] fastRow(ResultSet rs, long expected, byte[] prev, Schema.@Nullable LogIdentity identity)
      throws SQLException {
    long seq = rs.getLong(1);
    if (seq != expected || rs.getString(12) != null) {
      return null;
    }
    long ts = rs.getLong(2);
    byte[] level = rs.getBytes(3);
    byte[] event = rs.getBytes(4);
    byte[] actor = rs.getBytes(5);
    byte[] message = rs.getBytes(6);
    byte[] metadata = rs.getBytes(7);
    byte[] correlation = rs.getBytes(8);
    int keyId = rs.getInt(9);
    byte[] prevHash = rs.getBytes(10);
    byte[] hash = rs.getBytes(11);
    if (level == null || event == null || actor == null || message == null || metadata == null || prevHash == null
        || hash == null) {
      return null;
    }
    return macRow(seq, ts, keyId, level, event, actor, message, metadata, correlation, prevHash, hash, prev, identity);
  }

  /** MACs one row's stored bytes and checks the MAC and the link; the row's hash, or null when anything is off. */
  private byte @Nullable [] macRow(
      long seq, long ts, int keyId, byte[] level, byte[] event, byte[] actor, byte[] message, byte[] metadata,
      byte[] correlation, byte[] prevHash, byte[] hash, byte[] prev, Schema.@Nullable LogIdentity identity) {
    Mac mac;
    if (keyId == lastKeyId && lastMac != null) {
      mac = lastMac;
    } else {
      mac = mac(keyId);
      if (mac == null) {
        return null;
      }
      lastKeyId = keyId;
      lastMac = mac;
    }
    FastCanonical f = fast;
    f.start(identity(identity, seq));
    f.i64(seq);
    f.i64(ts);
    f.i32(keyId);
    f.bytes(level);
    f.bytes(event);
    f.bytes(actor);
    f.bytes(message);
    if (correlation == null) {
      f.u8(0);
    } else {
      f.u8(1);
      f.bytes(correlation);
    }
    if (!f.metadata(metadata)) {
      return null;
    }
    f.bytes(prevHash);
    mac.update(f.buffer(), 0, f.length());
    try {
      mac.doFinal(computed, 0);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    if (!MessageDigest.isEqual(computed, hash) || !MessageDigest.isEqual(prevHash, prev)) {
      return null;
    }
    return hash;
  }

  /** Thrown internally to stop at the first problem. */
  private static final class Broken extends Exception {
    private static final long serialVersionUID = 1L;
    final long seq;
    final Problem problem;
    final String detail;

    Broken(long seq, Problem problem, String detail) {
      super(detail, null, false, false);
      this.seq = seq;
      this.problem = problem;
      this.detail = detail;
    }
  }

  /** The purge entry that authenticates a log starting after seq 1. */
  private record Anchor(long seq, byte[] lastDeletedHash) {}

  /**
   * Verifies entries with {@code seq <= upTo} on {@code c}, which must already be inside a transaction (a read snapshot).
   *
   * @param c connection inside a transaction
   * @param checks checkpoints and the trusted key, whether checkpoints are required, the expected log id, progress
   * @param upTo last seq to check (Long.MAX_VALUE for all); an anchor beyond it is MAC-checked on its own
   * @return the outcome
   * @throws SQLException on storage failure
   */
  public Outcome verify(Connection c, Checks checks, long upTo) throws SQLException {
    Schema.@Nullable LogIdentity identity = readIdentity(c);
    // PostgreSQL: one schema version, whose identity record must always be there
    int version = dialect == Dialect.SQLITE ? Schema.version(c) : Schema.VERSION;
    long first;
    long head;
    // two ordered LIMIT 1 reads of the rowid: O(log n) (min and max in one query with a WHERE scan every row)
    try (PreparedStatement ps =
        c.prepareStatement("SELECT seq FROM audit_log WHERE seq <= ? ORDER BY seq DESC LIMIT 1")) {
      ps.setLong(1, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        head = rs.next() ? rs.getLong(1) : 0;
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_log ORDER BY seq LIMIT 1")) {
      try (ResultSet rs = ps.executeQuery()) {
        first = rs.next() && head > 0 ? rs.getLong(1) : 0;
      }
    }
    List<Checkpoint> checkpoints = checks.checkpoints();
    long checked = 0;
    long trustedThrough = 0;
    Scan[] scanRef = new Scan[1];
    byte[] prev = SqliteStore.GENESIS;
    try {
      Long below = lowestBelowOne(c);
      if (below != null) {
        throw new Broken(below, Problem.ENTRY_ALTERED, belowOneDetail(below));
      }
      List<Checkpoint> signed = checkSignatures(c, checks, identity, first, head);
      TreeMap<Long, Checkpoint> bySeq = checkForks(signed);
      checkIdentity(checks, signed, identity, version, first);
      String retyped = dialect == Dialect.POSTGRES ? PostgresStore.checkColumnTypes(c) : checkSeqKey(c);
      if (retyped != null) {
        throw new Broken(Math.max(first, 1), Problem.STORAGE_TYPE_ALTERED, retyped);
      }
      Anchor anchor = null;
      if (first > 1) {
        anchor = findAnchor(c, first);
        if (anchor == null) {
          throw new Broken(
              first, Problem.UNANCHORED_START,
              "entries before seq " + first + " are missing and no authenticated retention_purge entry covers them");
        }
        prev = anchor.lastDeletedHash();
        if (anchor.seq() > upTo) {
          checkSingle(c, anchor.seq(), identity);
        }
      }
      // no checkpoint vouches for the key and both ends of the log fail: most likely the wrong key, say so
      boolean wrongKey = first > 0 && signed.isEmpty() && !macOk(c, first, identity) && !macOk(c, head, identity);
      long expected = first == 0 ? 1 : first;
      if (checks.incremental() && head > 0) {
        Checkpoint trust = trustedCheckpoint(bySeq, Math.max(first, 1), head);
        if (trust != null) {
          // the stored row at every signed checkpoint up to the trusted one must carry the signed head (and its MAC)
          for (Checkpoint cp : bySeq.subMap(Math.max(first, 1), true, trust.seq(), true).values()) {
            byte[] h = checkpointRow(c, cp, identity);
            if (cp == trust) {
              prev = h;
            }
          }
          expected = trust.seq() + 1;
          trustedThrough = trust.seq();
          if (anchor != null && anchor.seq() <= trustedThrough) {
            // the anchor was found by its unauthenticated metadata and lies in the trusted prefix, which is not
            // re-MACed: check its MAC, or any entry rewritten into a fake anchor would hide deleted oldest entries
            checkSingle(c, anchor.seq(), identity);
          }
        }
      }
      long total = head < expected ? 0 : head - expected + 1;
      Scan scan = new Scan(expected, prev);
      scanRef[0] = scan;
      // pipelined: this thread reads rows out of SQLite while a second thread MACs and links them (issue 17); the first
      // row that thread declines, and a window after it, take the original row-by-row path, which decides and names it
      while (true) {
        if (total > 0 && !pipelined(c, scan, upTo, bySeq, identity, checks.progress(), total)) {
          break;
        }
        if (!sequential(c, scan, upTo, total > 0 ? SEQUENTIAL_WINDOW : -1, bySeq, identity, first, wrongKey,
            checks.progress(), total)) {
          break;
        }
      }
      expected = scan.expected;
      prev = scan.prev;
      checked = scan.checked;
      long actualHead = expected - 1;
      for (Checkpoint cp : signed) {
        if (cp.seq() > actualHead) {
          throw new Broken(
              actualHead + 1, Problem.TRUNCATED,
              "log ends at seq " + actualHead + " but a checkpoint signed at " + cp.time() + " covers seq " + cp.seq()
                  + ": newest entries deleted or an older copy restored");
        }
        if (anchor != null && cp.seq() == first - 1
            && !cp.headHash().equals(HexFormat.of().formatHex(anchor.lastDeletedHash()))) {
          throw new Broken(
              cp.seq(), Problem.CHECKPOINT_MISMATCH, "purged entry differs from the signed checkpoint");
        }
      }
      if (checks.requireCheckpoints() && checkpoints.isEmpty() && actualHead > 0) {
        throw new Broken(
            first, Problem.CHECKPOINTS_MISSING,
            "checkpoints are configured but none exists while the log holds entries up to seq " + actualHead
                + ": the checkpoint file was deleted or emptied (start a new one deliberately with startCheckpoints)");
      }
      checks.progress().onProgress(checked, total);
      return new Outcome(
          new VerificationResult(
              true, checked, first, actualHead, checkpoints.size(), OptionalLong.empty(), Optional.empty(), "ok",
              trustedThrough),
          prev);
    } catch (Broken b) {
      if (scanRef[0] != null) {
        checked = scanRef[0].checked;
      }
      return new Outcome(
          new VerificationResult(
              false, checked, first, head, checkpoints.size(), OptionalLong.of(b.seq), Optional.of(b.problem),
              b.detail, trustedThrough),
          null);
    }
  }

  /**
   * The lowest seq below 1 in the table (0 for a row without a seq), or null. The store never writes one (seqs start
   * at 1), so such a row was
   * inserted with SQL; exports and search list it like an entry (red team attack18c: a row at seq 0 verified OK).
   */
  private static @Nullable Long lowestBelowOne(Connection c) throws SQLException {
    // a NULL seq (the table rebuilt, or its primary key dropped on PostgreSQL) is read by exports but by no seq range
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_log WHERE seq IS NULL LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        return 0L;
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_log WHERE seq < 1 ORDER BY seq LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }

  /**
   * SQLite: {@code seq} must be the table's {@code INTEGER PRIMARY KEY} (the rowid: unique, never NULL), as the store
   * creates it. A table rebuilt without it holds duplicates of a seq, and the scan, which reads each seq once, checks
   * only one of them while exports list both (red team attack18c). Null when it is.
   */
  static @Nullable String checkSeqKey(Connection c) throws SQLException {
    boolean seqKey = false;
    int keys = 0;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(audit_log)")) {
      while (rs.next()) {
        if (rs.getInt("pk") > 0) {
          keys++;
          seqKey |= "seq".equals(rs.getString("name")) && "INTEGER".equalsIgnoreCase(rs.getString("type"));
        }
      }
    }
    return seqKey && keys == 1
        ? null
        : NOT_A_PLAIN_TABLE + ": seq is not its INTEGER PRIMARY KEY (the table was rebuilt; duplicate or missing seqs"
            + " escape the verification)";
  }

  private static String belowOneDetail(long seq) {
    return "a row with seq " + (seq == 0 ? "0 or none (NULL)" : Long.toString(seq))
        + " below 1, which the store never writes: inserted with SQL";
  }

  /**
   * Whether {@code breaks} holds a row with a seq below 1: not an entry of the chain, so no acknowledgement covers it
   * (export it as evidence and delete it first).
   *
   * @param breaks the breaks found when acknowledging
   * @return true when such a row exists
   */
  public static boolean hasRowBelowOne(Breaks breaks) {
    return !breaks.ranges().isEmpty() && breaks.ranges().get(0).from() < 1;
  }

  /** The message of a refused acknowledgement while {@link #hasRowBelowOne} holds. */
  public static final String BELOW_ONE_REFUSED =
      "the audit log holds a row with a seq below 1, which the store never writes (inserted with SQL): export it as"
          + " evidence, delete it (DELETE FROM audit_log WHERE seq < 1), then acknowledge";

  /**
   * Start of the detail of a {@link Problem#STORAGE_TYPE_ALTERED} on PostgreSQL when {@code audit_log} is not the plain
   * table the store created (a view, row level security): never covered by an acknowledgement, whose name would cover
   * any later such relation too.
   */
  static final String NOT_A_PLAIN_TABLE = "audit_log is not a plain table";

  /**
   * Why nothing can be written after a head at {@code Long.MAX_VALUE}: the next seq would wrap to a negative one (an
   * acknowledgement was written at seq {@code Long.MIN_VALUE}, after which every append failed on the primary key).
   */
  public static final String HEAD_AT_MAX_SEQ =
      "the newest row of the audit log is at seq 9223372036854775807 (inserted with SQL): no entry can follow it;"
          + " export it as evidence and delete it";

  /**
   * The seq after {@code seq}.
   *
   * @param seq a seq
   * @return {@code seq + 1}
   * @throws IllegalStateException at {@code Long.MAX_VALUE} ({@link #HEAD_AT_MAX_SEQ})
   */
  public static long nextSeq(long seq) {
    if (seq == Long.MAX_VALUE) {
      throw new IllegalStateException(HEAD_AT_MAX_SEQ);
    }
    return seq + 1;
  }

  /** The most broken-seq ranges an acknowledgement records; beyond it acknowledging is refused. */
  public static final int MAX_ACK_RANGES = 1000;

  /**
   * Metadata key of an acknowledgement entry: the broken ranges known when it was written, as {@code "from-to:KIND"}
   * ({@link Kind}).
   */
  public static final String ACK_RANGES = "broken_ranges";

  /** Metadata key of an acknowledgement entry: the problems of the whole log known when it was written (names). */
  public static final String ACK_LOG_PROBLEMS = "log_problems";

  /**
   * Metadata key of an acknowledgement entry: the signed checkpoints ({@code "seq:headhash"}) that revealed its
   * {@link Kind#TRUNCATED} ranges. A later break of that kind is covered only when one of these checkpoints reveals it:
   * a range head+1..checkpoint seq reaches past the head, and a checkpoint signed afterwards over entries appended
   * into it must keep protecting them (red team attack18c).
   */
  public static final String ACK_CHECKPOINTS = "truncation_checkpoints";

  /**
   * One range of broken seqs found by {@link #scanBreaks}: consecutive broken entries (or a deleted range) are one.
   *
   * @param from first broken seq
   * @param to last broken seq
   * @param problem the problem of the first entry of the range
   * @param detail what is wrong there
   * @param whole a problem of the whole log (log id, checkpoint signatures or forks, column types, checkpoint file
   *     missing), named at a seq but acknowledged by its problem name, never by a range
   * @param checkpoint for a break of {@link Kind#TRUNCATED}, the checkpoint that reveals it ({@code "seq:headhash"});
   *     else null
   */
  public record Break(long from, long to, Problem problem, String detail, boolean whole, @Nullable String checkpoint) {
    Break(long from, long to, Problem problem, String detail) {
      this(from, to, problem, detail, false, null);
    }

    Break(long from, long to, Problem problem, String detail, boolean whole) {
      this(from, to, problem, detail, whole, null);
    }

    /** A break of {@link Kind#TRUNCATED} revealed by {@code cp}. */
    static Break truncation(long from, long to, Problem problem, String detail, Checkpoint cp) {
      return new Break(from, to, problem, detail, false, checkpointId(cp));
    }
  }

  /** How an acknowledgement names a checkpoint: {@code "seq:headhash"}. */
  static String checkpointId(Checkpoint cp) {
    return cp.seq() + ":" + cp.headHash();
  }

  /**
   * Every break of a log.
   *
   * @param ranges the broken ranges, ascending by first seq (ranges of different {@link Kind}s may touch)
   * @param overflow whether there are more than {@link #MAX_ACK_RANGES} ranges (the list then holds the first ones)
   * @param firstUncovered the lowest break (unmerged: one entry, one deleted range or one problem of the whole log)
   *     outside what the scan was given as acknowledged, or null
   * @param logProblems the problems of the whole log found (names, ascending)
   * @param checkpoints the checkpoints that reveal the breaks of {@link Kind#TRUNCATED} ({@code "seq:headhash"},
   *     ascending)
   */
  public record Breaks(
      List<Break> ranges, boolean overflow, @Nullable Break firstUncovered, java.util.SortedSet<String> logProblems,
      java.util.SortedSet<String> checkpoints) {}

  /**
   * The kind of a broken range: a later break is acknowledged only by a range of the same kind that contains it, so an
   * acknowledged edit turned into a deletion (or a truncation whose seqs are refilled with entries that are then edited)
   * is a new break.
   */
  public enum Kind {
    /** Entries present but not as written: altered, malformed, unknown key, chain link, storage type. */
    ALTERED,
    /** Entries missing inside the log or before its first entry (sequence gap, unanchored start). */
    MISSING,
    /** The log behind its signed checkpoints: truncated, or an entry differing from the checkpoint's head. */
    TRUNCATED;

    /**
     * The kind of {@code problem}.
     *
     * @param problem a verification problem
     * @return its kind
     */
    public static Kind of(Problem problem) {
      return switch (problem) {
        case SEQUENCE_GAP, UNANCHORED_START -> MISSING;
        case TRUNCATED, CHECKPOINT_MISMATCH -> TRUNCATED;
        default -> ALTERED;
      };
    }
  }

  /**
   * One acknowledged range.
   *
   * @param from first seq
   * @param to last seq
   * @param kind the kind of break it covers
   */
  record Range(long from, long to, Kind kind) {}

  /**
   * What an acknowledgement entry covers: seq ranges by kind, problems of the whole log by name, and the checkpoints
   * whose {@link Kind#TRUNCATED} breaks its ranges of that kind cover.
   */
  record Acknowledged(List<Range> ranges, java.util.Set<String> logProblems, java.util.Set<String> checkpoints) {
    Acknowledged(List<Range> ranges, java.util.Set<String> logProblems) {
      this(ranges, logProblems, java.util.Set.of());
    }
  }

  /** Collects breaks: merged for the acknowledgement, each one also compared with the acknowledged ranges. */
  private static final class Collector {
    final @Nullable Acknowledged acked;
    final java.util.SortedSet<String> logProblems = new java.util.TreeSet<>();
    final java.util.SortedSet<String> checkpoints = new java.util.TreeSet<>();
    final List<Break> chain = new ArrayList<>();
    final List<Break> other = new ArrayList<>();
    boolean overflow;
    @Nullable Break uncovered;

    Collector(@Nullable Acknowledged acked) {
      this.acked = acked;
    }

    /** Adds a break; {@code inOrder}: found by the ordered row scan (at or after every earlier one). */
    void add(boolean inOrder, Break b) {
      if (acked != null && (uncovered == null || b.from() < uncovered.from())) {
        if (b.whole()) {
          // a checkpoint file missing is never covered: acknowledged once (a sink configured for the first time), the
          // name would cover every later deletion of the file started since, and with it any truncation (attack18c);
          // start the file (startCheckpoints) before or right after acknowledging
          if (b.problem() == Problem.CHECKPOINTS_MISSING || b.detail().startsWith(NOT_A_PLAIN_TABLE)
              || !acked.logProblems().contains(b.problem().name())) {
            uncovered = b;
          }
        } else {
          // the first seq of the break outside every acknowledged range of its kind (a gap may grow past one)
          Kind kind = Kind.of(b.problem());
          long at = b.from();
          // a truncation or rollback counts as acknowledged only against a checkpoint the acknowledgement named
          boolean moved = b.from() >= 1
              && (kind != Kind.TRUNCATED || (b.checkpoint() != null && acked.checkpoints().contains(b.checkpoint())));
          while (moved && at <= b.to()) {
            moved = false;
            for (Range r : acked.ranges()) {
              if (r.kind() == kind && r.from() <= at && at <= r.to()) {
                at = r.to() + 1;
                moved = true;
              }
            }
          }
          if (at <= b.to() && (uncovered == null || at < uncovered.from())) {
            uncovered = new Break(at, b.to(), b.problem(), b.detail(), false);
          }
        }
      }
      if (!b.whole() && b.checkpoint() != null) {
        checkpoints.add(b.checkpoint());
      }
      if (b.whole()) {
        logProblems.add(b.problem().name());
      } else if (!inOrder) {
        other.add(b);
      } else if (chain.size() <= MAX_ACK_RANGES || mergesWithLast(chain, b)) {
        addMerged(chain, b);
      } else {
        overflow = true; // keep scanning for the coverage decision, stop keeping ranges
      }
    }
  }

  /** Whether {@code b} touches the last range and is of its kind (then they are one range). */
  private static boolean mergesWithLast(List<Break> ranges, Break b) {
    if (ranges.isEmpty()) {
      return false;
    }
    Break last = ranges.get(ranges.size() - 1);
    return b.from() <= last.to() + 1 && Kind.of(b.problem()) == Kind.of(last.problem());
  }

  /**
   * Checks the whole log like {@link #verify} but does not stop at the first problem: it collects every break as a seq
   * range. After a broken entry it resyncs: the next entry's seq expectation restarts from its own seq and its link to
   * the broken predecessor is not checked (its MAC always is); a deleted range is one break, a rewritten run of
   * entries is one range. Problems of the log as a whole (log id, checkpoint signatures and forks, column types, a
   * missing anchor or checkpoint file) are breaks at the seq {@link #verify} names for them; a truncation is the range
   * from the seq after the head to the checkpoint's seq (an entry later appended there differs from the checkpoint:
   * {@link Problem#CHECKPOINT_MISMATCH}, of the same {@link Kind}). Touching breaks of one {@link Kind} are one range.
   *
   * @param c connection inside a transaction (a read snapshot)
   * @param checks the store's own checks (its checkpoints and key; never a caller's expectations)
   * @return the breaks
   * @throws SQLException on storage failure
   */
  public Breaks scanBreaks(Connection c, Checks checks) throws SQLException {
    return scanBreaks(c, checks, null);
  }

  private Breaks scanBreaks(Connection c, Checks checks, @Nullable Acknowledged acked) throws SQLException {
    Schema.@Nullable LogIdentity identity = readIdentity(c);
    int version = dialect == Dialect.SQLITE ? Schema.version(c) : Schema.VERSION;
    long first;
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM audit_log WHERE seq >= 1 ORDER BY seq LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      first = rs.next() ? rs.getLong(1) : 0;
    }
    Collector col = new Collector(acked);
    Long below = lowestBelowOne(c);
    if (below != null) {
      // never acknowledged (no range can name it; acknowledging is refused while it is there): it stays a new break
      col.add(false, new Break(below, below, Problem.ENTRY_ALTERED, belowOneDetail(below)));
    }
    List<Checkpoint> signed = new ArrayList<>();
    for (Checkpoint cp : checks.checkpoints()) {
      if (checks.key() != null && cp.verifySignature(checks.key())) {
        signed.add(cp);
      } else {
        col.add(false, new Break(cp.seq(), cp.seq(), Problem.CHECKPOINT_SIGNATURE_INVALID,
            "checkpoint for seq " + cp.seq() + " is not signed by the trusted key", true));
      }
    }
    TreeMap<Long, Checkpoint> bySeq = new TreeMap<>();
    for (Checkpoint cp : signed) {
      bySeq.putIfAbsent(cp.seq(), cp);
    }
    try {
      checkForks(signed);
    } catch (Broken b) {
      col.add(false, new Break(b.seq, b.seq, b.problem, b.detail, true));
    }
    try {
      checkIdentity(checks, signed, identity, version, first);
    } catch (Broken b) {
      col.add(false, new Break(b.seq, b.seq, b.problem, b.detail, true));
    }
    String retyped = dialect == Dialect.POSTGRES ? PostgresStore.checkColumnTypes(c) : checkSeqKey(c);
    if (retyped != null) {
      col.add(false, new Break(Math.max(first, 1), Math.max(first, 1), Problem.STORAGE_TYPE_ALTERED, retyped, true));
    }
    byte[] prev = SqliteStore.GENESIS;
    boolean resync = false;
    if (first > 1) {
      Anchor anchor = findAnchor(c, first);
      if (anchor == null) {
        // the missing entries are the range (the first one left is then checked by its MAC and seq)
        col.add(false, new Break(1, first - 1, Problem.UNANCHORED_START,
            "entries before seq " + first + " are missing and no authenticated retention_purge entry covers them"));
        resync = true;
      } else {
        prev = anchor.lastDeletedHash();
        Checkpoint cp = bySeq.get(first - 1);
        if (cp != null && !cp.headHash().equals(HexFormat.of().formatHex(prev))) {
          col.add(false, Break.truncation(first - 1, first - 1, Problem.CHECKPOINT_MISMATCH,
              "purged entry differs from the signed checkpoint", cp));
        }
      }
    }
    long expected = Math.max(first, 1);
    try (PreparedStatement ps = streaming(c, verifySelect + " WHERE seq >= ? ORDER BY seq")) {
      ps.setLong(1, expected);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          if (seq != expected) {
            col.add(true, new Break(expected, seq - 1, Problem.SEQUENCE_GAP,
                "expected seq " + expected + " but found seq " + seq));
            resync = true;
          }
          expected = seq + 1;
          if (resync) {
            byte[] linked = rs.getBytes(10);
            prev = linked == null ? prev : linked; // its link to a broken predecessor is not checked, its MAC is
          }
          byte[] h = fastRow(rs, seq, prev, identity);
          Broken broken = null;
          if (h == null) {
            try {
              String badType = rs.getString(12);
              if (badType != null) {
                throw new Broken(seq, Problem.STORAGE_TYPE_ALTERED, "column stored as " + badType);
              }
              Row row = readRow(rs);
              checkMac(row, identity, false);
              if (!MessageDigest.isEqual(row.prevHash(), prev)) {
                throw new Broken(seq, Problem.CHAIN_BROKEN,
                    "prev_hash does not match the previous entry: entries removed, inserted or reordered");
              }
              h = row.hash();
            } catch (Broken b) {
              broken = b;
              h = rs.getBytes(11);
            }
          }
          Checkpoint cp = bySeq.get(seq);
          if (broken == null && cp != null && h != null && !cp.headHash().equals(HexFormat.of().formatHex(h))) {
            broken = new Broken(seq, Problem.CHECKPOINT_MISMATCH,
                "entry differs from the signed checkpoint of " + cp.time() + ": log rolled back or forked");
          }
          if (broken != null) {
            col.add(true, broken.problem == Problem.CHECKPOINT_MISMATCH && cp != null
                ? Break.truncation(seq, seq, broken.problem, broken.detail, cp)
                : new Break(seq, seq, broken.problem, broken.detail));
          }
          resync = broken != null;
          prev = h == null ? SqliteStore.GENESIS : h;
        }
      }
    }
    long actualHead = expected - 1;
    for (Checkpoint cp : signed) {
      if (cp.seq() > actualHead) {
        col.add(false, Break.truncation(actualHead + 1, cp.seq(), Problem.TRUNCATED,
            "log ends at seq " + actualHead + " but a checkpoint signed at " + cp.time() + " covers seq " + cp.seq(),
            cp));
      }
    }
    if (checks.requireCheckpoints() && checks.checkpoints().isEmpty() && actualHead > 0) {
      col.add(false, new Break(Math.max(first, 1), Math.max(first, 1), Problem.CHECKPOINTS_MISSING,
          "checkpoints are configured but none exists", true));
    }
    List<Break> all = new ArrayList<>(col.other);
    all.addAll(col.chain);
    all.sort(java.util.Comparator.comparingLong(Break::from));
    List<Break> merged = new ArrayList<>();
    for (Break br : all) {
      addMerged(merged, br);
    }
    boolean overflow = col.overflow || merged.size() > MAX_ACK_RANGES;
    return new Breaks(
        List.copyOf(merged.subList(0, Math.min(merged.size(), MAX_ACK_RANGES))), overflow, col.uncovered,
        java.util.Collections.unmodifiableSortedSet(col.logProblems),
        java.util.Collections.unmodifiableSortedSet(col.checkpoints));
  }

  /** Appends {@code b} (at or after the last range's start), merged with the last range when one range with it. */
  private static void addMerged(List<Break> ranges, Break b) {
    if (mergesWithLast(ranges, b)) {
      Break last = ranges.get(ranges.size() - 1);
      ranges.set(ranges.size() - 1,
          new Break(last.from(), Math.max(last.to(), b.to()), last.problem(), last.detail(), false, last.checkpoint()));
    } else {
      ranges.add(b);
    }
  }

  /**
   * What an acknowledgement entry covers: its {@value #ACK_RANGES} and {@value #ACK_LOG_PROBLEMS}; an acknowledgement
   * written before they were recorded covers only its {@code first_broken_seq} and its {@code problem}; a malformed
   * entry covers nothing (fail closed).
   *
   * @param metadata the acknowledgement entry's metadata
   * @return what it covers
   */
  static Acknowledged acknowledged(Map<String, Object> metadata) {
    if (!metadata.containsKey(ACK_RANGES)) {
      java.util.Set<String> p =
          metadata.get("problem") instanceof String name ? java.util.Set.of(name) : java.util.Set.of();
      return new Acknowledged(ackRanges(metadata), p);
    }
    java.util.Set<String> problems = new java.util.HashSet<>();
    if (metadata.get(ACK_LOG_PROBLEMS) instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String name) {
          problems.add(name);
        }
      }
    }
    // absent (an acknowledgement of an earlier build): its TRUNCATED ranges cover nothing (fail closed)
    java.util.Set<String> checkpoints = new java.util.HashSet<>();
    if (metadata.get(ACK_CHECKPOINTS) instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String id && id.matches("\\d{1,19}:[0-9a-f]{64}")) {
          checkpoints.add(id);
        }
      }
    }
    return new Acknowledged(ackRanges(metadata), problems, checkpoints);
  }

  /**
   * The ranges an acknowledgement entry covers: its {@value #ACK_RANGES} ({@code "from-to:KIND"}); an acknowledgement
   * written before they were recorded covers only its {@code first_broken_seq}, of the kind of its {@code problem}; a
   * malformed list, or one with a range without a kind, covers nothing (fail closed).
   *
   * @param metadata the acknowledgement entry's metadata
   * @return the ranges
   */
  static List<Range> ackRanges(Map<String, Object> metadata) {
    Object ranges = metadata.get(ACK_RANGES);
    List<Range> out = new ArrayList<>();
    if (ranges == null) {
      Kind kind = kindOf(metadata.get("problem"));
      if (metadata.get("first_broken_seq") instanceof Long s && kind != null) {
        out.add(new Range(s, s, kind));
      }
      return out;
    }
    if (!(ranges instanceof List<?> l)) {
      return List.of();
    }
    for (Object o : l) {
      String[] k = o instanceof String str ? str.split(":", -1) : new String[0];
      String[] p = k.length == 2 ? k[0].split("-", -1) : new String[0];
      Kind kind = k.length == 2 && k[1].matches("[A-Z]{1,20}") ? kindNamed(k[1]) : null;
      // 19 digits: a seq up to Long.MAX_VALUE (a row inserted at 2^62 made every later acknowledgement cover nothing)
      if (kind == null || p.length != 2 || !p[0].matches("\\d{1,19}") || !p[1].matches("\\d{1,19}")) {
        return List.of();
      }
      try {
        out.add(new Range(Long.parseLong(p[0]), Long.parseLong(p[1]), kind));
      } catch (NumberFormatException e) {
        return List.of(); // beyond Long.MAX_VALUE: fail closed
      }
    }
    return out;
  }

  private static @Nullable Kind kindNamed(String name) {
    for (Kind k : Kind.values()) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  private static @Nullable Kind kindOf(@Nullable Object problemName) {
    for (Problem p : Problem.values()) {
      if (p.name().equals(problemName)) {
        return Kind.of(p);
      }
    }
    return null;
  }

  /**
   * The acknowledgement metadata value of the problems of the whole log in {@code breaks}.
   *
   * @param breaks the breaks found when acknowledging
   * @return problem names
   */
  public static List<Object> encodeProblems(Breaks breaks) {
    return new ArrayList<>(breaks.logProblems());
  }

  /**
   * The acknowledgement metadata value of the checkpoints that reveal the {@link Kind#TRUNCATED} breaks of
   * {@code breaks}.
   *
   * @param breaks the breaks found when acknowledging
   * @return {@code "seq:headhash"} strings
   */
  public static List<Object> encodeCheckpoints(Breaks breaks) {
    return new ArrayList<>(breaks.checkpoints());
  }

  /**
   * The acknowledgement metadata value of the ranges of {@code breaks}.
   *
   * @param breaks the breaks found when acknowledging
   * @return {@code "from-to:KIND"} strings ({@link Kind})
   */
  public static List<Object> encodeRanges(Breaks breaks) {
    List<Object> out = new ArrayList<>(breaks.ranges().size());
    for (Break b : breaks.ranges()) {
      out.add(b.from() + "-" + b.to() + ":" + Kind.of(b.problem()).name());
    }
    return out;
  }

  /**
   * The newest {@code audit.tampering_acknowledged} entry, if it is genuine (stored as the store writes it and its MAC
   * verifies); null when there is none or the newest one is not genuine (then nothing counts as acknowledged).
   */
  private @Nullable Row lastAcknowledgement(Connection c, Schema.@Nullable LogIdentity identity) throws SQLException {
    // SQLite: NOT INDEXED, so an index planted with content other than its column cannot hide the newest one
    String from = dialect == Dialect.SQLITE ? " NOT INDEXED" : "";
    try (PreparedStatement ps =
        c.prepareStatement(
            verifySelect + from + " WHERE event = " + (dialect == Dialect.SQLITE ? "?" : PostgresStore.TEXT_PARAM)
                + " ORDER BY seq DESC LIMIT 1")) {
      ps.setString(1, SqliteStore.TAMPERING_ACKNOWLEDGED_EVENT);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(12) != null) {
          return null;
        }
        Row row = readRow(rs);
        checkMac(row, identity, false);
        return row;
      } catch (Broken b) {
        return null;
      }
    }
  }

  /**
   * Decides what a failed verification means for the fail-closed state. Without a genuine acknowledgement entry the
   * failure itself is recorded. Otherwise the whole log is scanned ({@link #scanBreaks}): when every break lies inside
   * ranges of its {@link Kind} the newest acknowledgement entry recorded, nothing new happened (null); else the first
   * break outside them is recorded, wherever it is (before or after the acknowledgement entry).
   *
   * @param c connection inside a transaction (a read snapshot)
   * @param checks the store's own checks
   * @param failure the failed verification
   * @return the failure to record, or null when everything found is acknowledged
   * @throws SQLException on storage failure
   */
  public @Nullable VerificationResult toRecord(Connection c, Checks checks, VerificationResult failure)
      throws SQLException {
    Row ack = lastAcknowledgement(c, readIdentity(c));
    if (ack == null) {
      return failure;
    }
    Breaks found = scanBreaks(c, checks, acknowledged(ack.metadata()));
    if (found.ranges().isEmpty() && found.logProblems().isEmpty()) {
      return failure; // a failure the scan does not explain: fail closed
    }
    Break b = found.firstUncovered();
    if (b != null) {
      return new VerificationResult(
          false, failure.entriesChecked(), failure.firstSeq(), failure.headSeq(), failure.checkpointsChecked(),
          OptionalLong.of(b.from()), Optional.of(b.problem()),
          "new break at seq " + b.from() + (b.to() > b.from() ? ".." + b.to() : "") + " not covered by the"
              + " acknowledgement at seq " + ack.seq() + ": " + b.detail());
    }
    return null;
  }

  /** Rows per hand-off between the reading and the MAC thread. */
  static final int CHUNK_ROWS = 256;

  /** Chunks in flight (reused: no per-chunk allocation). */
  private static final int CHUNKS = 4;

  /** Rows checked on the original path after a declined row before the pipeline resumes. */
  static final int SEQUENTIAL_WINDOW = 1024;

  /** Where the scan stands: the next expected seq, the previous hash, the entries checked. */
  private static final class Scan {
    long expected;
    byte[] prev;
    long checked;

    Scan(long expected, byte[] prev) {
      this.expected = expected;
      this.prev = prev;
    }
  }

  /** The stored bytes of up to {@link #CHUNK_ROWS} rows, as read by the scanning thread. */
  private static final class Chunk {
    final long[] seq = new long[CHUNK_ROWS];
    final long[] ts = new long[CHUNK_ROWS];
    final int[] keyId = new int[CHUNK_ROWS];
    final boolean[] retyped = new boolean[CHUNK_ROWS];
    final byte[][] level = new byte[CHUNK_ROWS][];
    final byte[][] event = new byte[CHUNK_ROWS][];
    final byte[][] actor = new byte[CHUNK_ROWS][];
    final byte[][] message = new byte[CHUNK_ROWS][];
    final byte[][] metadata = new byte[CHUNK_ROWS][];
    final byte[][] correlation = new byte[CHUNK_ROWS][];
    final byte[][] prevHash = new byte[CHUNK_ROWS][];
    final byte[][] hash = new byte[CHUNK_ROWS][];
    int n;

    void add(ResultSet rs) throws SQLException {
      int i = n++;
      seq[i] = rs.getLong(1);
      ts[i] = rs.getLong(2);
      level[i] = rs.getBytes(3);
      event[i] = rs.getBytes(4);
      actor[i] = rs.getBytes(5);
      message[i] = rs.getBytes(6);
      metadata[i] = rs.getBytes(7);
      correlation[i] = rs.getBytes(8);
      keyId[i] = rs.getInt(9);
      prevHash[i] = rs.getBytes(10);
      hash[i] = rs.getBytes(11);
      retyped[i] = rs.getString(12) != null; // the storage-class column, evaluated by SQLite in the same scan
    }
  }

  /** End of input for the MAC thread. */
  private static final Chunk END = new Chunk();

  /**
   * The MAC thread of {@link #pipelined}: checks each row like {@link #fastRow} (seq, storage class, MAC, link,
   * checkpoint), and stops at the first row it declines (it keeps recycling chunks until {@link #END}).
   */
  private final class MacWorker implements Runnable {
    final java.util.concurrent.BlockingQueue<Chunk> full;
    final java.util.concurrent.BlockingQueue<Chunk> free;
    final TreeMap<Long, Checkpoint> bySeq;
    final Schema.@Nullable LogIdentity identity;
    long expected;
    byte[] prev;
    volatile long done;
    volatile boolean declined;

    MacWorker(
        long expected, byte[] prev, TreeMap<Long, Checkpoint> bySeq, Schema.@Nullable LogIdentity identity,
        java.util.concurrent.BlockingQueue<Chunk> full, java.util.concurrent.BlockingQueue<Chunk> free) {
      this.expected = expected;
      this.prev = prev;
      this.bySeq = bySeq;
      this.identity = identity;
      this.full = full;
      this.free = free;
    }

    @Override
    public void run() {
      while (true) {
        Chunk ch = take(full);
        if (ch == END) {
          return;
        }
        if (!declined) {
          try {
            check(ch);
          } catch (RuntimeException | Error e) {
            declined = true; // the original path decides what this row is
          }
        }
        ch.n = 0;
        put(free, ch);
      }
    }

    private void check(Chunk ch) {
      long ok = 0;
      for (int i = 0; i < ch.n; i++) {
        byte[] h = fastRow(ch, i, expected, prev, identity);
        if (h != null && !bySeq.isEmpty()) {
          Checkpoint cp = bySeq.get(expected);
          if (cp != null && !cp.headHash().equals(HexFormat.of().formatHex(h))) {
            h = null;
          }
        }
        if (h == null) {
          done += ok;
          declined = true;
          return;
        }
        prev = h;
        expected++;
        ok++;
      }
      done += ok;
    }
  }

  /** {@link #fastRow(ResultSet, long, byte[], Schema.LogIdentity)} on a row of a chunk. */
  private byte @Nullable [] fastRow(Chunk ch, int i, long expected, byte[] prev, Schema.@Nullable LogIdentity identity) {
    long seq = ch.seq[i];
    if (seq != expected || ch.retyped[i]) {
      return null;
    }
    byte[] level = ch.level[i];
    byte[] event = ch.event[i];
    byte[] actor = ch.actor[i];
    byte[] message = ch.message[i];
    byte[] metadata = ch.metadata[i];
    byte[] correlation = ch.correlation[i];
    byte[] prevHash = ch.prevHash[i];
    byte[] hash = ch.hash[i];
    if (level == null || event == null || actor == null || message == null || metadata == null || prevHash == null
        || hash == null) {
      return null;
    }
    return macRow(seq, ch.ts[i], ch.keyId[i], level, event, actor, message, metadata, correlation, prevHash, hash, prev,
        identity);
  }

  /**
   * Reads rows on this thread and MACs them on a second one. Returns false when every row up to {@code upTo} passed,
   * true when a row was declined: {@code scan} then stands at that row for the original path.
   */
  private boolean pipelined(
      Connection c, Scan scan, long upTo, TreeMap<Long, Checkpoint> bySeq, Schema.@Nullable LogIdentity identity,
      VerificationProgress progress, long total) throws SQLException {
    java.util.concurrent.BlockingQueue<Chunk> full = new java.util.concurrent.ArrayBlockingQueue<>(CHUNKS + 1);
    java.util.concurrent.BlockingQueue<Chunk> free = new java.util.concurrent.ArrayBlockingQueue<>(CHUNKS);
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new Chunk());
    }
    MacWorker w = new MacWorker(scan.expected, scan.prev, bySeq, identity, full, free);
    Thread t = new Thread(w, "audit-verify-mac");
    t.setDaemon(true);
    t.start();
    long base = scan.checked;
    try (PreparedStatement ps = streaming(c, verifySelect + " WHERE seq >= ? AND seq <= ? ORDER BY seq")) {
      ps.setLong(1, scan.expected);
      ps.setLong(2, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        Chunk ch = take(free);
        long read = 0;
        while (!w.declined && rs.next()) {
          ch.add(rs);
          if (ch.n == CHUNK_ROWS) {
            put(full, ch);
            ch = take(free);
          }
          if (++read % PROGRESS_EVERY == 0) {
            progress.onProgress(base + w.done, total);
          }
        }
        if (ch.n > 0) {
          put(full, ch);
        } else {
          put(free, ch);
        }
      }
    } finally {
      put(full, END);
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    scan.expected = w.expected;
    scan.prev = w.prev;
    scan.checked = base + w.done;
    return w.declined;
  }

  private static Chunk take(java.util.concurrent.BlockingQueue<Chunk> q) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return q.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void put(java.util.concurrent.BlockingQueue<Chunk> q, Chunk ch) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          q.put(ch);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The original row-by-row path, from {@code scan.expected}, for at most {@code limit} rows (-1: all). Returns true
   * when it stopped at the limit (more rows may follow), false at the end.
   */
  private boolean sequential(
      Connection c, Scan scan, long upTo, long limit, TreeMap<Long, Checkpoint> bySeq, Schema.@Nullable LogIdentity identity,
      long first, boolean wrongKey, VerificationProgress progress, long total) throws SQLException, Broken {
    long expected = scan.expected;
    byte[] prev = scan.prev;
    long checked = scan.checked;
    long rows = 0;
    try (PreparedStatement ps =
        streaming(c, verifySelect + " WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?")) {
      ps.setLong(1, expected);
      ps.setLong(2, upTo);
      ps.setLong(3, limit < 0 ? Long.MAX_VALUE : limit); // no limit (PostgreSQL refuses a negative one)
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
          byte[] fastHash = fastRow(rs, expected, prev, identity);
          if (fastHash != null) {
            // every check passed on the stored bytes; only the checkpoint comparison is left
            if (!bySeq.isEmpty()) {
              Checkpoint cp = bySeq.get(expected);
              if (cp != null && !cp.headHash().equals(HexFormat.of().formatHex(fastHash))) {
                scan.checked = checked;
                throw new Broken(
                    expected, Problem.CHECKPOINT_MISMATCH,
                    "entry differs from the signed checkpoint of " + cp.time() + ": log rolled back or forked");
              }
            }
            prev = fastHash;
            expected++;
            checked++;
            if (checked % PROGRESS_EVERY == 0) {
              progress.onProgress(checked, total);
            }
            continue;
          }
          scan.checked = checked;
          // the original path: decides (and names) whatever the fast path declined
          Row row = readRow(rs);
          if (row.seq() != expected) {
            throw new Broken(
                expected, Problem.SEQUENCE_GAP, "expected seq " + expected + " but found seq " + row.seq());
          }
          String badType = rs.getString(12);
          if (badType != null) {
            String[] colType = badType.split(":", 2);
            throw new Broken(
                row.seq(), Problem.STORAGE_TYPE_ALTERED,
                "column " + colType[0] + " is stored as " + colType[1] + ", not as the store writes it: filters and"
                    + " retention would no longer see this entry");
          }
          checkMac(row, identity, row.seq() == first && wrongKey);
          if (!MessageDigest.isEqual(row.prevHash(), prev)) {
            throw new Broken(
                row.seq(), Problem.CHAIN_BROKEN,
                "prev_hash does not match the previous entry: entries removed, inserted or reordered");
          }
          Checkpoint cp = bySeq.get(row.seq());
          if (cp != null && !cp.headHash().equals(HexFormat.of().formatHex(row.hash()))) {
            throw new Broken(
                row.seq(), Problem.CHECKPOINT_MISMATCH,
                "entry differs from the signed checkpoint of " + cp.time() + ": log rolled back or forked");
          }
          prev = row.hash();
          expected++;
          checked++;
          if (checked % PROGRESS_EVERY == 0) {
            progress.onProgress(checked, total);
          }
        }
      }
    }
    scan.expected = expected;
    scan.prev = prev;
    scan.checked = checked;
    return limit >= 0 && rows == limit;
  }

  /**
   * Returns the checkpoints whose signature verifies. When none does and the first and newest entries fail their MAC
   * too, the key is most likely wrong: say so instead of blaming the checkpoints.
   */
  private List<Checkpoint> checkSignatures(
      Connection c, Checks checks, Schema.@Nullable LogIdentity identity, long first, long head)
      throws SQLException, Broken {
    List<Checkpoint> signed = new ArrayList<>();
    Checkpoint unsigned = null;
    for (Checkpoint cp : checks.checkpoints()) {
      if (checks.key() != null && cp.verifySignature(checks.key())) {
        signed.add(cp);
      } else if (unsigned == null) {
        unsigned = cp;
      }
    }
    if (unsigned == null) {
      return signed;
    }
    if (signed.isEmpty() && first > 0 && !macOk(c, first, identity) && !macOk(c, head, identity)) {
      throw new Broken(
          first, Problem.ENTRY_ALTERED,
          "wrong key or tampered from seq " + first + ": neither the first nor the newest entry nor any checkpoint"
              + " verifies under the given keys");
    }
    throw new Broken(
        unsigned.seq(), Problem.CHECKPOINT_SIGNATURE_INVALID,
        "checkpoint for seq " + unsigned.seq() + " is not signed by the trusted key");
  }

  /** The newest signed checkpoint inside {@code [from, head]}, or null. */
  private static @Nullable Checkpoint trustedCheckpoint(TreeMap<Long, Checkpoint> bySeq, long from, long head) {
    Map.Entry<Long, Checkpoint> e = bySeq.floorEntry(head);
    return e != null && e.getKey() >= from ? e.getValue() : null;
  }

  /**
   * Checks the stored row at a checkpoint's seq: present, stored as the store writes it, its MAC, and its hash equal to
   * the signed head.
   *
   * @return the row's hash
   */
  private byte[] checkpointRow(Connection c, Checkpoint cp, Schema.@Nullable LogIdentity identity)
      throws SQLException, Broken {
    try (PreparedStatement ps = c.prepareStatement(verifySelect + " WHERE seq = ?")) {
      ps.setLong(1, cp.seq());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new Broken(
              cp.seq(), Problem.SEQUENCE_GAP,
              "the entry at seq " + cp.seq() + " named by the checkpoint of " + cp.time() + " is missing");
        }
        Row row = readRow(rs);
        String badType = rs.getString(12);
        if (badType != null) {
          String[] colType = badType.split(":", 2);
          throw new Broken(
              row.seq(), Problem.STORAGE_TYPE_ALTERED,
              "column " + colType[0] + " is stored as " + colType[1] + ", not as the store writes it");
        }
        checkMac(row, identity, false);
        if (!cp.headHash().equals(HexFormat.of().formatHex(row.hash()))) {
          throw new Broken(
              row.seq(), Problem.CHECKPOINT_MISMATCH,
              "entry differs from the signed checkpoint of " + cp.time() + ": log rolled back or forked");
        }
        return row.hash();
      }
    }
  }

  /** Indexes checkpoints by seq; two with the same seq and different heads (or log ids) are a fork. */
  private static TreeMap<Long, Checkpoint> checkForks(List<Checkpoint> signed) throws Broken {
    TreeMap<Long, Checkpoint> bySeq = new TreeMap<>();
    Broken fork = null;
    for (Checkpoint cp : signed) {
      Checkpoint other = bySeq.putIfAbsent(cp.seq(), cp);
      // a legacy note (no log id) and a newer one for the same head are the same statement, not a fork
      boolean otherLog = other != null && other.logId().isPresent() && cp.logId().isPresent()
          && !other.logId().equals(cp.logId());
      if (other != null && (!other.headHash().equals(cp.headHash()) || otherLog)
          && (fork == null || cp.seq() < fork.seq)) {
        fork =
            new Broken(
                cp.seq(), Problem.CHECKPOINT_FORK,
                "two validly signed checkpoints (" + other.time() + " and " + cp.time() + ") name seq " + cp.seq()
                    + " with different head hashes: the log was rolled back and grew again");
      }
    }
    if (fork != null) {
      throw fork;
    }
    return bySeq;
  }

  private static void checkIdentity(
      Checks checks, List<Checkpoint> signed, Schema.@Nullable LogIdentity identity, int version, long first)
      throws Broken {
    String have = identity == null ? null : identity.hex();
    long at = Math.max(first, 1);
    if (identity == null && version >= Schema.VERSION) {
      throw new Broken(at, Problem.LOG_ID_MISMATCH, "the log id record of this database is missing or unreadable");
    }
    for (Checkpoint cp : signed) {
      if (cp.logId().isPresent() && !cp.logId().get().equals(have)) {
        throw new Broken(
            at, Problem.LOG_ID_MISMATCH,
            "the checkpoint signed at " + cp.time() + " is for log " + cp.logId().get() + " but this database is "
                + (have == null ? "a log without an id" : "log " + have) + ": another log's database was put in place");
      }
    }
    if (checks.expectedLogId().isPresent() && !checks.expectedLogId().get().equals(have)) {
      throw new Broken(
          at, Problem.LOG_ID_MISMATCH,
          "expected log " + checks.expectedLogId().get() + " but this database is "
              + (have == null ? "a log without an id" : "log " + have));
    }
  }

  private boolean macOk(Connection c, long seq, Schema.@Nullable LogIdentity identity) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SqliteStore.SELECT_ROW + " WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        Row row = RowReader.of(rs).read(rs);
        Mac mac = mac(row.keyId());
        return mac != null
            && MessageDigest.isEqual(mac.doFinal(Canonical.encode(row, identity(identity, row.seq()))), row.hash());
      } catch (IllegalArgumentException | NullPointerException e) {
        return false;
      }
    }
  }

  private static byte @Nullable [] identity(Schema.@Nullable LogIdentity identity, long seq) {
    return identity == null ? null : identity.forSeq(seq);
  }

  private void checkMac(Row row, Schema.@Nullable LogIdentity identity, boolean wrongKey) throws Broken {
    Mac mac = mac(row.keyId());
    if (mac == null) {
      throw new Broken(row.seq(), Problem.UNKNOWN_KEY, "entry uses key id " + row.keyId() + " which is not in the keyring");
    }
    byte[] computed = mac.doFinal(Canonical.encode(row, identity(identity, row.seq())));
    if (!MessageDigest.isEqual(computed, row.hash())) {
      throw new Broken(
          row.seq(), Problem.ENTRY_ALTERED,
          wrongKey
              ? "wrong key or tampered from seq " + row.seq() + ": neither the first nor the newest entry verifies"
                  + " under the given keys"
              : "MAC mismatch: entry edited or signed with another key");
    }
  }

  private void checkSingle(Connection c, long seq, Schema.@Nullable LogIdentity identity)
      throws SQLException, Broken {
    try (PreparedStatement ps = c.prepareStatement(SqliteStore.SELECT_ROW + " WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new Broken(seq, Problem.SEQUENCE_GAP, "anchor entry vanished");
        }
        checkMac(readRow(rs), identity, false);
      }
    }
  }

  /** The row by column name (only off the fast path: on a problem or an unusual row), typed as a verification problem. */
  private static Row readRow(ResultSet rs) throws SQLException, Broken {
    RowReader rows = RowReader.of(rs);
    long seq = rows.seq(rs);
    try {
      return rows.read(rs);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Broken(seq, Problem.MALFORMED_ENTRY, "entry cannot be decoded: " + e.getMessage());
    }
  }

  private static @Nullable Anchor findAnchor(Connection c, long first) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq, metadata FROM audit_log WHERE event = '" + SqliteStore.PURGE_EVENT + "' AND seq >= ?"
                + " ORDER BY seq")) {
      // the literal (not a parameter) lets SQLite use the partial index audit_log_purges: O(purges), not a scan
      ps.setLong(1, first);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          try {
            Map<String, Object> m = Json.parseObject(rs.getString(2));
            if (Long.valueOf(first - 1).equals(m.get("last_seq")) && m.get("last_deleted_hash") instanceof String h) {
              return new Anchor(rs.getLong(1), HexFormat.of().parseHex(h));
            }
          } catch (IllegalArgumentException | NullPointerException e) {
            // a malformed purge entry is not an anchor; the stream reports it as malformed or altered
          }
        }
      }
    }
    return null;
  }
}
