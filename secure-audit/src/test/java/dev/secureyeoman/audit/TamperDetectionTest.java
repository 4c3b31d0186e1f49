package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.internal.Canonical;
import dev.secureyeoman.audit.internal.Json;
import dev.secureyeoman.audit.internal.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded property test: random logs (random sizes, nested metadata, optional fields), every kind of tampering an attacker
 * with write access to the database file can do without the key. Each must be detected at the exact first seq it touches;
 * the untouched copy must verify.
 */
class TamperDetectionTest {
  private static final String COLS =
      "ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash";

  @TempDir Path dir;

  static Stream<Long> seeds() {
    return IntStream.range(0, 24).mapToObj(i -> 0x5EED0000L + i);
  }

  @FunctionalInterface
  interface Attack {
    /** Applies the attack; returns the first seq that must be reported broken. */
    long apply(Connection c, Random r, int n) throws Exception;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomLog_everyTamperingDetected_cleanLogVerifies(long seed) throws Exception {
    Random r = new Random(seed);
    int n = 3 + r.nextInt(40);
    Path base = dir.resolve("base.db");
    try (AuditStore s = TestSupport.open(base)) {
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(s.appendAsync(TestSupport.randomEvent(r)));
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get();
      }
    }
    try (AuditStore s = TestSupport.open(copy(base, "clean"))) {
      VerificationResult ok = s.verify();
      assertTrue(ok.valid(), ok.summary());
      assertEquals(n, ok.entriesChecked());
    }

    Map<String, Attack> attacks = new LinkedHashMap<>();
    for (String col : List.of("ts", "level", "event", "actor", "message", "correlation_id", "key_id", "prev_hash", "hash")) {
      attacks.put("edit " + col, (c, rr, nn) -> editColumn(c, rr, nn, col));
    }
    attacks.put("edit metadata", TamperDetectionTest::editMetadata);
    attacks.put("renumber row", TamperDetectionTest::renumber);
    attacks.put("delete middle row", TamperDetectionTest::deleteMiddle);
    attacks.put("delete first row", (c, rr, nn) -> {
      exec(c, "DELETE FROM audit_log WHERE seq = 1");
      return 2;
    });
    attacks.put("insert middle row", TamperDetectionTest::insertMiddle);
    attacks.put("swap two rows", TamperDetectionTest::swap);
    attacks.put("re-sign with wrong key", (c, rr, nn) -> {
      resign(c, TestSupport.key(99));
      return 1;
    });
    attacks.put("append forged row", TamperDetectionTest::appendForged);

    for (Map.Entry<String, Attack> a : attacks.entrySet()) {
      Path db = copy(base, a.getKey().replace(' ', '_'));
      long expected;
      try (Connection c = TestSupport.attacker(db)) {
        expected = a.getValue().apply(c, r, n);
      }
      try (AuditStore s = TestSupport.open(db)) {
        VerificationResult v = s.verify();
        assertFalse(v.valid(), a.getKey() + " not detected (seed " + seed + ", n " + n + ")");
        assertEquals(expected, v.firstBrokenSeq().orElseThrow(), a.getKey() + ": " + v.summary());
      }
    }
  }

  private Path copy(Path base, String name) throws Exception {
    Path p = dir.resolve(name + ".db");
    Files.copy(base, p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static long editColumn(Connection c, Random r, int n, String col) throws SQLException {
    long seq = 1 + r.nextInt(n);
    String set =
        switch (col) {
          case "ts" -> "ts = ts + 1";
          case "level" -> "level = CASE level WHEN 'ERROR' THEN 'INFO' ELSE 'ERROR' END";
          case "event" -> "event = event || 'x'";
          case "actor" -> "actor = 'mallory'";
          case "message" -> "message = message || '!'";
          case "correlation_id" -> "correlation_id = CASE WHEN correlation_id IS NULL THEN 'req-x' ELSE NULL END";
          case "key_id" -> "key_id = key_id + 1";
          case "prev_hash" -> "prev_hash = randomblob(32)";
          case "hash" -> "hash = randomblob(32)";
          default -> throw new IllegalArgumentException(col);
        };
    exec(c, "UPDATE audit_log SET " + set + " WHERE seq = " + seq);
    return seq;
  }

  private static long editMetadata(Connection c, Random r, int n) throws SQLException {
    long seq = 1 + r.nextInt(n);
    String md;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT metadata FROM audit_log WHERE seq = " + seq)) {
      md = rs.getString(1);
    }
    Map<String, Object> m = new LinkedHashMap<>(Json.parseObject(md));
    // change the deepest nested value we can find, else a top-level one
    if (!replaceNested(m, r)) {
      m.put("n", ((Long) m.get("n")) + 1);
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET metadata = ? WHERE seq = ?")) {
      ps.setString(1, Json.write(m));
      ps.setLong(2, seq);
      ps.executeUpdate();
    }
    return seq;
  }

  @SuppressWarnings("unchecked")
  private static boolean replaceNested(Map<String, Object> m, Random r) {
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> inner && !inner.isEmpty()) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) inner);
        if (!replaceNested(copy, r)) {
          String k = copy.keySet().iterator().next();
          copy.put(k, "tampered-" + r.nextInt());
        }
        e.setValue(copy);
        return true;
      }
    }
    return false;
  }

  private static long renumber(Connection c, Random r, int n) throws SQLException {
    long seq = 1 + r.nextInt(n);
    exec(c, "UPDATE audit_log SET seq = " + (n + 1000) + " WHERE seq = " + seq);
    return seq;
  }

  private static long deleteMiddle(Connection c, Random r, int n) throws SQLException {
    long seq = 2 + r.nextInt(n - 2);
    exec(c, "DELETE FROM audit_log WHERE seq = " + seq);
    return seq;
  }

  private static long insertMiddle(Connection c, Random r, int n) throws Exception {
    long at = 2 + r.nextInt(n - 1);
    exec(c, "UPDATE audit_log SET seq = -seq WHERE seq >= " + at);
    exec(c, "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0");
    Row prev = read(c, at - 1);
    Row forged = new Row(at, prev.timestampMillis(), "INFO", "forged", "mallory", "inserted", Map.of(), null,
        1, prev.hash(), null);
    insert(c, sign(forged, TestSupport.key(99)));
    return at;
  }

  private static long swap(Connection c, Random r, int n) throws Exception {
    long a = 1 + r.nextInt(n - 1);
    long b = a + 1 + r.nextInt((int) (n - a));
    Row ra = read(c, a);
    Row rb = read(c, b);
    exec(c, "DELETE FROM audit_log WHERE seq IN (" + a + "," + b + ")");
    insert(c, withSeq(rb, a));
    insert(c, withSeq(ra, b));
    return a;
  }

  private static long appendForged(Connection c, Random r, int n) throws Exception {
    Row last = read(c, n);
    Row forged = new Row(n + 1, last.timestampMillis(), "INFO", "forged", "mallory", "appended", Map.of("x", 1L),
        null, 1, last.hash(), null);
    insert(c, sign(forged, TestSupport.key(99)));
    return n + 1;
  }

  static void resign(Connection c, dev.secureyeoman.core.SecretBytes key) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq FROM audit_log ORDER BY seq")) {
      while (rs.next()) {
        rows.add(read(c, rs.getLong(1)));
      }
    }
    exec(c, "DELETE FROM audit_log");
    byte[] prev = rows.get(0).prevHash();
    for (Row row : rows) {
      Row s = sign(new Row(row.seq(), row.timestampMillis(), row.level(), row.event(), row.actor(), row.message(),
          row.metadata(), row.correlationId(), row.keyId(), prev, null), key);
      insert(c, s);
      prev = s.hash();
    }
  }

  static Row withSeq(Row r, long seq) {
    return new Row(seq, r.timestampMillis(), r.level(), r.event(), r.actor(), r.message(), r.metadata(),
        r.correlationId(), r.keyId(), r.prevHash(), r.hash());
  }

  static Row sign(Row r, dev.secureyeoman.core.SecretBytes key) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.toByteArray(), "HmacSHA256"));
    byte[] h = mac.doFinal(Canonical.encode(r));
    return new Row(r.seq(), r.timestampMillis(), r.level(), r.event(), r.actor(), r.message(), r.metadata(),
        r.correlationId(), r.keyId(), r.prevHash(), h);
  }

  static Row read(Connection c, long seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, " + COLS + " FROM audit_log WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no row " + seq);
        }
        return new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), Json.parseObject(rs.getString(7)), rs.getString(8), rs.getInt(9), rs.getBytes(10),
            rs.getBytes(11));
      }
    }
  }

  static void insert(Connection c, Row r) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO audit_log(seq, " + COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setLong(1, r.seq());
      ps.setLong(2, r.timestampMillis());
      ps.setString(3, r.level());
      ps.setString(4, r.event());
      ps.setString(5, r.actor());
      ps.setString(6, r.message());
      ps.setString(7, Json.write(r.metadata()));
      ps.setString(8, r.correlationId());
      ps.setInt(9, r.keyId());
      ps.setBytes(10, r.prevHash());
      ps.setBytes(11, r.hash());
      ps.executeUpdate();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void malformedMetadata_reportedAsMalformed(long seed) throws Exception {
    Random r = new Random(seed);
    Path db = dir.resolve("m.db");
    int n = 2 + r.nextInt(5);
    try (AuditStore s = TestSupport.open(db)) {
      for (int i = 0; i < n; i++) {
        s.append(TestSupport.randomEvent(r));
      }
    }
    long seq = 1 + r.nextInt(n);
    TestSupport.exec(db, "UPDATE audit_log SET metadata = '{not json' WHERE seq = " + seq);
    try (AuditStore s = TestSupport.open(db)) {
      VerificationResult v = s.verify();
      assertEquals(Problem.MALFORMED_ENTRY, v.problem().orElseThrow());
      assertEquals(seq, v.firstBrokenSeq().orElseThrow());
      AuditException e = org.junit.jupiter.api.Assertions.assertThrows(
          AuditException.class, () -> s.query(AuditQuery.builder().build()));
      assertTrue(e.getMessage().contains("seq " + seq), e.getMessage());
    }
  }
}
