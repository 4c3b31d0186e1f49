package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 1, 2, 6 and 7: forked checkpoints, purge that would erase checkpoint evidence, a missing, empty,
 * symlinked or torn checkpoint file, and the log identity bound into MACs and checkpoints.
 */
class CheckpointHardeningTest {
  @TempDir Path dir;

  private final KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  /** The store under test: {@code db/audit.db} with checkpoints in {@code checkpoints/audit.cp}. */
  private TestSupport.Checkpointed log() {
    return new TestSupport.Checkpointed(dir);
  }

  private static void appendN(AuditStore s, int n, String tag) throws AuditException {
    TestSupport.appendN(s, n, tag);
  }

  /** Deletes the newest entries and lets the host write again up to the same seq: the log is rolled back and regrown. */
  private void rollBackAndRegrow(int keep, int regrow) throws Exception {
    TestSupport.exec(log().db, "DELETE FROM audit_log WHERE seq > " + keep);
    try (AuditStore s = log().open()) {
      appendN(s, regrow, "regrown-");
    }
  }

  // ------------------------------------------------------------------ item 1: forks

  @Test
  void verify_twoSignedCheckpointsForTheSameSeq_reportsAFork() throws Exception {
    Checkpoint original;
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      original = s.checkpoint();
    }
    rollBackAndRegrow(9, 1); // seq 10 again, different content
    // what the store used to do on its next run: sign the regrown head at the same seq (last one won)
    String regrownHash;
    try (AuditStore s = log().open()) {
      regrownHash = s.head().orElseThrow().hash();
    }
    CheckpointSinks.appendOnlyFile(log().cpFile)
        .append(Checkpoint.sign("secureyeoman-audit", 10, regrownHash, Instant.now(), original.logId(), keys));
    try (AuditStore s = log().open()) {
      VerificationResult v = s.verify();
      assertFalse(v.valid(), v.summary());
      assertEquals(Problem.CHECKPOINT_FORK, v.problem().orElseThrow(), v.summary());
      assertEquals(10, v.firstBrokenSeq().orElseThrow());
      // whichever checkpoint an auditor holds, the fork shows: the database now matches the second one
      VerificationResult againstSecondOnly =
          s.verify(VerifyOptions.defaults().withCheckpoints(
              List.of(CheckpointSinks.appendOnlyFile(log().cpFile).readAll().get(2)), keys.getPublic()));
      assertTrue(againstSecondOnly.valid(), "on its own the later checkpoint matches: " + againstSecondOnly);
    }
  }

  @Test
  void checkpoint_overARolledBackAndRegrownLog_isRefusedAndNothingIsSigned() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      s.checkpoint();
    }
    rollBackAndRegrow(7, 3);
    byte[] before = Files.readAllBytes(log().cpFile);
    try (AuditStore s = log().open()) {
      AuditException e = assertThrows(AuditException.class, s::checkpoint);
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
      assertEquals(Problem.CHECKPOINT_MISMATCH, e.verification().orElseThrow().problem().orElseThrow());
      assertEquals(10, e.verification().orElseThrow().firstBrokenSeq().orElseThrow());
    }
    assertArrayEquals(before, Files.readAllBytes(log().cpFile), "no checkpoint written on top of a fork");
  }

  @Test
  void checkpoint_overATruncatedLog_isRefused() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 6, "m");
      s.checkpoint();
    }
    TestSupport.exec(log().db, "DELETE FROM audit_log WHERE seq > 4");
    try (AuditStore s = log().open()) {
      AuditException e = assertThrows(AuditException.class, s::checkpoint);
      assertEquals(Problem.TRUNCATED, e.verification().orElseThrow().problem().orElseThrow());
    }
  }

  @Test
  void maintenance_verifiesBeforeSigning_neitherPurgesNorSignsAFork() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      s.checkpoint();
    }
    rollBackAndRegrow(9, 3);
    byte[] before = Files.readAllBytes(log().cpFile);
    try (AuditStore s = log().open()) {
      MaintenanceReport r =
          AuditMaintenance.builder(s, new AuditMaintenanceSettings(RetentionPolicy.maxEntries(3), Duration.ofHours(1),
                  true, true))
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .build()
              .runOnce();
      assertFalse(r.ok());
      assertEquals(Problem.CHECKPOINT_MISMATCH, r.verification().orElseThrow().problem().orElseThrow());
      assertTrue(r.checkpoint().isEmpty());
      assertEquals(0, r.purged());
      assertEquals(12, TestSupport.all(s).size(), "nothing purged");
    }
    assertArrayEquals(before, Files.readAllBytes(log().cpFile));
  }

  @Test
  void maintenance_withVerificationOff_stillNeverSignsAFork() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      s.checkpoint();
    }
    rollBackAndRegrow(9, 3);
    try (AuditStore s = log().open()) {
      MaintenanceReport r =
          AuditMaintenance.builder(s, new AuditMaintenanceSettings(RetentionPolicy.defaults(), Duration.ofHours(1),
                  true, false))
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .build()
              .runOnce();
      assertFalse(r.ok());
      AuditException e = (AuditException) r.failure().orElseThrow();
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
    }
  }

  // ------------------------------------------------------------------ item 2: purge

  @Test
  void purge_ofARangeThatDisagreesWithACheckpoint_isRefused_andTheEvidenceStays() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      s.checkpoint(); // seq 10
    }
    rollBackAndRegrow(7, 5); // seq 8..12 rewritten; only the checkpoint at 10 can tell
    try (AuditStore s = log().open()) {
      assertTrue(s.verify(VerifyOptions.defaults().withoutCheckpoints()).valid(), "the chain alone looks fine");
      AuditException e = assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(2)));
      assertEquals(Reason.VERIFICATION_FAILED, e.reason());
      assertEquals(Problem.CHECKPOINT_MISMATCH, e.verification().orElseThrow().problem().orElseThrow());
      assertEquals(12, TestSupport.all(s).size(), "nothing deleted");
      VerificationResult after = s.verify();
      assertEquals(Problem.CHECKPOINT_MISMATCH, after.problem().orElseThrow(), "the evidence survives: " + after);
    }
  }

  @Test
  void purge_agreeingWithTheCheckpoints_stillWorks() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 10, "m");
      s.checkpoint();
      appendN(s, 5, "n");
      assertEquals(12, s.enforceRetention(RetentionPolicy.maxEntries(4)));
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      s.checkpoint();
    }
  }

  // ------------------------------------------------------------------ item 6: the checkpoint file

  @Test
  void missingOrEmptyCheckpointFile_withEntries_isATypedProblem_everywhere() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 4, "m");
      s.checkpoint();
    }
    for (boolean empty : new boolean[] {false, true}) {
      if (empty) {
        Files.write(log().cpFile, new byte[0]);
      } else {
        Files.delete(log().cpFile);
      }
      try (AuditStore s = log().open()) {
        VerificationResult v = s.verify();
        assertEquals(Problem.CHECKPOINTS_MISSING, v.problem().orElseThrow(), v.summary());
        AuditException refused = assertThrows(AuditException.class, s::checkpoint);
        assertEquals(Problem.CHECKPOINTS_MISSING, refused.verification().orElseThrow().problem().orElseThrow());
        MaintenanceReport r =
            AuditMaintenance.builder(s, AuditMaintenanceSettings.defaults())
                .scheduler(Executors.newSingleThreadScheduledExecutor())
                .build()
                .runOnce();
        assertEquals(Problem.CHECKPOINTS_MISSING, r.verification().orElseThrow().problem().orElseThrow());
        assertTrue(r.checkpoint().isEmpty(), "maintenance does not restart the file on its own");
      }
    }
    // the deliberate, documented restart
    try (AuditStore s = log().open()) {
      Checkpoint started = s.startCheckpoints();
      assertEquals(4, started.seq());
      assertTrue(s.verify().valid());
      assertEquals(Reason.CHECKPOINT_STATE, assertThrows(AuditException.class, s::startCheckpoints).reason());
    }
  }

  @Test
  void newLogWithASink_getsItsFirstCheckpointAtCreation() throws Exception {
    try (AuditStore s = log().open()) {
      List<Checkpoint> cps = CheckpointSinks.appendOnlyFile(log().cpFile).readAll();
      assertEquals(1, cps.size());
      assertEquals(0, cps.get(0).seq());
      assertEquals(s.logId(), cps.get(0).logId());
      appendN(s, 2, "m");
      assertTrue(s.verify().valid(), "entries after the first checkpoint are fine until the next one");
    }
  }

  @Test
  void checkpointFileReachedThroughASymlinkIntoTheDbDirectory_isRefused() throws Exception {
    Files.createDirectories(log().db.getParent());
    Path link = dir.resolve("innocent-looking");
    Files.createSymbolicLink(link, log().db.getParent());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> TestSupport.options(log().db)
                .checkpoints(CheckpointSinks.appendOnlyFile(link.resolve("sub/audit.cp")), keys).build());
    assertTrue(e.getMessage().contains("outside the database directory"), e.getMessage());
    // and the database reached through a symlink to the checkpoint directory
    Files.createDirectories(log().cpFile.getParent());
    Path dbLink = dir.resolve("dblink");
    Files.createSymbolicLink(dbLink, log().cpFile.getParent());
    assertThrows(IllegalArgumentException.class,
        () -> TestSupport.options(dbLink.resolve("a.db"))
            .checkpoints(CheckpointSinks.appendOnlyFile(log().cpFile), keys).build());
    // two real, separate directories are fine
    TestSupport.options(log().db).checkpoints(CheckpointSinks.appendOnlyFile(log().cpFile), keys).build();
  }

  @Test
  void tornLastNote_isReportedAsTorn_refusesAppends_andARepairMakesItAppendableAgain() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 3, "m");
      s.checkpoint();
      appendN(s, 2, "n");
    }
    String complete = Files.readString(log().cpFile);
    String torn = Checkpoint.sign("secureyeoman-audit", 5, "ab".repeat(32), Instant.EPOCH, keys).toText()
        .substring(0, 60); // a crash in the middle of the next append
    Files.writeString(log().cpFile, torn, StandardOpenOption.APPEND);
    try (AuditStore s = log().open()) {
      VerificationResult v = s.verify();
      assertEquals(Problem.CHECKPOINT_FILE_TORN, v.problem().orElseThrow(), v.summary());
      assertEquals(2, v.checkpointsChecked(), "the complete notes were still checked");
      assertTrue(v.detail().contains("repair-checkpoints"), v.detail());
      assertEquals(Reason.CHECKPOINT_FILE_TORN, assertThrows(AuditException.class, s::checkpoint).reason());
      assertEquals(Reason.CHECKPOINT_FILE_TORN,
          assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(2))).reason());
    }
    assertEquals(torn.getBytes(StandardCharsets.UTF_8).length, CheckpointSinks.repairTornTail(log().cpFile));
    assertEquals(complete, Files.readString(log().cpFile), "complete notes untouched");
    try (var aside = Files.list(log().cpFile.getParent())) {
      Path kept = aside.filter(p -> p.getFileName().toString().startsWith("audit.cp.torn-")).findFirst().orElseThrow();
      assertEquals(torn, Files.readString(kept), "the torn bytes are kept as evidence");
    }
    try (AuditStore s = log().open()) {
      assertEquals(5, s.checkpoint().seq());
      assertTrue(s.verify().valid());
    }
    assertEquals(0, CheckpointSinks.repairTornTail(log().cpFile), "nothing to repair");
  }

  @Test
  void tornFile_withARollbackBehindIt_reportsTheRollbackFirst() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 6, "m");
      s.checkpoint();
    }
    Files.writeString(log().cpFile, "secureyeoman-audit\n7\n", StandardOpenOption.APPEND);
    TestSupport.exec(log().db, "DELETE FROM audit_log WHERE seq > 3");
    try (AuditStore s = log().open()) {
      assertEquals(Problem.TRUNCATED, s.verify().problem().orElseThrow());
    }
  }

  // ------------------------------------------------------------------ item 7: log identity

  @Test
  void wholeDatabaseOfAnotherLogUnderTheSameKey_doesNotVerifyAsThisLog() throws Exception {
    Path otherDb = dir.resolve("other/audit.db");
    Path otherCp = dir.resolve("other-cp/audit.cp");
    String thisId;
    try (AuditStore s = log().open()) {
      thisId = s.logId().orElseThrow(); // a brand-new log: only its first checkpoint (seq 0) exists
    }
    String otherId;
    try (AuditStore other = SqliteAuditStore.open(
        TestSupport.options(otherDb).checkpoints(CheckpointSinks.appendOnlyFile(otherCp), keys).build())) {
      appendN(other, 5, "other");
      otherId = other.logId().orElseThrow();
      assertTrue(other.verify().valid());
    }
    assertFalse(thisId.equals(otherId));
    // the attacker replaces this log's database with the other one (same audit key, so every MAC is genuine)
    Files.copy(otherDb, log().db, StandardCopyOption.REPLACE_EXISTING);
    try (AuditReader r = SqliteAuditStore.openReadOnly(
        TestSupport.options(log().db).checkpoints(CheckpointSinks.appendOnlyFile(log().cpFile), keys).build())) {
      VerificationResult v = r.verify();
      assertEquals(Problem.LOG_ID_MISMATCH, v.problem().orElseThrow(), v.summary());
      assertTrue(v.detail().contains(thisId) && v.detail().contains(otherId), v.detail());
      VerificationResult pinned = r.verify(VerifyOptions.defaults().withoutCheckpoints().withExpectedLogId(thisId));
      assertEquals(Problem.LOG_ID_MISMATCH, pinned.problem().orElseThrow(), "without checkpoints, a pinned id");
      assertTrue(r.verify(VerifyOptions.defaults().withoutCheckpoints()).valid(), "on its own it is a valid log");
    }
  }

  @Test
  void logId_isBoundIntoEveryMac() throws Exception {
    try (AuditStore s = log().open()) {
      appendN(s, 3, "m");
    }
    // rewriting the id record (to make the database claim another identity) breaks every entry written since
    TestSupport.exec(log().db, "DROP TRIGGER audit_meta_immutable",
        "UPDATE audit_meta SET value = '" + "ab".repeat(16) + "' WHERE name = 'log_id'");
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(log().db).build())) {
      VerificationResult v = r.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(1, v.firstBrokenSeq().orElseThrow());
      assertEquals(Optional.of("ab".repeat(16)), r.logId());
    }
    TestSupport.exec(log().db, "DROP TRIGGER audit_meta_undeletable", "DELETE FROM audit_meta");
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(log().db).build())) {
      assertEquals(Problem.LOG_ID_MISMATCH, r.verify().problem().orElseThrow());
    }
  }
}
