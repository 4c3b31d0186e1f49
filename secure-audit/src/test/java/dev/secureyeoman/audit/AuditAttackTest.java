package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Red-team attacks on the audit store (issue 17 paths) that worked, each with its fix. */
class AuditAttackTest {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("audit.db");
  }

  /**
   * Attack: after an acknowledged tampering the old evidence stays in the log, and every verification stops at it. New
   * tampering after the acknowledgement was never reached, so the store never locked again (docs claim it does).
   */
  @Test
  void tamperingAfterAnAcknowledgement_locksAgain_evenThoughTheOldEvidenceComesFirst() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 10, "m");
    }
    TestSupport.exec(db(), "UPDATE audit_log SET actor = 'nobody' WHERE seq = 3");
    long ackSeq;
    try (AuditStore s = TestSupport.open(db())) {
      assertEquals(3, s.verify().firstBrokenSeq().orElseThrow());
      ackSeq = s.acknowledgeTampering("seq 3 edit investigated").seq();
      TestSupport.appendN(s, 5, "after");
      // only the acknowledged evidence: appends go on
      assertEquals(3, s.verify().firstBrokenSeq().orElseThrow());
      s.append(AuditEvent.builder("still.ok").build());
    }
    assertEquals(11, ackSeq);
    // the attacker edits an entry written after the acknowledgement
    TestSupport.exec(db(), "UPDATE audit_log SET message = 'forged' WHERE seq = 13");
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(3, r.firstBrokenSeq().orElseThrow(), "verify still names the first bad entry");
      assertTrue(s.tamperingDetected().isPresent(), "the new tampering after the acknowledgement must lock the store");
      assertEquals(13, s.tamperingDetected().get().firstBrokenSeq().orElseThrow());
      assertEquals(Problem.ENTRY_ALTERED, s.tamperingDetected().get().problem().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("x").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }
}
