package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.internal.Canonical;
import dev.secureyeoman.audit.internal.Json;
import dev.secureyeoman.audit.internal.MacKeys;
import dev.secureyeoman.audit.internal.Row;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, item 3: a column stored with another storage class keeps its MAC (the bytes are the same) but escapes query
 * filters and age-based retention. Schema 2 tables are {@code STRICT}, and verification checks every column's class.
 */
class StorageTypeTest {
  @TempDir Path dir;

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private Path fill(String name, int n) throws AuditException {
    Path db = dir.resolve(name);
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(db).clock(clock).build())) {
      for (int i = 0; i < n; i++) {
        s.append(AuditEvent.builder("e").actor("alice").message("m" + i).correlationId("req-" + i).build());
      }
    }
    return db;
  }

  /** What an attacker with the file does first: rebuild the table without STRICT and without column types. */
  private static void rebuildWithoutStrict(Path db) throws SQLException {
    TestSupport.exec(db,
        "DROP TRIGGER IF EXISTS audit_fts_ai", "DROP TRIGGER IF EXISTS audit_fts_ad", "DROP TABLE IF EXISTS audit_fts",
        "CREATE TABLE loose (seq INTEGER PRIMARY KEY, ts, level, event, actor, message, metadata, correlation_id,"
            + " key_id, prev_hash, hash)",
        "INSERT INTO loose SELECT * FROM audit_log", "DROP TABLE audit_log", "ALTER TABLE loose RENAME TO audit_log");
  }

  @Test
  void strictTable_refusesAnotherStorageClass() throws Exception {
    Path db = fill("strict.db", 3);
    for (String set : new String[] {
        "actor = CAST(actor AS BLOB)", "ts = CAST(ts AS TEXT) || 'x'", "hash = 'text'", "key_id = 1.5"}) {
      SQLException e = assertThrows(SQLException.class,
          () -> TestSupport.exec(db, "UPDATE audit_log SET " + set + " WHERE seq = 2"), set);
      assertTrue(e.getMessage().contains("cannot store"), e.getMessage());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT sql FROM sqlite_master WHERE name = 'audit_log'")) {
      assertTrue(rs.getString(1).endsWith("STRICT"), rs.getString(1));
    }
  }

  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({
    "ts, TEXT", "level, BLOB", "event, BLOB", "actor, BLOB", "message, BLOB", "metadata, BLOB",
    "correlation_id, BLOB", "key_id, TEXT", "prev_hash, TEXT", "hash, TEXT"
  })
  void verify_columnStoredAsAnotherClass_isReportedAtItsSeq(String column, String storage) throws Exception {
    Path db = fill(column + ".db", 5);
    rebuildWithoutStrict(db);
    TestSupport.exec(db, "UPDATE audit_log SET " + column + " = CAST(" + column + " AS " + storage + ") WHERE seq = 3");
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      VerificationResult v = r.verify();
      assertFalse(v.valid(), column + ": " + v.summary());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(3, v.firstBrokenSeq().orElseThrow());
      assertTrue(v.detail().startsWith("column " + column + " is stored as " + storage.toLowerCase()), v.detail());
    }
  }

  @Test
  void retypedActorAndTimestamp_hideTheRowFromFiltersAndRetention_andVerifyRefusesToLetItPass() throws Exception {
    Path db = fill("hide.db", 4);
    rebuildWithoutStrict(db);
    TestSupport.exec(db, "UPDATE audit_log SET actor = CAST(actor AS BLOB) WHERE seq = 2");
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      // the attack: alice's second entry vanished from the filter, although its MAC still matches
      assertEquals(3, r.query(AuditQuery.builder().actor("alice").build()).size());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, r.verify().problem().orElseThrow());
    }
    Path aged = fill("aged.db", 4);
    rebuildWithoutStrict(aged);
    TestSupport.exec(aged, "UPDATE audit_log SET ts = CAST(ts AS TEXT) WHERE seq = 1");
    clock.advance(java.time.Duration.ofDays(100));
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(aged).clock(clock).build())) {
      // a text ts compares above every integer: retention by age would stop at seq 1 and purge nothing, silently
      AuditException e = assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxAge(30)));
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, e.verification().orElseThrow().problem().orElseThrow());
    }
  }

  // ------------------------------------------------------------------ migration from schema 1

  /** Writes a schema-1 log exactly as the previous version did: loose table, version-1 MACs, no log id. */
  static Path schema1(Path db, int n, String tamper) throws Exception {
    MacKeys keys = AuditKeyring.of(1, TestSupport.key(1)).macKeys();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, level TEXT NOT NULL,"
          + " event TEXT NOT NULL, actor TEXT NOT NULL, message TEXT NOT NULL, metadata TEXT NOT NULL,"
          + " correlation_id TEXT, key_id INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)");
      st.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log"
          + " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END");
      st.execute("PRAGMA user_version = 1");
      byte[] prev = new byte[32];
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
        for (int i = 1; i <= n; i++) {
          Row row = new Row(i, 1_700_000_000_000L + i, "INFO", "legacy", "bob", "old " + i, Map.of("i", (long) i),
              null, 1, prev, null);
          byte[] hash = keys.mac(1).doFinal(Canonical.encode(row));
          ps.setLong(1, i);
          ps.setLong(2, row.timestampMillis());
          ps.setString(3, "INFO");
          ps.setString(4, "legacy");
          ps.setString(5, "bob");
          ps.setString(6, row.message());
          ps.setString(7, Json.write(row.metadata()));
          ps.setNull(8, java.sql.Types.VARCHAR);
          ps.setInt(9, 1);
          ps.setBytes(10, prev);
          ps.setBytes(11, hash);
          ps.executeUpdate();
          prev = hash;
        }
      }
      if (tamper != null) {
        st.execute("DROP TRIGGER audit_log_append_only");
        st.execute(tamper);
      }
    }
    return db;
  }

  @Test
  void schema1Log_isMigratedToStrictTables_oldMacsStillVerify_newEntriesBindTheLogId() throws Exception {
    Path db = schema1(dir.resolve("v1.db"), 3, null);
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      assertTrue(r.verify().valid(), "a schema-1 log verifies read-only, without being migrated");
      assertTrue(r.logId().isEmpty());
    }
    try (AuditStore s = TestSupport.open(db)) {
      AuditEntry e = s.append(AuditEvent.builder("new").build());
      assertEquals(4, e.seq());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertTrue(s.logId().isPresent());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        assertEquals(2, rs.getInt(1));
      }
      try (ResultSet rs = st.executeQuery("SELECT value FROM audit_meta WHERE name = 'log_id_since'")) {
        assertEquals("4", rs.getString(1));
      }
      assertThrows(SQLException.class, () -> st.execute("UPDATE audit_log SET actor = CAST(actor AS BLOB)"));
    }
    try (AuditStore s = TestSupport.open(db)) {
      assertEquals(1, s.search("legacy", 10).size() > 0 ? 1 : 0, "the full-text index was rebuilt");
    }
  }

  @Test
  void schema1Log_withARetypedRow_isNotLaunderedByTheMigration() throws Exception {
    Path db = schema1(dir.resolve("v1bad.db"), 3, "UPDATE audit_log SET actor = CAST(actor AS BLOB) WHERE seq = 2");
    AuditException e = assertThrows(AuditException.class, () -> TestSupport.open(db));
    assertEquals(Reason.UNSUPPORTED_SCHEMA, e.reason());
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      VerificationResult v = r.verify();
      assertEquals(Problem.STORAGE_TYPE_ALTERED, v.problem().orElseThrow());
      assertEquals(2, v.firstBrokenSeq().orElseThrow());
    }
  }
}
