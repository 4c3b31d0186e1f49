package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 on SQLite: an edited newest row is told apart from a wrong key. An earlier entry under the head's key id
 * verifies → the head was edited: recorded at open, appends refused with TAMPERED (before: KEY_MISMATCH and nothing
 * recorded). A store with a wrong key still records nothing, not even from its own failed verification.
 */
class TamperedHeadSqliteTest {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("db/audit.db");
  }

  @Test
  void editedHead_recordedAtOpen_appendsRefusedWithTampered_acknowledgeResumes() throws Exception {
    try (AuditStore running = TestSupport.open(db())) {
      TestSupport.appendN(running, 4, "m");
      TestSupport.exec(db(), "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 4");
      try (AuditStore reopened = TestSupport.open(db())) {
        VerificationResult recorded =
            reopened.tamperingDetected().orElseThrow(() -> new AssertionError("the edited head was not recorded"));
        assertEquals(4, recorded.firstBrokenSeq().orElseThrow());
        assertEquals(Problem.ENTRY_ALTERED, recorded.problem().orElseThrow());
        assertEquals(
            Reason.TAMPERED,
            assertThrows(AuditException.class, () -> reopened.append(AuditEvent.builder("x.y").build())).reason());
        assertEquals(
            Reason.TAMPERED,
            assertThrows(AuditException.class, () -> running.append(AuditEvent.builder("x.y").build())).reason(),
            "the process that kept running refuses too");
        assertEquals(5, reopened.acknowledgeTampering("INC-18: head edited by a test").seq());
        assertEquals(6, running.append(AuditEvent.builder("x.y").build()).seq());
      }
    }
    try (AuditStore again = TestSupport.open(db())) {
      assertTrue(again.tamperingDetected().isEmpty());
      assertEquals(7, again.append(AuditEvent.builder("x.y").build()).seq());
    }
  }

  @Test
  void editedHead_malformed_recordedAtOpen() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 3, "m");
    }
    TestSupport.exec(db(), "UPDATE audit_log SET metadata = '{not json' WHERE seq = 3");
    try (AuditStore s = TestSupport.open(db())) {
      assertEquals(3, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      assertEquals(
          Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("x.y").build())).reason());
    }
  }

  @Test
  void wrongKey_verifyRecordsNothing_rightKeyKeepsAppending() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 3, "m");
    }
    try (AuditStore wrong = SqliteAuditStore.open(AuditStoreOptions.builder(db()).macKey(TestSupport.key(2)).build())) {
      assertFalse(wrong.verify().valid());
      assertEquals(
          Reason.KEY_MISMATCH,
          assertThrows(AuditException.class, () -> wrong.append(AuditEvent.builder("x.y").build())).reason());
    }
    try (AuditStore right = TestSupport.open(db())) {
      assertTrue(right.tamperingDetected().isEmpty(), "a wrong key must not lock the log for the right one");
      assertEquals(4, right.append(AuditEvent.builder("x.y").build()).seq());
    }
  }
}
