package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

  /**
   * Attack: key_id stored as an INTEGER outside the 32-bit range (still the integer storage class) was read back
   * truncated by getInt, so the MAC over the truncated id matched and an edited key_id column verified.
   */
  @Test
  void keyIdOutsideTheIntRange_isDetected() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      fill(s, 600);
    }
    TestSupport.exec(db(), "UPDATE audit_log SET key_id = key_id + 4294967296 WHERE seq = 300");
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertFalse(r.valid(), r.summary());
      assertEquals(300, r.firstBrokenSeq().orElseThrow());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, r.problem().orElseThrow());
    }
  }

  /** Held: an edit at every chunk boundary of the pipeline is found and named at its own seq. */
  @ParameterizedTest
  @ValueSource(longs = {1, 255, 256, 257, 512, 1025, 1281, 1399})
  void editAtAChunkBoundary_isNamedAtItsSeq(long seq) throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      fill(s, 1400);
    }
    TestSupport.exec(db(), "UPDATE audit_log SET message = 'forged' WHERE seq = " + seq,
        "UPDATE audit_log SET message = 'forged too' WHERE seq = " + (seq + 1));
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertEquals(seq, r.firstBrokenSeq().orElseThrow(), r.summary());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
      assertEquals(seq - 1, r.entriesChecked());
    }
  }

  /** Held: a row the fast encoder declines, then an edit at, inside and just after the 1024-row window. */
  @ParameterizedTest
  @ValueSource(longs = {11, 1033, 1034, 1035, 1290})
  void declinedRowThenEditedPlainRow_isNamedAtItsSeq(long seq) throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 9, "m");
      s.append(AuditEvent.builder("e").message("double").put("x", 1.5).build()); // seq 10: declined
      fill(s, 1300);
    }
    TestSupport.exec(db(), "UPDATE audit_log SET actor = 'forged' WHERE seq = " + seq);
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertEquals(seq, r.firstBrokenSeq().orElseThrow(), r.summary());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
    }
  }

  /** Held: a missing or renumbered seq across a chunk boundary is a gap at the first missing seq. */
  @ParameterizedTest
  @ValueSource(strings = {"DELETE FROM audit_log WHERE seq = 256", "UPDATE audit_log SET seq = 5000 WHERE seq = 256",
      "DELETE FROM audit_log WHERE seq IN (256, 257)"})
  void gapAcrossAChunkBoundary_isNamedAtTheMissingSeq(String sql) throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      fill(s, 600);
    }
    TestSupport.exec(db(), sql);
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertEquals(256, r.firstBrokenSeq().orElseThrow(), r.summary());
      assertEquals(Problem.SEQUENCE_GAP, r.problem().orElseThrow());
    }
  }

  /**
   * Attack: metadata whose JSON is longer than the reader accepts (1 MiB) was appended and MACed, then failed every
   * verification as MALFORMED_ENTRY, and the failed verification made the store read-only: one oversized value from a
   * caller's input stopped the audit log. Now the append is refused; rows just under the limit verify, at a chunk
   * boundary, and an edit inside one is found.
   */
  @Test
  void oversizedMetadata_isRefusedAtAppend_andLongRowsVerify() throws Exception {
    String big = "x".repeat(1_048_000);
    String msg = "y".repeat(4096);
    try (AuditStore s = TestSupport.open(db())) {
      TestSupport.appendN(s, 255, "m");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> s.append(AuditEvent.builder("e").put("k", "x".repeat(1_048_577)).build()));
      assertTrue(e.getMessage().contains("1048576"), e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> s.append(AuditEvent.builder("e").put("k", "\u0001".repeat(200_000)).build())); // escapes 6x
      s.append(AuditEvent.builder("e").message(msg).put("k", big).build()); // 256
      s.append(AuditEvent.builder("e").message(msg).put("k", big).put("j", 1.5).build()); // 257
      TestSupport.appendN(s, 10, "m");
      VerificationResult ok = s.verify();
      assertTrue(ok.valid(), ok.summary());
      assertEquals(267, ok.headSeq());
      assertTrue(s.tamperingDetected().isEmpty());
    }
    TestSupport.exec(db(), "UPDATE audit_log SET metadata = replace(metadata, 'xxxxxxxxxxxxxxxxxxxx', 'xxxxxxxxxxxxxxxxxxxz') WHERE seq = 257");
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertEquals(257, r.firstBrokenSeq().orElseThrow(), r.summary());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
    }
  }

  /**
   * Attack: a crash between a purge's commit and its deferred space reclamation. The reclamation was only remembered in
   * memory, so after a restart nothing reclaimed the space until the next purge: the purged entries' pages stayed in the
   * file's freelist indefinitely (the docs promised "at the latest by close()"). Verification is not affected.
   */
  @Test
  void crashBetweenPurgeAndReclamation_spaceIsReclaimedAfterRestart() throws Exception {
    String out = TestSupport.runChild(PurgeCrashChild.class, db().toString(), "3000");
    assertTrue(out.contains("PURGED"), out);
    long before = freelist();
    org.junit.jupiter.api.Assumptions.assumeTrue(before > 0, "the child reclaimed before it halted: nothing to show");
    try (AuditStore s = TestSupport.open(db())) {
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r.summary());
      assertEquals(300, r.entriesChecked());
    }
    assertEquals(0, freelist(), "freelist had " + before + " pages of purged entries after the crash");
  }

  /**
   * Held: another process edits a row ahead of the scan and appends while the pipelined verification runs (from the
   * progress callback): the verification sees one snapshot (valid), and the next one finds the edit at its seq.
   */
  @Test
  void changeByAnotherConnectionDuringVerify_doesNotTearTheSnapshot() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      fill(s, 9000);
      boolean[] changed = {false};
      VerificationResult r = s.verify(VerifyOptions.defaults().withProgress((checked, total) -> {
        if (!changed[0] && checked > 0 && checked < 8000) {
          changed[0] = true;
          try {
            TestSupport.exec(db(), "UPDATE audit_log SET message = 'forged' WHERE seq = 8500");
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        }
      }));
      assertTrue(changed[0]);
      assertTrue(r.valid(), r.summary());
      assertEquals(9000, r.entriesChecked());
      VerificationResult again = s.verify();
      assertEquals(8500, again.firstBrokenSeq().orElseThrow(), again.summary());
    }
  }

  /**
   * Attack: a verifying thread that is interrupted (a maintenance executor shut down with shutdownNow) verified every row
   * but then failed to record the failure ("interrupted while enqueueing"): verify threw instead of returning the
   * result and the store stayed writable. Now it names the first bad row, locks the store and keeps the interrupt.
   */
  @Test
  void interruptedVerifyingThread_recordsTheFailure_andKeepsItsInterrupt() throws Exception {
    try (AuditStore s = TestSupport.open(db())) {
      fill(s, 3000);
    }
    TestSupport.exec(db(), "UPDATE audit_log SET actor = 'x' WHERE seq = 2100");
    try (AuditStore s = TestSupport.open(db())) {
      Thread.currentThread().interrupt();
      VerificationResult r;
      try {
        r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt is kept (and cleared here)");
      }
      assertEquals(2100, r.firstBrokenSeq().orElseThrow(), r.summary());
      assertEquals(2099, r.entriesChecked());
      assertEquals(2100, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      AuditException e = assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("x").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  /**
   * Attack: delete the oldest entries and turn any entry before the newest checkpoint into a fake retention_purge anchor
   * for them. An incremental verification looked the anchor up by its (unauthenticated) metadata and never MAC-checked
   * it when it lay in the trusted prefix, so the log passed with its oldest entries gone (the threat model promises
   * UNANCHORED_START). Now the anchor's MAC is checked wherever it is; the full verification names it too.
   */
  @Test
  void forgedRetentionAnchorBeforeTheCheckpoint_failsTheIncrementalVerification() throws Exception {
    TestSupport.Checkpointed layout = new TestSupport.Checkpointed(dir);
    try (AuditStore s = layout.open()) {
      fill(s, 300);
      s.checkpoint();
      assertEquals(201, s.enforceRetention(RetentionPolicy.maxEntries(100)));
      fill(s, 50);
      s.checkpoint();
      assertTrue(s.verify(VerifyOptions.defaults().sinceCheckpoint()).valid());
    }
    // oldest remaining entries 202..211 deleted; seq 250 rewritten into an anchor for them
    TestSupport.exec(layout.db,
        "UPDATE audit_log SET event = 'retention_purge', metadata = '{\"last_seq\":211,\"last_deleted_hash\":\"'"
            + " || lower(hex((SELECT prev_hash FROM audit_log WHERE seq = 212))) || '\"}' WHERE seq = 250",
        "DELETE FROM audit_log WHERE seq BETWEEN 202 AND 211");
    try (AuditStore s = layout.open()) {
      VerificationResult inc = s.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(inc.valid(), "incremental: " + inc.summary());
      assertEquals(250, inc.firstBrokenSeq().orElseThrow(), inc.summary());
      assertEquals(Problem.ENTRY_ALTERED, inc.problem().orElseThrow());
      VerificationResult full = s.verify();
      assertFalse(full.valid(), full.summary());
    }
  }

  /** Appends {@code n} entries through the group commit (fast) and waits for the last. */
  private static void fill(AuditStore s, int n) throws Exception {
    java.util.concurrent.CompletableFuture<AuditEntry> last = null;
    for (int i = 0; i < n; i++) {
      last = s.appendAsync(AuditEvent.builder("e").message("m" + i).build());
    }
    if (last != null) {
      last.get();
    }
  }

  private long freelist() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db());
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("PRAGMA freelist_count")) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
