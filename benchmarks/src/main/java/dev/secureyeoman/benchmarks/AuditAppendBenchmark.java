package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does the audit chain (canonical encoding + HMAC + chaining + single writer with group commit) cost over a
 * raw batched sqlite-jdbc insert of the same rows without the chain? With {@code fts=true} both tables carry the same
 * FTS5 external-content index and insert trigger, so the ratio isolates the chain; comparing the two {@code fts} values
 * of one method shows what the index itself costs. Both use WAL with
 * {@code synchronous=FULL} and commit every 512 rows; one invocation writes {@value #BURST} rows (the store receives them
 * as {@code appendAsync} calls and returns when all are durably committed).
 *
 * <p>Both sides get the same pre-built events (issue 17: before, the store's side also built its events inside the
 * measured call).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AuditAppendBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditAppendBenchmark {
  static final int BURST = 2000;

  @Param({"true", "false"})
  public boolean fts;

  private Path dir;
  private AuditStore store;
  private Connection raw;
  private AuditEvent[] events;
  private byte[][] hashes;

  /**
   * Opens a fresh store and a raw table.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("audit-append-bench");
    store = AuditBenchSupport.open(dir.resolve("store.db"), fts);
    raw = AuditBenchSupport.raw(dir.resolve("raw.db"));
    createRawTable(raw, fts);
    events = new AuditEvent[BURST];
    for (int i = 0; i < BURST; i++) {
      events[i] = AuditBenchSupport.event(i);
    }
    hashes = fakeHashes(BURST);
  }

  /**
   * Creates the baseline table: the store's row shape (issue 17 follow-up: like-for-like), with the store's FTS5 index
   * and insert trigger when {@code fts}.
   *
   * @param raw the connection
   * @param fts whether to add the FTS5 index
   * @throws java.sql.SQLException on failure
   */
  static void createRawTable(Connection raw, boolean fts) throws java.sql.SQLException {
    try (Statement st = raw.createStatement()) {
      // like-for-like (issue 17 follow-up): the same row the store writes — same columns including key_id and the two
      // 32-byte prev_hash/hash blobs, a STRICT table, the same partial index on purge entries and the same
      // auto_vacuum mode — so the ratio measures the chain and the writer, not a narrower row
      st.execute("PRAGMA auto_vacuum = INCREMENTAL"); // as the store: before the first table
      st.execute(
          "CREATE TABLE raw_log (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, level TEXT NOT NULL, event TEXT NOT NULL,"
              + " actor TEXT NOT NULL, message TEXT NOT NULL, metadata TEXT NOT NULL, correlation_id TEXT,"
              + " key_id INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL) STRICT");
      st.execute("CREATE INDEX raw_log_purges ON raw_log(seq) WHERE event = 'retention_purge'");
      if (fts) {
        // same index as the store, so the comparison isolates the chain and the writer
        st.execute(
            "CREATE VIRTUAL TABLE raw_fts USING fts5(event, actor, message, metadata,"
                + " content='raw_log', content_rowid='seq', tokenize='unicode61')");
        st.execute(
            "CREATE TRIGGER raw_fts_ai AFTER INSERT ON raw_log BEGIN"
                + " INSERT INTO raw_fts(rowid, event, actor, message, metadata)"
                + " VALUES (new.seq, new.event, new.actor, new.message, new.metadata); END");
      }
    }
  }

  /**
   * Random 32-byte values standing in for the hash chain (SQLite stores them like real hashes).
   *
   * @param n how many rows
   * @return n + 1 values
   */
  static byte[][] fakeHashes(int n) {
    byte[][] h = new byte[n + 1][];
    java.util.Random r = new java.util.Random(17);
    for (int i = 0; i <= n; i++) {
      h[i] = new byte[32];
      r.nextBytes(h[i]);
    }
    return h;
  }

  /**
   * Closes everything and deletes the files.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    raw.close();
    AuditBenchSupport.deleteTree(dir);
  }

  /**
   * SDK: {@value #BURST} {@code appendAsync} calls, then wait for their durable commit.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void auditStoreGroupCommit() throws Exception {
    // the same pre-built events as the baseline (building events is the caller's cost on both sides)
    AuditBenchSupport.appendAll(store, events);
  }

  /**
   * Baseline: the same rows (metadata serialised to JSON, key id and two 32-byte hash blobs, as the store writes them) in
   * batched inserts, committed every 512 rows, no MAC, no chain; FTS5 index only when {@code fts=true}.
   *
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public void rawBatchedInsert() throws Exception {
    rawInsert(raw, events, hashes);
  }

  /**
   * The baseline's insert: batched, one transaction per 512 rows, the store's row shape, no MAC.
   *
   * @param raw the connection
   * @param events the rows
   * @param hashes {@link #fakeHashes} of at least {@code events.length}
   * @throws Exception on failure
   */
  static void rawInsert(Connection raw, AuditEvent[] events, byte[][] hashes) throws Exception {
    try (Statement st = raw.createStatement();
        PreparedStatement ps =
            raw.prepareStatement(
                "INSERT INTO raw_log(ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash,"
                    + " hash) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
      for (int start = 0; start < events.length; start += 512) {
        st.execute("BEGIN IMMEDIATE");
        for (int i = start; i < Math.min(events.length, start + 512); i++) {
          AuditEvent e = events[i];
          ps.setLong(1, System.currentTimeMillis());
          ps.setString(2, e.level().name());
          ps.setString(3, e.event());
          ps.setString(4, e.actor());
          ps.setString(5, e.message());
          ps.setString(6, dev.secureyeoman.audit.internal.Json.write(e.metadata()));
          ps.setString(7, e.correlationId().orElse(null));
          ps.setInt(8, 1);
          ps.setBytes(9, hashes[i]); // any 32 bytes: SQLite stores them the same; no MAC is computed here
          ps.setBytes(10, hashes[i + 1]);
          ps.addBatch();
        }
        ps.executeBatch();
        st.execute("COMMIT");
      }
    }
  }
}
