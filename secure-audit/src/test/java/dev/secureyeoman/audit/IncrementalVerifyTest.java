package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental verification from the newest trusted signed checkpoint (issue 17). */
class IncrementalVerifyTest {
  @TempDir Path dir;

  private final KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  private TestSupport.Checkpointed layout() {
    return new TestSupport.Checkpointed(dir);
  }

  private AuditStore open() throws AuditException {
    return layout().open();
  }

  private static VerifyOptions incremental() {
    return VerifyOptions.defaults().sinceCheckpoint();
  }

  /** Appends quickly through group commit. */
  private static void bulk(AuditStore s, int n, String tag) throws Exception {
    List<CompletableFuture<AuditEntry>> fs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      fs.add(s.appendAsync(AuditEvent.builder("e").message(tag + i).put("i", (long) i).build()));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
  }

  @Test
  void sinceCheckpoint_reMacsOnlyTheEntriesAfterTheNewestCheckpoint() throws Exception {
    try (AuditStore s = open()) {
      bulk(s, 20_000, "old");
      Checkpoint cp = s.checkpoint();
      bulk(s, 1_000, "new");
      AtomicLong lastTotal = new AtomicLong();
      VerificationResult inc = s.verify(incremental().withProgress((checked, total) -> lastTotal.set(total)));
      assertTrue(inc.valid(), inc.summary());
      assertEquals(cp.seq(), inc.trustedThroughSeq());
      assertTrue(inc.incremental());
      assertEquals(1_000, inc.entriesChecked(), "only the new entries are MACed");
      assertEquals(1_000, lastTotal.get(), "progress counts the new entries only");
      assertEquals(21_000, inc.headSeq());
      bulk(s, 1_000, "newer");
      VerificationResult inc2 = s.verify(incremental());
      assertEquals(2_000, inc2.entriesChecked(), "the cost grows with the entries after the checkpoint only");
      VerificationResult full = s.verify();
      assertTrue(full.valid(), full.summary());
      assertFalse(full.incremental());
      assertEquals(22_000, full.entriesChecked());
      s.checkpoint();
      assertEquals(0, s.verify(incremental()).entriesChecked(), "a fresh checkpoint leaves nothing to re-MAC");
    }
  }

  @Test
  void tamperingAfterTheCheckpoint_isDetected() throws Exception {
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 20, "m");
      s.checkpoint();
      TestSupport.appendN(s, 10, "n");
    }
    TestSupport.exec(layout().db, "UPDATE audit_log SET message = 'edited' WHERE seq = 25");
    try (AuditStore s = open()) {
      VerificationResult v = s.verify(incremental());
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(25, v.firstBrokenSeq().orElseThrow());
    }
    TestSupport.exec(layout().db, "DELETE FROM audit_log WHERE seq = 25");
    try (AuditStore s = open()) {
      VerificationResult v = s.verify(incremental());
      assertEquals(Problem.SEQUENCE_GAP, v.problem().orElseThrow(), v.summary());
      assertEquals(25, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void tamperingBeforeTheCheckpoint_isLeftToTheFullVerification() throws Exception {
    // the documented limit: the prefix is trusted on the signed head, so an edit inside it is only seen by a full run
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 20, "m");
      s.checkpoint();
      TestSupport.appendN(s, 5, "n");
    }
    TestSupport.exec(layout().db, "UPDATE audit_log SET message = 'edited' WHERE seq = 5");
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(layout().db)
        .checkpoints(CheckpointSinks.appendOnlyFile(layout().cpFile), keys).build())) {
      VerificationResult inc = r.verify(incremental());
      assertTrue(inc.valid(), inc.summary());
      assertEquals(20, inc.trustedThroughSeq());
      VerificationResult full = r.verify();
      assertEquals(Problem.ENTRY_ALTERED, full.problem().orElseThrow(), full.summary());
      assertEquals(5, full.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void editedCheckpointedRow_isDetected() throws Exception {
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 10, "m");
      s.checkpoint();
      TestSupport.appendN(s, 2, "n");
    }
    TestSupport.exec(layout().db, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 10");
    try (AuditStore s = open()) {
      VerificationResult v = s.verify(incremental());
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(10, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void forgedCheckpoint_isRefused() throws Exception {
    KeyPair attacker = CheckpointKeys.generate(new SecureRandom());
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 10, "m");
      Checkpoint good = s.checkpoint();
      TestSupport.appendN(s, 5, "n");
      // the attacker signs the current head to have the edited tail trusted: not under the trusted key
      Checkpoint forged =
          Checkpoint.sign("secureyeoman-audit", 15, s.head().orElseThrow().hash(), Instant.now(), s.logId(), attacker);
      VerificationResult v =
          s.verify(VerifyOptions.defaults().withCheckpoints(List.of(good, forged), keys.getPublic()).sinceCheckpoint());
      assertEquals(Problem.CHECKPOINT_SIGNATURE_INVALID, v.problem().orElseThrow(), v.summary());
      assertEquals(15, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void checkpointWhoseHeadHashDoesNotMatchTheStoredRow_fails() throws Exception {
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 10, "m");
      String hashOf9 = s.query(AuditQuery.builder().afterSeq(8).limit(1).build()).get(0).hash();
      // validly signed by the trusted key, but over another head than the stored entry 10
      Checkpoint wrong = Checkpoint.sign("secureyeoman-audit", 10, hashOf9, Instant.now(), s.logId(), keys);
      VerificationResult v =
          s.verify(VerifyOptions.defaults().withCheckpoints(List.of(wrong), keys.getPublic()).sinceCheckpoint());
      assertEquals(Problem.CHECKPOINT_MISMATCH, v.problem().orElseThrow(), v.summary());
      assertEquals(10, v.firstBrokenSeq().orElseThrow());
      assertEquals(0, v.trustedThroughSeq(), "nothing was trusted on it");
    }
  }

  @Test
  void staleCheckpointOfARolledBackBranch_isRefused() throws Exception {
    Path old = dir.resolve("old-copy.db");
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 4, "m");
    }
    Files.copy(layout().db, old);
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 4, "m");
      s.checkpoint(); // seq 8 of the branch that is about to be rolled back
    }
    Files.copy(old, layout().db, StandardCopyOption.REPLACE_EXISTING);
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 10, "x"); // the restored copy grows past seq 8 on another branch
      VerificationResult v = s.verify(incremental());
      assertEquals(Problem.CHECKPOINT_MISMATCH, v.problem().orElseThrow(), v.summary());
      assertEquals(8, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void truncationBelowTheNewestCheckpoint_isDetected() throws Exception {
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 10, "m");
      s.checkpoint();
    }
    TestSupport.exec(layout().db, "DELETE FROM audit_log WHERE seq >= 9");
    try (AuditStore s = open()) {
      VerificationResult v = s.verify(incremental());
      assertEquals(Problem.TRUNCATED, v.problem().orElseThrow(), v.summary());
    }
  }

  @Test
  void checkpointInsideThePurgedRange_fallsBackToAFullVerification() throws Exception {
    try (AuditStore s = open()) {
      TestSupport.appendN(s, 5, "m");
      s.checkpoint();
      TestSupport.appendN(s, 10, "n");
      assertEquals(13, s.enforceRetention(RetentionPolicy.maxEntries(3)));
      VerificationResult v = s.verify(incremental());
      assertTrue(v.valid(), v.summary());
      assertFalse(v.incremental(), "the checkpoint's row is gone: nothing can be trusted on it");
      assertEquals(3, v.entriesChecked());
      s.checkpoint();
      TestSupport.appendN(s, 2, "o");
      VerificationResult v2 = s.verify(incremental());
      assertTrue(v2.valid(), v2.summary());
      assertEquals(16, v2.trustedThroughSeq(), "trusts the checkpoint after the purge");
      assertEquals(2, v2.entriesChecked());
    }
  }

  @Test
  void withoutCheckpoints_incrementalIsAFullVerification() throws Exception {
    try (AuditStore s = TestSupport.open(dir.resolve("plain.db"))) {
      TestSupport.appendN(s, 7, "m");
      VerificationResult v = s.verify(incremental());
      assertTrue(v.valid(), v.summary());
      assertEquals(7, v.entriesChecked());
      assertFalse(v.incremental());
    }
  }
}
