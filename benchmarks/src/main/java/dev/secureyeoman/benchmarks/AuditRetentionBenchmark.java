package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does {@code enforceRetention} (verify the range, delete it in one transaction, append the chained
 * {@code retention_purge} entry, FTS optimize, incremental vacuum, WAL truncate) cost compared with a bare
 * {@code DELETE ... WHERE seq <= N} of the same range on the same schema (FTS triggers included when {@code fts=true})?
 * Each invocation starts from a fresh copy of a {@code rows}-entry database and deletes 90 % of it.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AuditRetentionBenchmark -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AuditRetentionBenchmark {
  @Param({"100000"})
  public int rows;

  @Param({"true", "false"})
  public boolean fts;

  private Path dir;
  private Path template;
  private Path work;
  private AuditStore store;
  private Connection raw;

  /**
   * Builds the template database once.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Trial)
  public void buildTemplate() throws Exception {
    dir = Files.createTempDirectory("audit-retention-bench");
    template = dir.resolve("template.db");
    try (AuditStore s = AuditBenchSupport.open(template, fts)) {
      for (int i = 0; i < rows; i += 10_000) {
        AuditBenchSupport.appendAll(s, i, Math.min(10_000, rows - i));
      }
    }
  }

  /**
   * Fresh copy of the template for each invocation.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Invocation)
  public void copy() throws Exception {
    work = dir.resolve("work.db");
    Files.copy(template, work, StandardCopyOption.REPLACE_EXISTING);
    store = null;
    raw = null;
  }

  /**
   * Closes whatever the invocation opened.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Invocation)
  public void closeWork() throws Exception {
    if (store != null) {
      store.close();
    }
    if (raw != null) {
      raw.close();
    }
    Files.deleteIfExists(work.resolveSibling("work.db-wal"));
    Files.deleteIfExists(work.resolveSibling("work.db-shm"));
  }

  /**
   * Deletes everything at the end.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    AuditBenchSupport.deleteTree(dir);
  }

  /**
   * SDK: open the store and enforce {@code maxEntries = rows / 10}. Returns after the purge's commit; the space is
   * reclaimed afterwards by the store's writer (here: in {@code close()}, outside the measured call).
   *
   * @return entries deleted
   * @throws Exception on failure
   */
  @Benchmark
  public long enforceRetention() throws Exception {
    store = AuditBenchSupport.open(work, fts);
    return store.enforceRetention(RetentionPolicy.maxEntries(rows / 10 + 1));
  }

  /**
   * SDK, purge plus the space reclamation that {@code enforceRetention} leaves to the writer's idle time since issue 17
   * ({@code reclaimSpace()}: FTS optimize, incremental vacuum to an empty freelist, WAL truncate) — the whole work that
   * {@link #enforceRetention()} used to do on the caller's path, for comparison.
   *
   * @return entries deleted plus pages freed
   * @throws Exception on failure
   */
  @Benchmark
  public long enforceRetentionThenReclaim() throws Exception {
    store = AuditBenchSupport.open(work, fts);
    return store.enforceRetention(RetentionPolicy.maxEntries(rows / 10 + 1)) + store.reclaimSpace();
  }

  /**
   * Floor of a verified purge (issue 17): open a raw connection and, in one transaction, read every column of the range
   * plus the first kept row and HMAC-SHA256 the stored bytes (as {@code AuditVerifyBenchmark.rawSqliteScanPlusHmac}
   * does), then delete the same range (FTS triggers included when {@code fts=true}).
   *
   * @return a checksum plus the rows deleted
   * @throws Exception on failure
   */
  @Benchmark
  public long scanHmacPlusDelete() throws Exception {
    raw = AuditBenchSupport.raw(work);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(AuditBenchSupport.key().toByteArray(), "HmacSHA256"));
    long last = rows - rows / 10;
    long x = 0;
    try (Statement st = raw.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try (java.sql.ResultSet rs =
          st.executeQuery(
              "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash"
                  + " FROM audit_log WHERE seq <= " + (last + 1) + " ORDER BY seq")) {
        while (rs.next()) {
          mac.update(java.nio.ByteBuffer.allocate(20).putLong(rs.getLong(1)).putLong(rs.getLong(2))
              .putInt(rs.getInt(9)).array());
          for (int col = 3; col <= 8; col++) {
            String v = rs.getString(col);
            if (v != null) {
              mac.update(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
          }
          mac.update(rs.getBytes(10));
          x += mac.doFinal()[0] + rs.getBytes(11)[0];
        }
      }
      x += st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + last);
      st.execute("COMMIT");
    }
    return x;
  }

  /**
   * Baseline: open a raw connection and delete the same range in one transaction.
   *
   * @return rows deleted
   * @throws Exception on failure
   */
  @Benchmark
  public int bareDelete() throws Exception {
    raw = AuditBenchSupport.raw(work);
    try (Statement st = raw.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      int n = st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + (rows - rows / 10));
      st.execute("COMMIT");
      return n;
    }
  }
}
