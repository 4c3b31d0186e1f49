package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The shared contract of both engines (issue 18): the same tamper, fail-closed and multi-writer tests run on SQLite
 * ({@link SqliteContractTest}) and on PostgreSQL ({@link PostgresContractTest}). A subclass says how to open a store on
 * its one log (every call a new instance, as another node or process would open it) and how an attacker with write
 * access runs SQL on it.
 */
abstract class AuditStoreContract {

  /** A new store instance on this test's log. */
  abstract AuditStore open() throws Exception;

  /** Runs statements as an attacker with write access to the database (guards such as triggers removed). */
  abstract void attack(String... sql) throws Exception;

  /** A new store instance on this test's log whose entries (and purge cutoffs) use {@code clock}. */
  abstract AuditStore open(java.time.Clock clock) throws Exception;

  /** Rows in the log's table, read directly. */
  abstract long rows() throws Exception;

  static AuditEvent event(String actor, int i) {
    return AuditEvent.builder("app.event").level(AuditLevel.INFO).actor(actor).message("entry " + i)
        .put("ip", "10.0.0." + i).put("n", i).build();
  }

  private void appendN(int n) throws Exception {
    try (AuditStore s = open()) {
      for (int i = 0; i < n; i++) {
        s.append(event("alice", i));
      }
    }
  }

  private VerificationResult verifyChain() throws Exception {
    try (AuditStore s = open()) {
      return s.verify(VerifyOptions.defaults().withoutCheckpoints());
    }
  }

  @Test
  void cleanLog_verifies() throws Exception {
    appendN(12);
    VerificationResult r = verifyChain();
    assertTrue(r.valid(), r::summary);
    assertEquals(12, r.entriesChecked());
    assertEquals(12, r.headSeq());
  }

  @Test
  void messageEdited_reportedAtThatSeq() throws Exception {
    appendN(10);
    attack("UPDATE audit_log SET message = 'nothing happened' WHERE seq = 4");
    VerificationResult r = verifyChain();
    assertFalse(r.valid());
    assertEquals(4, r.firstBrokenSeq().orElseThrow());
    assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
  }

  @Test
  void metadataEdited_reportedAtThatSeq() throws Exception {
    appendN(10);
    attack("UPDATE audit_log SET metadata = '{\"ip\":\"10.0.0.99\",\"n\":7}' WHERE seq = 8");
    VerificationResult r = verifyChain();
    assertEquals(8, r.firstBrokenSeq().orElseThrow());
    assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
  }

  @Test
  void middleRowDeleted_reportedAsGapAtThatSeq() throws Exception {
    appendN(10);
    attack("DELETE FROM audit_log WHERE seq = 6");
    VerificationResult r = verifyChain();
    assertEquals(6, r.firstBrokenSeq().orElseThrow());
    assertEquals(Problem.SEQUENCE_GAP, r.problem().orElseThrow());
  }

  @Test
  void failedVerification_blocksAppendsOfEveryStoreOnTheLog_untilAcknowledged() throws Exception {
    appendN(5);
    attack("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    try (AuditStore a = open();
        AuditStore b = open()) {
      assertEquals(2, a.verify(VerifyOptions.defaults().withoutCheckpoints()).firstBrokenSeq().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> a.append(event("x", 1))).reason());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> b.append(event("x", 1))).reason());
      assertEquals(5, b.head().orElseThrow().seq(), "nothing written on top of the evidence");
      AuditEntry ack = b.acknowledgeTampering("investigated in SEC-18");
      assertEquals(6, ack.seq());
      assertEquals(2L, ack.metadata().get("first_broken_seq"));
      assertEquals(7, a.append(event("x", 2)).seq());
      assertEquals(2, a.verify(VerifyOptions.defaults().withoutCheckpoints()).firstBrokenSeq().orElseThrow(),
          "the evidence is kept");
      assertEquals(8, b.append(event("x", 3)).seq(), "acknowledged evidence does not lock again");
    }
  }

  @Test
  void acknowledgement_namesTheActor_badActorRefusedWithNothingWritten() throws Exception {
    appendN(3);
    attack("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    try (AuditStore s = open()) {
      assertFalse(s.verify(VerifyOptions.defaults().withoutCheckpoints()).valid());
      for (String bad : new String[] {null, " ", "x".repeat(257)}) {
        assertThrows(IllegalArgumentException.class, () -> s.acknowledgeTampering("SEC-18", bad));
      }
      assertEquals(3, s.head().orElseThrow().seq(), "nothing written");
      assertTrue(s.tamperingDetected().isPresent(), "still read-only");
      AuditEntry ack = s.acknowledgeTampering("SEC-18", "ops:alice");
      assertEquals("ops:alice", ack.actor());
      assertEquals("ops:alice", s.head().orElseThrow().actor(), "stored as given");
      assertTrue(s.verify(VerifyOptions.defaults().withoutCheckpoints()).firstBrokenSeq().orElseThrow() == 2);
      assertTrue(s.tamperingDetected().isEmpty(), "the entry with a named actor is a genuine acknowledgement");
      assertEquals(5, s.append(event("x", 1)).seq());
    }
  }

  @Test
  void twoStoresAppendingConcurrently_formOneDenseChain() throws Exception {
    try (AuditStore a = open();
        AuditStore b = open()) {
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(a.appendAsync(event("a", i)));
        fs.add(b.appendAsync(event("b", i)));
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get();
      }
      VerificationResult r = a.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(r.valid(), r::summary);
      assertEquals(200, r.entriesChecked());
      assertEquals(200, b.head().orElseThrow().seq());
    }
  }

  // ---------------------------------------------------------------- retention (both engines, same semantics)

  @Test
  void retentionByCount_purgesPrefix_anchorKeepsLogVerifiable_appendsContinue() throws Exception {
    appendN(10);
    try (AuditStore s = open()) {
      List<long[]> progress = new ArrayList<>();
      assertEquals(7, s.enforceRetention(RetentionPolicy.maxEntries(4), (done, total) -> progress.add(
          new long[] {done, total})));
      assertFalse(progress.isEmpty(), "the verification before the purge reports progress");
      AuditEntry purge = s.head().orElseThrow();
      assertEquals(11, purge.seq());
      assertEquals("retention_purge", purge.event());
      assertEquals(AuditLevel.SECURITY, purge.level());
      assertEquals(1L, purge.metadata().get("first_seq"));
      assertEquals(7L, purge.metadata().get("last_seq"));
      assertEquals(7L, purge.metadata().get("count"));
      assertEquals(4, rows(), "seqs 8..10 and the purge entry remain");
      VerificationResult r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(r.valid(), r::summary);
      assertEquals(8, r.firstSeq());
      assertEquals(11, r.headSeq());
      assertEquals(12, s.append(event("bob", 12)).seq());
      assertEquals(0, s.enforceRetention(new RetentionPolicy(0, 100)), "nothing to do: no purge entry");
      assertEquals(12, s.head().orElseThrow().seq());
      // a second purge anchors on the first one's range
      assertEquals(3, s.enforceRetention(RetentionPolicy.maxEntries(3)));
      VerificationResult again = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(again.valid(), again::summary);
      assertEquals(11, again.firstSeq());
      assertTrue(s.reclaimSpace() >= 0);
    }
  }

  @Test
  void retentionByAge_withInjectedClock_keepsYoungEntries_neverTheHead() throws Exception {
    TestSupport.MutableClock clock = new TestSupport.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    try (AuditStore s = open(clock)) {
      for (int i = 0; i < 5; i++) {
        s.append(event("old", i));
      }
      clock.advance(java.time.Duration.ofDays(40));
      for (int i = 0; i < 3; i++) {
        s.append(event("young", i));
      }
      clock.advance(java.time.Duration.ofDays(1));
      assertEquals(5, s.enforceRetention(RetentionPolicy.maxAge(30)));
      AuditEntry purge = s.head().orElseThrow();
      assertEquals("2026-01-12T00:00:00Z", purge.metadata().get("cutoff"));
      assertEquals(clock.instant(), purge.timestamp());
      VerificationResult r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(r.valid(), r::summary);
      assertEquals(6, r.firstSeq());
      // everything old: all but the head go, the head (the purge entry) stays
      clock.advance(java.time.Duration.ofDays(400));
      assertEquals(3, s.enforceRetention(RetentionPolicy.maxAge(30)));
      assertEquals(2, rows());
      assertTrue(s.verify(VerifyOptions.defaults().withoutCheckpoints()).valid());
    }
  }

  @Test
  void retentionOverATamperedRange_refused_nothingDeleted_storeReadOnly() throws Exception {
    appendN(10);
    attack("UPDATE audit_log SET message = 'rewritten' WHERE seq = 3");
    try (AuditStore s = open()) {
      AuditException e = assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(4)));
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
      assertEquals(3, e.verification().orElseThrow().firstBrokenSeq().orElseThrow());
      assertEquals(10, rows(), "the evidence is not erased");
      assertEquals(3, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("x", 1))).reason());
      // a re-run verifies again and refuses again; still nothing deleted
      assertEquals(
          Reason.VERIFICATION_FAILED,
          assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(2))).reason());
      assertEquals(10, rows());
    }
  }

  @Test
  void retentionAnchor_forgedOrRemoved_detected() throws Exception {
    appendN(10);
    try (AuditStore s = open()) {
      s.enforceRetention(RetentionPolicy.maxEntries(4));
    }
    // the attacker deletes one more old entry and rewrites the anchor's range to cover it: the anchor's MAC fails
    attack(
        "DELETE FROM audit_log WHERE seq = 8",
        "UPDATE audit_log SET metadata = replace(metadata, '\"last_seq\":7', '\"last_seq\":8') WHERE seq = 11");
    VerificationResult r = verifyChain();
    assertFalse(r.valid());
    assertEquals(9, r.firstBrokenSeq().orElseThrow());
  }

  @Test
  void retentionPurgeEntryDeleted_unanchoredStart() throws Exception {
    appendN(6);
    try (AuditStore s = open()) {
      s.enforceRetention(RetentionPolicy.maxEntries(3));
      s.append(event("after", 1));
    }
    attack("DELETE FROM audit_log WHERE seq = 7");
    VerificationResult r = verifyChain();
    assertEquals(Problem.UNANCHORED_START, r.problem().orElseThrow(), r::summary);
    assertEquals(5, r.firstBrokenSeq().orElseThrow());
  }

  @Test
  void retentionArguments_checked() throws Exception {
    try (AuditStore s = open()) {
      assertThrows(IllegalArgumentException.class, () -> s.enforceRetention(null));
      assertThrows(IllegalArgumentException.class, () -> s.enforceRetention(RetentionPolicy.defaults(), null));
      assertEquals(0, s.enforceRetention(RetentionPolicy.maxEntries(2)), "empty log");
      s.append(event("a", 1));
      assertEquals(0, s.enforceRetention(RetentionPolicy.maxEntries(2)), "never the head");
    }
  }

  // ---------------------------------------------------------------- checkpoints (both engines, same semantics)

  /** Ed25519 keys of this test's checkpoints. */
  static final java.security.KeyPair CP_KEYS = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  /** A new store instance on this test's log with checkpoints in {@code sink}, signed with {@link #CP_KEYS}. */
  abstract AuditStore openCheckpointed(CheckpointSink sink) throws Exception;

  /** A checkpoint file outside the database (shared by every store instance of the test). */
  abstract java.nio.file.Path checkpointFile();

  private CheckpointSink sink() {
    return CheckpointSinks.appendOnlyFile(checkpointFile());
  }

  @Test
  void checkpoints_newLogStartsAtSeq0_signVerifiedHead_truncationAndRollbackDetected() throws Exception {
    try (AuditStore s = openCheckpointed(sink())) {
      assertTrue(s.checkpointsConfigured());
      assertEquals(1, sink().readAll().size(), "a new log gets its seq-0 checkpoint at once");
      for (int i = 0; i < 5; i++) {
        s.append(event("alice", i));
      }
      Checkpoint cp = s.checkpoint();
      assertEquals(5, cp.seq());
      assertEquals(s.head().orElseThrow().hash(), cp.headHash());
      assertEquals(s.logId(), cp.logId());
      assertTrue(cp.verifySignature(CP_KEYS.getPublic()));
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r::summary);
      assertEquals(2, r.checkpointsChecked());
    }
    attack("DELETE FROM audit_log WHERE seq = 5");
    try (AuditStore s = openCheckpointed(sink())) {
      VerificationResult r = s.verify();
      assertEquals(Problem.TRUNCATED, r.problem().orElseThrow(), r::summary);
      AuditException refused = assertThrows(AuditException.class, s::checkpoint);
      assertEquals(Reason.VERIFICATION_FAILED, refused.reason());
      assertEquals(2, sink().readAll().size(), "nothing signed over a truncated log");
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("x", 1))).reason());
    }
  }

  @Test
  void checkpoint_ofOneStore_trustedByAnothersIncrementalVerify_laterTamperingDetected() throws Exception {
    Checkpoint cp;
    try (AuditStore a = openCheckpointed(sink())) {
      for (int i = 0; i < 10; i++) {
        a.append(event("a", i));
      }
      cp = a.checkpoint();
    }
    try (AuditStore b = openCheckpointed(sink())) {
      for (int i = 0; i < 5; i++) {
        b.append(event("b", i));
      }
      VerificationResult inc = b.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertTrue(inc.valid(), inc::summary);
      assertEquals(10, inc.trustedThroughSeq());
      assertEquals(5, inc.entriesChecked(), "only the entries after the other store's checkpoint are re-MACed");
      // the same checkpoint handed over explicitly (an auditor's copy) under the trusted public key
      VerificationResult given =
          b.verify(VerifyOptions.defaults().withCheckpoints(List.of(cp), CP_KEYS.getPublic()).sinceCheckpoint());
      assertTrue(given.valid(), given::summary);
      assertEquals(10, given.trustedThroughSeq());
    }
    attack("UPDATE audit_log SET message = 'rewritten' WHERE seq = 13");
    try (AuditStore b = openCheckpointed(sink())) {
      VerificationResult r = b.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(r.valid());
      assertEquals(13, r.firstBrokenSeq().orElseThrow());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
    }
  }

  @Test
  void incrementalVerify_rewrittenCheckpointRow_forgedOrMismatchedCheckpoint_refused() throws Exception {
    Checkpoint cp;
    String logId;
    try (AuditStore s = openCheckpointed(sink())) {
      for (int i = 0; i < 8; i++) {
        s.append(event("a", i));
      }
      cp = s.checkpoint();
      s.append(event("a", 9));
      logId = s.logId().orElseThrow();
      // forged: signed by another key, trusted key is ours
      java.security.KeyPair other = CheckpointKeys.deriveFromAuditKey(TestSupport.key(7));
      Checkpoint forged =
          Checkpoint.sign("secureyeoman-audit", 8, cp.headHash(), cp.time(), Optional.of(logId), other);
      VerificationResult f =
          s.verify(VerifyOptions.defaults().withCheckpoints(List.of(forged), CP_KEYS.getPublic()).sinceCheckpoint());
      assertEquals(Problem.CHECKPOINT_SIGNATURE_INVALID, f.problem().orElseThrow(), f::summary);
      assertEquals(0, f.trustedThroughSeq(), "a forged checkpoint is never trusted");
      // validly signed but naming another head at seq 8 (a stale or made-up head): mismatch, not trust
      Checkpoint wrongHead =
          Checkpoint.sign("secureyeoman-audit", 8, "00".repeat(32), cp.time(), Optional.of(logId), CP_KEYS);
      VerificationResult m =
          s.verify(VerifyOptions.defaults().withCheckpoints(List.of(wrongHead), CP_KEYS.getPublic()).sinceCheckpoint());
      assertEquals(Problem.CHECKPOINT_MISMATCH, m.problem().orElseThrow(), m::summary);
      assertEquals(8, m.firstBrokenSeq().orElseThrow());
      // another log's checkpoint
      Checkpoint otherLog =
          Checkpoint.sign("secureyeoman-audit", 8, cp.headHash(), cp.time(), Optional.of("ab".repeat(16)), CP_KEYS);
      VerificationResult o =
          s.verify(VerifyOptions.defaults().withCheckpoints(List.of(otherLog), CP_KEYS.getPublic()).sinceCheckpoint());
      assertEquals(Problem.LOG_ID_MISMATCH, o.problem().orElseThrow(), o::summary);
      // the caller's own (wrong) checkpoints are not evidence of tampering: nothing recorded (red team attack18)
      assertTrue(s.tamperingDetected().isEmpty());
      s.append(event("a", 10));
    }
    // the checkpointed row itself rewritten: its MAC fails before it could be trusted
    attack("UPDATE audit_log SET actor = 'mallory' WHERE seq = 8");
    try (AuditStore s = openCheckpointed(sink())) {
      VerificationResult r = s.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(r.valid());
      assertEquals(8, r.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void startCheckpoints_onlyIntoAnEmptySink_checkpointRefusesSilentRestart() throws Exception {
    appendN(4);
    try (AuditStore s = openCheckpointed(sink())) {
      assertEquals(0, sink().readAll().size(), "an existing log gets no automatic checkpoint");
      AuditException missing = assertThrows(AuditException.class, s::checkpoint);
      assertEquals(Reason.VERIFICATION_FAILED, missing.reason());
      assertEquals(Problem.CHECKPOINTS_MISSING, missing.verification().orElseThrow().problem().orElseThrow());
      s.acknowledgeTampering("test: the checkpoint sink is configured for the first time");
      Checkpoint first = s.startCheckpoints();
      assertEquals(5, first.seq());
      assertEquals(Reason.CHECKPOINT_STATE, assertThrows(AuditException.class, s::startCheckpoints).reason());
      s.append(event("a", 6));
      assertEquals(6, s.checkpoint().seq());
      assertTrue(s.verify().valid());
    }
    try (AuditStore plain = open()) {
      assertFalse(plain.checkpointsConfigured());
      assertThrows(IllegalStateException.class, plain::checkpoint);
    }
  }

  @Test
  void retentionWithCheckpoints_verifiesWholeLogAgainstThem_purgedCheckpointStillAccepted() throws Exception {
    try (AuditStore s = openCheckpointed(sink())) {
      for (int i = 0; i < 10; i++) {
        s.append(event("a", i));
      }
      s.checkpoint();
      s.append(event("a", 11));
      assertEquals(8, s.enforceRetention(RetentionPolicy.maxEntries(4)));
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r::summary);
      assertEquals(9, r.firstSeq());
      assertEquals(12, s.checkpoint().seq());
      assertTrue(s.verify(VerifyOptions.defaults().sinceCheckpoint()).valid());
      s.append(event("a", 13));
      assertEquals(13, s.checkpoint().seq());
    }
    // a rollback visible only against the checkpoint: the purge refuses to erase it
    attack("DELETE FROM audit_log WHERE seq = 13");
    try (AuditStore s = openCheckpointed(sink())) {
      AuditException e = assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(2)));
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
      assertEquals(Problem.TRUNCATED, e.verification().orElseThrow().problem().orElseThrow());
      assertEquals(4, rows());
    }
  }

  /**
   * Values that a text-format bulk path (COPY text/CSV, array literals) must escape: tab, newline, carriage return,
   * backslash, the end-of-data marker {@code \\.}, quotes, braces and commas, non-BMP unicode, and the maximum lengths.
   * A group of them is appended at once (one group commit), read back by a fresh store exactly, and verifies.
   */
  @Test
  void hostileStrings_oneGroup_roundTripExactly_andVerify() throws Exception {
    String[] hostile = {
      "tab\there", "line\nbreak\r\n", "back\\slash \\N \\\\", "\\.", "\\.\n\\.\r\n", "{\"a\",b}",
      "'quote' \"dq\" ,;|", "NULL", "", "\\x00ff", "unicode é ß 日本 \uD83D\uDE00 \u202E", "\u0001\u001f\u007f",
      "x".repeat(4096)
    };
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < hostile.length; i++) {
      String h = hostile[i];
      String actor = h.length() > 256 ? h.substring(0, 256) : h;
      AuditEvent.Builder b =
          AuditEvent.builder("app.hostile").level(AuditLevel.WARN).actor(actor).message(h).put("v", h)
              .put("k\t\\" + i, "y".repeat(20_000) + h);
      if (!h.isEmpty()) {
        b.correlationId(h.length() > 200 ? h.substring(0, 200) : h);
      }
      events.add(b.build());
    }
    List<AuditEntry> written = new ArrayList<>();
    try (AuditStore s = open()) {
      s.append(event("a", 0));
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (AuditEvent e : events) {
        fs.add(s.appendAsync(e));
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        written.add(f.get());
      }
    }
    try (AuditStore s = open()) {
      VerificationResult r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertTrue(r.valid(), r::summary);
      assertEquals(events.size() + 1, r.entriesChecked());
      List<AuditEntry> read = TestSupport.all(s);
      assertEquals(events.size() + 1, read.size());
      for (int i = 0; i < events.size(); i++) {
        AuditEvent e = events.get(i);
        AuditEntry w = written.get(i);
        AuditEntry back = read.get((int) w.seq() - 1);
        assertEquals(w, back, "entry " + i + " read back differs from what append returned");
        assertEquals(e.actor(), back.actor());
        assertEquals(e.message(), back.message());
        assertEquals(e.metadata(), back.metadata());
        assertEquals(e.correlationId(), back.correlationId());
      }
    }
  }

  // ---------------------------------------------------------------- acknowledged breaks (red team attack18)

  /**
   * 10 entries, seq 3 edited, verified (recorded), acknowledged at seq 11, two more entries (12, 13). The head is left
   * intact: a store whose head fails its MAC refuses all writes as a wrong-key node and records nothing.
   */
  private void acknowledgedAt3() throws Exception {
    appendN(10);
    attack("UPDATE audit_log SET message = 'x' WHERE seq = 3");
    try (AuditStore s = open()) {
      assertFalse(s.verify().valid());
      AuditEntry ack = s.acknowledgeTampering("investigated");
      assertEquals(11, ack.seq());
      assertEquals(List.of("3-3:ALTERED"), ack.metadata().get("broken_ranges"));
      assertEquals(12, s.append(event("alice", 20)).seq());
      assertEquals(13, s.append(event("alice", 21)).seq());
    }
  }

  /** A verification still names the acknowledged break, and the new one at {@code seq} is recorded: appends refused. */
  private void assertNewBreakRecordedAt(long seq, Problem problem) throws Exception {
    try (AuditStore s = open()) {
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(3, r.firstBrokenSeq().orElseThrow(), "verify keeps naming the first (acknowledged) break");
      VerificationResult t =
          s.tamperingDetected().orElseThrow(() -> new AssertionError("new break not recorded: " + r.summary()));
      assertEquals(seq, t.firstBrokenSeq().orElseThrow(), t::summary);
      assertEquals(problem, t.problem().orElseThrow(), t::summary);
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("x", 1))).reason());
    }
  }

  @Test
  void afterAck_acknowledgedBreakOnly_appendsGoOn_evenWhenTheBrokenRowIsEditedAgain() throws Exception {
    acknowledgedAt3();
    attack("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"); // the known-bad evidence itself
    try (AuditStore s = open()) {
      assertEquals(3, s.verify().firstBrokenSeq().orElseThrow());
      assertTrue(s.tamperingDetected().isEmpty());
      assertEquals(14, s.append(event("x", 1)).seq());
    }
  }

  @Test
  void afterAck_editBetweenBreakAndAckEntry_recorded() throws Exception {
    acknowledgedAt3();
    attack("UPDATE audit_log SET message = 'y' WHERE seq = 7");
    assertNewBreakRecordedAt(7, Problem.ENTRY_ALTERED);
  }

  @Test
  void afterAck_editAfterAckEntry_recorded() throws Exception {
    acknowledgedAt3();
    attack("UPDATE audit_log SET message = 'y' WHERE seq = 12");
    assertNewBreakRecordedAt(12, Problem.ENTRY_ALTERED);
  }

  @Test
  void afterAck_rowBetweenDeleted_recorded() throws Exception {
    acknowledgedAt3();
    attack("DELETE FROM audit_log WHERE seq = 6");
    assertNewBreakRecordedAt(6, Problem.SEQUENCE_GAP);
  }

  @Test
  void afterAck_rowNextToTheAcknowledgedBreakDeleted_recorded() throws Exception {
    acknowledgedAt3();
    attack("DELETE FROM audit_log WHERE seq = 4");
    assertNewBreakRecordedAt(4, Problem.SEQUENCE_GAP);
  }

  @Test
  void afterAck_theAcknowledgedEditedRowDeleted_recorded_theGapIsANewKindOfBreak() throws Exception {
    acknowledgedAt3();
    attack("DELETE FROM audit_log WHERE seq = 3"); // the acknowledged evidence removed: 3-3:ALTERED does not cover it
    assertNewBreakRecordedAt(3, Problem.SEQUENCE_GAP);
  }

  @Test
  void afterAck_ackEntryDeleted_recorded() throws Exception {
    acknowledgedAt3();
    attack("DELETE FROM audit_log WHERE seq = 11");
    try (AuditStore s = open()) {
      assertFalse(s.verify().valid());
      assertTrue(s.tamperingDetected().isPresent(), "no genuine acknowledgement left");
    }
  }

  @Test
  void afterAck_ackEntryRangesWidened_recorded() throws Exception {
    acknowledgedAt3();
    // widen the acknowledged ranges in the entry itself, then edit seq 7: the entry's MAC no longer verifies
    attack("UPDATE audit_log SET metadata = replace(metadata, '\"3-3:ALTERED\"', '\"1-12:ALTERED\"') WHERE seq = 11",
        "UPDATE audit_log SET message = 'y' WHERE seq = 7");
    try (AuditStore s = open()) {
      assertFalse(s.verify().valid());
      VerificationResult t = s.tamperingDetected().orElseThrow();
      assertTrue(t.firstBrokenSeq().orElseThrow() <= 7, t::summary);
    }
  }

  @Test
  void afterAck_entryRewrittenIntoAnAcknowledgement_recorded() throws Exception {
    acknowledgedAt3();
    // a later entry renamed into a forged acknowledgement covering everything: not genuine (MAC), so not an anchor
    attack("UPDATE audit_log SET event = 'audit.tampering_acknowledged',"
        + " metadata = '{\"broken_ranges\":[\"1-12:ALTERED\"],\"first_broken_seq\":1}' WHERE seq = 12",
        "UPDATE audit_log SET message = 'y' WHERE seq = 7");
    try (AuditStore s = open()) {
      assertFalse(s.verify().valid());
      assertTrue(s.tamperingDetected().isPresent());
    }
  }

  @Test
  void secondAcknowledgement_coversTheBreaksKnownThen() throws Exception {
    acknowledgedAt3();
    attack("UPDATE audit_log SET message = 'y' WHERE seq = 7", "UPDATE audit_log SET message = 'z' WHERE seq = 8");
    assertNewBreakRecordedAt(7, Problem.ENTRY_ALTERED);
    try (AuditStore s = open()) {
      AuditEntry ack = s.acknowledgeTampering("second incident");
      assertEquals(List.of("3-3:ALTERED", "7-8:ALTERED"), ack.metadata().get("broken_ranges"));
      assertFalse(s.verify().valid());
      assertTrue(s.tamperingDetected().isEmpty());
      s.append(event("x", 2));
    }
  }

  @Test
  void acknowledge_moreBrokenRangesThanTheCap_refused() throws Exception {
    try (AuditStore s = open()) {
      for (int i = 0; i < 2005; i++) {
        s.append(event("alice", i));
      }
    }
    attack("UPDATE audit_log SET message = 'x' WHERE seq % 2 = 0"); // 1002 separate broken entries
    try (AuditStore s = open()) {
      assertFalse(s.verify().valid());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.acknowledgeTampering("too much"));
      assertTrue(e.getMessage().contains("restore it from a backup or start a new log"), e.getMessage());
      assertEquals(2005, s.head().orElseThrow().seq(), "nothing appended");
      assertTrue(s.tamperingDetected().isPresent());
    }
  }

  /**
   * Red team of the fix: a problem of the whole log (here the checkpoint file deleted: rollbacks would go unnoticed) is
   * named at the first seq; an acknowledgement covering an edit of seq 1 must not cover it.
   */
  @Test
  void afterAckOfSeq1_checkpointFileDeleted_recorded() throws Exception {
    try (AuditStore s = openCheckpointed(sink())) {
      for (int i = 0; i < 6; i++) {
        s.append(event("a", i));
      }
      s.checkpoint();
    }
    attack("UPDATE audit_log SET message = 'x' WHERE seq = 1");
    try (AuditStore s = openCheckpointed(sink())) {
      assertFalse(s.verify().valid());
      AuditEntry ack = s.acknowledgeTampering("seq 1 edited");
      assertEquals(List.of("1-1:ALTERED"), ack.metadata().get("broken_ranges"));
      s.append(event("a", 7));
      assertFalse(s.verify().valid());
      assertTrue(s.tamperingDetected().isEmpty(), "only the acknowledged break");
    }
    java.nio.file.Files.delete(checkpointFile());
    try (AuditStore s = openCheckpointed(sink())) {
      assertFalse(s.verify().valid());
      VerificationResult t = s.tamperingDetected().orElseThrow(() -> new AssertionError("checkpoint file deletion"));
      assertEquals(Problem.CHECKPOINTS_MISSING, t.problem().orElseThrow(), t::summary);
    }
  }

  // ---------------------------------------------------------------- caller expectations (red team attack18)

  @Test
  void callersWrongExpectations_notRecordedAsTampering() throws Exception {
    appendN(5);
    java.security.KeyPair other = CheckpointKeys.deriveFromAuditKey(TestSupport.key(7));
    try (AuditStore s = open()) {
      Checkpoint foreign =
          Checkpoint.sign("secureyeoman-audit", 3, "00".repeat(32), java.time.Instant.EPOCH, s.logId(), CP_KEYS);
      List<VerifyOptions> wrong = List.of(
          VerifyOptions.defaults().withExpectedLogId("00000000000000000000000000000000"),
          VerifyOptions.defaults().withCheckpoints(List.of(foreign), CP_KEYS.getPublic()),
          VerifyOptions.defaults().withCheckpoints(List.of(foreign), other.getPublic()));
      for (VerifyOptions o : wrong) {
        VerificationResult r = s.verify(o);
        assertFalse(r.valid(), r::summary);
        assertTrue(s.tamperingDetected().isEmpty(), () -> "a caller's wrong expectation locked the log: " + r.summary());
      }
      assertEquals(6, s.append(event("x", 1)).seq());
    }
  }

  @Test
  void realTampering_recordedAlsoWhenTheCallerPassedExpectations() throws Exception {
    appendN(5);
    attack("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4");
    try (AuditStore s = open()) {
      VerificationResult r = s.verify(VerifyOptions.defaults().withExpectedLogId("00000000000000000000000000000000"));
      assertEquals(Problem.LOG_ID_MISMATCH, r.problem().orElseThrow());
      VerificationResult t = s.tamperingDetected().orElseThrow();
      assertEquals(4, t.firstBrokenSeq().orElseThrow(), "the store's own verification is what is recorded");
      assertEquals(Problem.ENTRY_ALTERED, t.problem().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("x", 1))).reason());
    }
  }
}
