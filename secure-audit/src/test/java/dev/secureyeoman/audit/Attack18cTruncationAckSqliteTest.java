package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18c): an acknowledged truncation is recorded as the range head+1..checkpoint seq of kind
 * {@code TRUNCATED}, which reaches past the head. Entries appended after the acknowledgement fill those seqs; a
 * checkpoint signed over them afterwards (a new checkpoint file, as docs/audit.md advises after a rollback) must
 * protect them like any other: deleting them again is a new truncation, not the acknowledged one.
 */
class Attack18cTruncationAckSqliteTest {

  private static AuditStore open(Path db, Path cpFile) throws AuditException {
    return SqliteAuditStore.open(
        TestSupport.options(db)
            .checkpoints(CheckpointSinks.appendOnlyFile(cpFile), CheckpointKeys.deriveFromAuditKey(TestSupport.key(1)))
            .build());
  }

  @Test
  void ackedTruncation_newCheckpointFileSignsLaterEntries_theirDeletionIsRecorded(@TempDir Path dir)
      throws Exception {
    Path db = dir.resolve("db/audit.db");
    Path oldCp = dir.resolve("cp/old.cp");
    Path newCp = dir.resolve("cp/new.cp");
    try (AuditStore store = open(db, oldCp)) {
      TestSupport.appendN(store, 20, "before ");
      assertEquals(20, store.checkpoint().seq());
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq >= 11");
    try (AuditStore store = open(db, oldCp)) {
      assertFalse(store.verify().valid());
      assertTrue(store.tamperingDetected().isPresent());
      AuditEntry ack = store.acknowledgeTampering("SEC-1: 11..20 deleted, investigated");
      assertEquals(List.of("11-20:TRUNCATED"), ack.metadata().get("broken_ranges"));
    }
    // docs/audit.md: after an acknowledged rollback, start a new checkpoint file
    Files.move(oldCp, dir.resolve("cp/old.cp.evidence"));
    try (AuditStore store = open(db, newCp)) {
      assertEquals(11, store.startCheckpoints().seq());
      TestSupport.appendN(store, 7, "after "); // seqs 12..18: inside the acknowledged range 11-20
      assertEquals(18, store.checkpoint().seq()); // signed: these entries are now protected
      assertTrue(store.verify().valid());
    }
    // the attacker deletes the entries appended after the acknowledgement
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq >= 15");
    try (AuditStore store = open(db, newCp)) {
      VerificationResult r = store.verify();
      assertFalse(r.valid());
      assertEquals(VerificationResult.Problem.TRUNCATED, r.problem().orElseThrow());
      assertTrue(store.tamperingDetected().isPresent(), "a new truncation must be recorded: " + r.summary());
      AuditException e = assertThrows(AuditException.class, () -> TestSupport.appendN(store, 1, "x"));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  @Test
  void ackedTruncation_secondStoreWithItsOwnCheckpoints_laterDeletionRecorded(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("db/audit.db");
    Path cpA = dir.resolve("cpa/audit.cp");
    Path cpB = dir.resolve("cpb/audit.cp");
    try (AuditStore a = open(db, cpA)) {
      TestSupport.appendN(a, 20, "before ");
      assertEquals(20, a.checkpoint().seq());
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq >= 11");
    try (AuditStore a = open(db, cpA)) {
      assertFalse(a.verify().valid());
      a.acknowledgeTampering("SEC-2: truncation investigated");
    }
    // a second process with its own checkpoint file (its chain verifies: it never saw seq 20)
    try (AuditStore b = open(db, cpB)) {
      b.startCheckpoints();
      TestSupport.appendN(b, 7, "after ");
      assertEquals(18, b.checkpoint().seq());
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq >= 15");
    try (AuditStore b = open(db, cpB)) {
      VerificationResult r = b.verify();
      assertFalse(r.valid());
      assertTrue(b.tamperingDetected().isPresent(), "b's own checkpoint shows a new truncation: " + r.summary());
    }
  }
}
