package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Red team (attack18c): a row with a seq below 1 (0 or negative) inserted with SQL. Exports and search list it like
 * an entry; the verification must report it, and after an acknowledgement the whole-log scan must see it too.
 */
class Attack18cSeqBelowOneTest {
  @TempDir Path dir;

  private static final String FORGE =
      "INSERT INTO audit_log(seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash)"
          + " SELECT %d, ts, level, event, 'mallory', 'forged quokka', metadata, correlation_id, key_id, prev_hash,"
          + " hash FROM audit_log WHERE seq = 1";

  @ParameterizedTest
  @ValueSource(longs = {0, -1})
  void forgedRowBelowSeqOne_exportedAndSearched_verificationFails(long seq) throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 5, "m");
    }
    TestSupport.exec(db, String.format(FORGE, seq));
    try (AuditStore s = TestSupport.open(db)) {
      StringWriter w = new StringWriter();
      s.exportJsonl(w);
      assertTrue(w.toString().contains("forged quokka"), "the forged row is exported as an entry");
      VerificationResult r = s.verify();
      assertFalse(r.valid(), "a forged row in the table must fail verification: " + r.summary());
      assertTrue(s.tamperingDetected().isPresent());
    }
  }

  @Test
  void afterAnAcknowledgement_forgedRowAtSeqMinusOne_recorded() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 5, "m");
    }
    TestSupport.exec(db, "UPDATE audit_log SET message = 'edited' WHERE seq = 3");
    try (AuditStore s = TestSupport.open(db)) {
      assertFalse(s.verify().valid());
      s.acknowledgeTampering("SEC-12: seq 3 edited, investigated");
    }
    TestSupport.exec(db, String.format(FORGE, -1));
    try (AuditStore s = TestSupport.open(db)) {
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertTrue(s.tamperingDetected().isPresent(), "a new forged row must be recorded: " + r.summary());
    }
  }

  @Test
  void tableRebuiltWithoutThePrimaryKey_rowWithNullSeq_exported_verificationFails() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 5, "m");
    }
    // the file's owner rebuilds the table: no STRICT, no primary key (seq may then be NULL)
    TestSupport.exec(db,
        "CREATE TABLE audit_log_loose AS SELECT * FROM audit_log",
        "DROP TABLE audit_log",
        "ALTER TABLE audit_log_loose RENAME TO audit_log",
        String.format(FORGE.replace("SELECT %d,", "SELECT NULL,"), 0));
    try (AuditStore s = TestSupport.open(db)) {
      StringWriter w = new StringWriter();
      s.exportJsonl(w);
      assertTrue(w.toString().contains("forged quokka"), "the forged row is exported as an entry");
      VerificationResult r = s.verify();
      assertFalse(r.valid(), "a row without a seq must fail verification: " + r.summary());
      assertTrue(s.tamperingDetected().isPresent());
    }
  }

  @Test
  void rowAtANineteenDigitSeq_acknowledged_staysAcknowledged() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 5, "m");
    }
    TestSupport.exec(db, String.format(FORGE, 4_611_686_018_427_387_904L));
    try (AuditStore s = TestSupport.open(db)) {
      assertFalse(s.verify().valid());
      assertTrue(s.tamperingDetected().isPresent());
      AuditEntry ack = s.acknowledgeTampering("SEC-16: a row at seq 2^62 inserted, investigated");
      assertTrue(String.valueOf(ack.metadata().get("broken_ranges")).contains("4611686018427387904"),
          String.valueOf(ack.metadata()));
      assertFalse(s.verify().valid(), "the evidence stays");
      assertTrue(s.tamperingDetected().isEmpty(),
          "the acknowledged break must stay acknowledged: " + ack.metadata().get("broken_ranges"));
    }
  }

  @Test
  void rowAtLongMaxSeq_acknowledgementRefused_nothingWrittenBelowOne_deletedThenResumes() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 3, "m");
    }
    TestSupport.exec(db, String.format(FORGE, Long.MAX_VALUE));
    try (AuditStore s = TestSupport.open(db)) {
      assertFalse(s.verify().valid());
      // before: the acknowledgement was written at seq Long.MIN_VALUE and every later append failed on the key
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> s.acknowledgeTampering("x"));
      assertTrue(e.getMessage().contains("9223372036854775807"), e.getMessage());
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
          java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM audit_log WHERE seq < 1")) {
        assertTrue(rs.next() && rs.getLong(1) == 0, "nothing written at a wrapped seq");
      }
      assertTrue(s.tamperingDetected().isPresent());
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq = " + Long.MAX_VALUE);
    try (AuditStore s = TestSupport.open(db)) {
      s.acknowledgeTampering("SEC-17: the row at the last seq exported and deleted");
      TestSupport.appendN(s, 1, "after");
      assertTrue(s.verify().valid());
    }
  }
}
