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
 * Red team (attack18c): problems of the whole log are acknowledged by name. {@code CHECKPOINTS_MISSING} acknowledged
 * once (a sink configured for the first time, as {@code AuditStoreContract} does it) must not cover a later deletion of
 * the checkpoint file that was started afterwards — with the file gone, a truncation is invisible.
 */
class Attack18cWholeLogAckTest {

  @Test
  void checkpointsMissingAcknowledged_fileStartedLater_deletedAgainWithATruncation_recorded(@TempDir Path dir)
      throws Exception {
    TestSupport.Checkpointed layout = new TestSupport.Checkpointed(dir);
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(layout.db).build())) {
      TestSupport.appendN(s, 4, "no sink yet ");
    }
    try (AuditStore s = layout.open()) {
      assertThrows(AuditException.class, s::checkpoint); // CHECKPOINTS_MISSING: recorded
      AuditEntry ack = s.acknowledgeTampering("SEC-11: the checkpoint sink is configured for the first time");
      assertEquals(List.of("CHECKPOINTS_MISSING"), ack.metadata().get("log_problems"));
      assertEquals(5, s.startCheckpoints().seq());
      TestSupport.appendN(s, 10, "protected ");
      assertEquals(15, s.checkpoint().seq());
      assertTrue(s.verify().valid());
    }
    // the attacker deletes the checkpoint file and the newest entries
    Files.delete(layout.cpFile);
    TestSupport.exec(layout.db, "DELETE FROM audit_log WHERE seq >= 8");
    try (AuditStore s = layout.open()) {
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(VerificationResult.Problem.CHECKPOINTS_MISSING, r.problem().orElseThrow());
      assertTrue(s.tamperingDetected().isPresent(), "the file deleted again must be recorded: " + r.summary());
      AuditException e = assertThrows(AuditException.class, () -> TestSupport.appendN(s, 1, "x"));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }
}
