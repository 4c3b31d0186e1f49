package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After a failed verification the store refuses appends until the host acknowledges (issue 17). */
class FailClosedTest {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("db/audit.db");
  }

  private void tamperedLog() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 5, "m");
    }
    TestSupport.exec(db(), "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
  }

  @Test
  void appendAfterFailedVerify_throwsTampered_untilAcknowledged() throws Exception {
    tamperedLog();
    try (AuditStore s = TestSupport.open(db())) {
      assertTrue(s.tamperingDetected().isEmpty(), "nothing detected before a verification");
      VerificationResult v = s.verify();
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("after").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
      assertEquals(2, e.verification().orElseThrow().firstBrokenSeq().orElseThrow());
      assertEquals(Problem.ENTRY_ALTERED, e.verification().orElseThrow().problem().orElseThrow());
      ExecutionException async =
          assertThrows(ExecutionException.class, () -> s.appendAsync(AuditEvent.builder("after").build()).get());
      assertEquals(AuditException.Reason.TAMPERED, ((AuditException) async.getCause()).reason());
      assertEquals(5, s.head().orElseThrow().seq(), "nothing was written on top of the evidence");
      assertEquals(2, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());

      AuditEntry ack = s.acknowledgeTampering("investigated in ticket SEC-17");
      assertEquals(6, ack.seq());
      assertEquals("audit.tampering_acknowledged", ack.event());
      assertEquals(AuditLevel.SECURITY, ack.level());
      assertEquals("investigated in ticket SEC-17", ack.metadata().get("reason"));
      assertEquals(2L, ack.metadata().get("first_broken_seq"));
      assertEquals("ENTRY_ALTERED", ack.metadata().get("problem"));
      assertEquals(s.query(AuditQuery.builder().afterSeq(4).limit(1).build()).get(0).hash(), ack.prevHash());
      assertTrue(s.tamperingDetected().isEmpty());

      assertEquals(7, s.append(AuditEvent.builder("after").build()).seq());
      VerificationResult again = s.verify();
      assertEquals(2, again.firstBrokenSeq().orElseThrow(), "the evidence itself is kept");
      assertEquals(8, s.append(AuditEvent.builder("after").build()).seq(), "acknowledged evidence does not re-lock");
    }
  }

  @Test
  void readOnlyState_survivesRestart_andHoldsForAnotherProcess() throws Exception {
    tamperedLog();
    try (AuditStore s = TestSupport.open(db())) {
      assertFalse(s.verify().valid());
    }
    try (AuditStore s = TestSupport.open(db())) {
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("after").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason(), "no verification needed after the restart");
    }
    Process child = TestSupport.startChild(WriterChild.class, db().toString(), "1", "child");
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertNotEquals(0, child.exitValue(), out);
    assertTrue(out.contains("refusing to append"), out);
    try (AuditStore s = TestSupport.open(db())) {
      assertEquals(5, s.head().orElseThrow().seq());
      s.acknowledgeTampering("restored and investigated");
    }
    TestSupport.runChild(WriterChild.class, db().toString(), "1", "child");
    try (AuditStore s = TestSupport.open(db())) {
      assertEquals(7, s.head().orElseThrow().seq(), "the other process appends again after the acknowledgement");
    }
  }

  @Test
  void acknowledgementEntry_verifiesAsPartOfTheChain_andALaterFailureLocksAgain() throws Exception {
    TestSupport.Checkpointed layout = new TestSupport.Checkpointed(dir);
    try (AuditStore s = layout.open()) {
      TestSupport.appendN(s, 10, "m");
      s.checkpoint();
    }
    TestSupport.exec(layout.db, "DELETE FROM audit_log WHERE seq >= 9"); // newest entries deleted
    try (AuditStore s = layout.open()) {
      assertEquals(Problem.TRUNCATED, s.verify().problem().orElseThrow());
      assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("after").build()));
      AuditEntry ack = s.acknowledgeTampering("truncation reported to the incident team");
      assertEquals(9, ack.seq());
      assertEquals(10, s.append(AuditEvent.builder("after").build()).seq());
      VerificationResult chain = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(chain.valid(), chain.summary());
      assertEquals(10, chain.entriesChecked(), "the acknowledgement's MAC and link verify with the rest of the chain");
      List<AuditEntry> all = TestSupport.all(s);
      assertEquals(all.get(8).hash(), all.get(9).prevHash());
      // against the checkpoint the regrown seq 10 differs from the signed one: the acknowledged truncation (9-10)
      VerificationResult v = s.verify();
      assertEquals(Problem.CHECKPOINT_MISMATCH, v.problem().orElseThrow(), v.summary());
      assertEquals(10, v.firstBrokenSeq().orElseThrow());
      assertTrue(s.tamperingDetected().isEmpty(), "covered by the acknowledged range 9-10:TRUNCATED");
      assertEquals(11, s.append(AuditEvent.builder("after").build()).seq());
    }
    // an edit of the regrown entry inside the acknowledged range is a break of another kind: a new failure
    TestSupport.exec(layout.db, "UPDATE audit_log SET message = 'rewritten' WHERE seq = 10");
    try (AuditStore s = layout.open()) {
      VerificationResult v = s.verify();
      assertEquals(10, v.firstBrokenSeq().orElseThrow(), v.summary());
      assertEquals(10, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("after").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  @Test
  void purgeOfAReadOnlyStore_isRefused() throws Exception {
    TestSupport.Checkpointed layout = new TestSupport.Checkpointed(dir);
    try (AuditStore s = layout.open()) {
      TestSupport.appendN(s, 10, "m");
      s.checkpoint();
    }
    java.nio.file.Files.delete(layout.cpFile); // checkpoints missing: a failed verification
    try (AuditStore s = layout.open()) {
      assertEquals(Problem.CHECKPOINTS_MISSING, s.verify().problem().orElseThrow());
      s.startCheckpoints(); // the log itself verifies: a new checkpoint file is started deliberately
      AuditException e = assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(3)));
      assertEquals(AuditException.Reason.TAMPERED, e.reason(), "still read-only until acknowledged");
      s.acknowledgeTampering("checkpoint file restarted after the disk was replaced");
      assertEquals(9, s.enforceRetention(RetentionPolicy.maxEntries(3))); // 11 entries with the acknowledgement
    }
  }

  @Test
  void acknowledge_misuse() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 1, "m");
      assertThrows(IllegalStateException.class, () -> s.acknowledgeTampering("nothing happened"));
      assertThrows(IllegalArgumentException.class, () -> s.acknowledgeTampering(" "));
      assertThrows(IllegalArgumentException.class, () -> s.acknowledgeTampering(null));
      assertThrows(IllegalArgumentException.class, () -> s.acknowledgeTampering("x".repeat(1001)));
      assertThrows(IllegalArgumentException.class, () -> s.appendAsync(
          AuditEvent.builder("audit.tampering_acknowledged").build()), "the event name is reserved");
      assertEquals(2, s.append(AuditEvent.builder("ok").build()).seq());
    }
  }

  @Test
  void readOnlyReaderVerification_doesNotWrite() throws Exception {
    tamperedLog();
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db()).build())) {
      assertFalse(r.verify().valid());
    }
    try (AuditStore s = TestSupport.open(db())) {
      assertTrue(s.tamperingDetected().isEmpty(), "an evidence reader never writes, not even the read-only state");
      assertInstanceOf(AuditEntry.class, s.append(AuditEvent.builder("after").build()));
    }
  }

  /**
   * Red team of the caller-expectation rule: when the store's own verification cannot run (its checkpoint file is not
   * a checkpoint file), a failed verification with the caller's expectations is still returned and recorded (fail
   * closed), not turned into an exception that records nothing.
   */
  @Test
  void callerExpectations_storesCheckpointFileMalformed_failureReturnedAndRecorded() throws Exception {
    TestSupport.Checkpointed layout = new TestSupport.Checkpointed(dir);
    try (AuditStore s = layout.open()) {
      TestSupport.appendN(s, 5, "m");
      s.checkpoint();
    }
    TestSupport.exec(layout.db, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    java.nio.file.Files.writeString(layout.cpFile, "not a checkpoint\n\u2014 secureyeoman-audit AAAA\n");
    try (AuditStore s = layout.open()) {
      VerificationResult r = s.verify(VerifyOptions.defaults().withCheckpoints(List.of(), layout.keys.getPublic()));
      assertFalse(r.valid());
      assertEquals(2, r.firstBrokenSeq().orElseThrow());
      assertEquals(2, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.acknowledgeTampering("file still broken"));
      assertEquals(AuditException.Reason.CHECKPOINT_FILE_MALFORMED, e.reason());
      assertTrue(s.tamperingDetected().isPresent(), "nothing acknowledged");
    }
  }
}
