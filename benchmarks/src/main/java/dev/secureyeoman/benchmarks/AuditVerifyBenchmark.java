package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import dev.secureyeoman.audit.internal.Canonical;
import dev.secureyeoman.audit.internal.Json;
import dev.secureyeoman.audit.internal.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: how close is {@code AuditStore.verify()} (stream rows from SQLite, parse metadata, canonical-encode, HMAC,
 * compare chain links) to a raw HMAC-SHA256 loop over the same canonical bytes already in memory?
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AuditVerifyBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditVerifyBenchmark {
  static final int ENTRIES = 100_000;
  private static final String SELECT_ALL =
      "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash"
          + " FROM audit_log ORDER BY seq";

  private Path dir;
  private Path db;
  private AuditStore store;
  private List<byte[]> encoded;
  private Mac mac;

  /**
   * Writes {@value #ENTRIES} entries and keeps their canonical encodings in memory.
   *
   * @throws Exception on failure
   */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    dir = Files.createTempDirectory("audit-verify-bench");
    db = dir.resolve("v.db");
    store = AuditBenchSupport.open(db, false);
    for (int i = 0; i < ENTRIES; i += 10_000) {
      AuditBenchSupport.appendAll(store, i, 10_000);
    }
    encoded = new ArrayList<>(ENTRIES);
    try (Connection c = AuditBenchSupport.raw(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                SELECT_ALL)) {
      while (rs.next()) {
        encoded.add(
            Canonical.encode(
                new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), Json.parseObject(rs.getString(7)), rs.getString(8), rs.getInt(9),
                    rs.getBytes(10), null)));
      }
    }
    mac = Mac.getInstance("HmacSHA256");
    byte[] k = AuditBenchSupport.key().toByteArray();
    mac.init(new SecretKeySpec(k, "HmacSHA256"));
  }

  /**
   * Closes the store and deletes the files.
   *
   * @throws Exception on failure
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    AuditBenchSupport.deleteTree(dir);
  }

  /**
   * SDK: full verification of {@value #ENTRIES} entries.
   *
   * @return the result
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public VerificationResult auditStoreVerify() throws Exception {
    VerificationResult r = store.verify(VerifyOptions.defaults().withoutCheckpoints());
    if (!r.valid()) {
      throw new IllegalStateException(r.summary());
    }
    return r;
  }

  /**
   * Baseline: HMAC-SHA256 over the same canonical bytes, already in memory.
   *
   * @return a checksum so the work is not eliminated
   */
  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public int rawHmacLoop() {
    int x = 0;
    for (byte[] b : encoded) {
      x += mac.doFinal(b)[0];
    }
    return x;
  }

  /**
   * Second baseline: only read every row and column from SQLite (no parsing, no MAC), to show where verify's time goes.
   *
   * @return a checksum so the work is not eliminated
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public long rawSqliteScan() throws Exception {
    long x = 0;
    try (Connection c = AuditBenchSupport.raw(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                SELECT_ALL)) {
      while (rs.next()) {
        x += rs.getLong(1) + rs.getLong(2) + rs.getString(3).length() + rs.getString(4).length()
            + rs.getString(5).length() + rs.getString(6).length() + rs.getString(7).length()
            + (rs.getString(8) == null ? 0 : 1) + rs.getInt(9) + rs.getBytes(10)[0] + rs.getBytes(11)[0];
      }
    }
    return x;
  }

  /**
   * Third baseline, the floor of any verifier of a chain stored in SQLite: read every row and column and HMAC-SHA256
   * the stored column bytes directly (UTF-8 text, no metadata parsing, no canonical encoding, no chain checks).
   *
   * @return a checksum so the work is not eliminated
   * @throws Exception on failure
   */
  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public long rawSqliteScanPlusHmac() throws Exception {
    long x = 0;
    try (Connection c = AuditBenchSupport.raw(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                SELECT_ALL)) {
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
    return x;
  }
}
