package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18f, the SQLite twin of the rigged {@code audit_meta}): a trigger planted on {@code audit_tamper}
 * drops the fail-closed record. The store that found the failure must refuse appends anyway, until acknowledged.
 */
class Attack18fSqliteTamperRecordTest {
  @TempDir Path dir;

  @Test
  void triggerDroppingTheTamperRecord_storeThatFoundTheFailureRefusesAppends_untilAcknowledged() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 5, "m");
    }
    TestSupport.exec(db,
        "CREATE TRIGGER drop_tamper BEFORE INSERT ON audit_tamper BEGIN SELECT RAISE(IGNORE); END",
        "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 3");
    try (AuditStore s = TestSupport.open(db)) {
      try {
        VerificationResult r = s.verify();
        assertFalse(r.valid());
      } catch (AuditException e) {
        assertEquals(AuditException.Reason.STORAGE, e.reason(), "the record could not be stored");
      }
      AuditException refused =
          assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("after").actor("mallory").build()));
      assertEquals(AuditException.Reason.TAMPERED, refused.reason());
      assertEquals(3L, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      long head = s.head().orElseThrow().seq();
      assertEquals(5L, head, "nothing appended");

      AuditEntry ack = s.acknowledgeTampering("investigated: rigged audit_tamper trigger", "alice");
      assertEquals(6L, ack.seq());
      assertTrue(s.tamperingDetected().isEmpty());
      assertEquals(7L, s.append(AuditEvent.builder("resumed").build()).seq());
    }
  }
}
