package dev.secureyeoman.audit;

import static dev.secureyeoman.audit.PgAttackSupport.appendN;
import static dev.secureyeoman.audit.PgAttackSupport.dataSource;
import static dev.secureyeoman.audit.PgAttackSupport.key;
import static dev.secureyeoman.audit.PgAttackSupport.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Red team (attack18b) of the acknowledgement flow of {@link PostgresAuditStore}: after an acknowledgement only the
 * acknowledged broken ranges may stay exempt; every new break must be recorded and refuse appends.
 */
@ExtendWith(PostgresExtension.class)
class Attack18bPostgresAckTest {

  /** Tampers, verifies (recorded), acknowledges; returns with the store writable again. */
  private static void tamperVerifyAck(AuditStore store, PGSimpleDataSource ds, String tamperSql) throws Exception {
    sql(ds, tamperSql);
    assertFalse(store.verify().valid());
    assertTrue(store.tamperingDetected().isPresent(), "the first break is recorded");
    store.acknowledgeTampering("ticket attack18b");
    assertTrue(store.tamperingDetected().isEmpty());
    appendN(store, 1); // writable again
  }

  private static void assertNewBreakRecorded(AuditStore store) throws AuditException {
    VerificationResult r = store.verify();
    assertFalse(r.valid());
    Optional<VerificationResult> recorded = store.tamperingDetected();
    assertTrue(recorded.isPresent(), "new break must be recorded, verify said: " + r.summary());
    AuditException e =
        assertThrows(AuditException.class, () -> appendN(store, 1), "appends must be refused after a new break");
    assertEquals(AuditException.Reason.TAMPERED, e.reason());
  }

  @Test
  void afterAckOfTwoEdits_editOfTheIntactRowBetweenThem_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq IN (5, 7)");
      sql(ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 6");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAckOfOneEdit_editOfTheNextRow_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5");
      sql(ds, "UPDATE audit_log SET message = 'rewritten' WHERE seq = 6");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAckOfADeletedRange_editOfTheFirstRowAfterTheGap_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "DELETE FROM audit_log WHERE seq IN (6, 7)");
      sql(ds, "UPDATE audit_log SET message = 'rewritten' WHERE seq = 8");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAckOfUnanchoredStart_editOfTheFirstRemainingRow_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "DELETE FROM audit_log WHERE seq <= 3");
      sql(ds, "UPDATE audit_log SET message = 'rewritten' WHERE seq = 4");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAckOfUnanchoredStart_furtherRowsDeletedFromTheStart_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "DELETE FROM audit_log WHERE seq <= 3");
      sql(ds, "DELETE FROM audit_log WHERE seq <= 5");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAckOfOneEdit_theAcknowledgedRowDeleted_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5");
      sql(ds, "DELETE FROM audit_log WHERE seq = 5");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void afterAck_editAfterAckEntryAndAckEntryRowsSwapped_recorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 12);
      tamperVerifyAck(store, ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5");
      appendN(store, 4);
      // seq 13 is the acknowledgement, 14.. later entries; break 15 by deleting it
      sql(ds, "DELETE FROM audit_log WHERE seq = 15");
      assertNewBreakRecorded(store);
    }
  }

  @Test
  void appendOfAReservedAcknowledgementEvent_refused(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 3);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              store.append(
                  AuditEvent.builder("audit.tampering_acknowledged")
                      .level(AuditLevel.SECURITY)
                      .actor("system")
                      .put("broken_ranges", "1-1000000")
                      .put("first_broken_seq", 1)
                      .put("reason", "forged")
                      .build()));
    }
  }

  @Test
  void editBeforeTheNewestCheckpoint_callerPassesWrongLogId_fullVerification_stillRecorded(
      PostgresDatabase db, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    java.security.KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore store =
        PostgresAuditStore.builder(ds)
            .macKey(key)
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("checkpoints")), cpKeys)
            .open()) {
      appendN(store, 10);
      store.checkpoint();
      appendN(store, 5);
      // a real edit inside the prefix an incremental verification would trust
      sql(ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
      VerificationResult r = store.verify(VerifyOptions.defaults().withExpectedLogId("0".repeat(32)));
      assertFalse(r.valid());
      assertTrue(store.tamperingDetected().isPresent(), "a real break must be recorded even with a wrong expected id");
      assertEquals(3, store.tamperingDetected().get().firstBrokenSeq().orElse(-1));
    }
  }

  @Test
  void editBeforeTheNewestCheckpoint_callerPassesForeignCheckpoints_stillRecorded(
      PostgresDatabase db, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    java.security.KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore store =
        PostgresAuditStore.builder(ds)
            .macKey(key)
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("checkpoints")), cpKeys)
            .open()) {
      appendN(store, 10);
      store.checkpoint();
      appendN(store, 5);
      sql(ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
      // the caller's own (wrong) expectation: no checkpoints under an unrelated key, incremental
      VerificationResult r =
          store.verify(
              VerifyOptions.defaults()
                  .withCheckpoints(java.util.List.of(), CheckpointKeys.generate(new SecureRandom()).getPublic())
                  .sinceCheckpoint());
      assertFalse(r.valid(), r.summary());
      assertTrue(store.tamperingDetected().isPresent(), "the edit at 3 must be recorded; caller's result: " + r.summary());
    }
  }

  /**
   * By design, an acknowledgement covers only the breaks its own store can see: a store opened without the node's
   * checkpoint file (the CLI without {@code --checkpoint}) does not see a truncation, covers nothing, and the node locks
   * the log again at its next verification (fail closed). {@code AuditPostgresCliTest} shows the CLI with {@code
   * --checkpoint} covering it.
   */
  @Test
  void truncationFoundByANodesCheckpoints_acknowledgedFromAStoreWithoutCheckpoints_notCovered_locksAgain(
      PostgresDatabase db, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    java.security.KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore node =
        PostgresAuditStore.builder(ds)
            .macKey(key)
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("checkpoints")), cpKeys)
            .open()) {
      appendN(node, 10);
      node.checkpoint();
      sql(ds, "DELETE FROM audit_log WHERE seq >= 9");
      VerificationResult found = node.verify();
      assertFalse(found.valid());
      assertTrue(node.tamperingDetected().isPresent());
      // the operator acknowledges with the CLI: a writable store opened without the node's checkpoint file
      AuditEntry ack;
      try (AuditStore cli = PostgresAuditStore.builder(ds).macKey(key).open()) {
        ack = cli.acknowledgeTampering("SEC-2: truncation investigated");
      }
      Object ranges = ack.metadata().get("broken_ranges");
      Object problems = ack.metadata().get("log_problems");
      assertEquals(java.util.List.of(), ranges, "nothing visible without the checkpoints; problems " + problems);
      VerificationResult again = node.verify();
      assertFalse(again.valid());
      assertTrue(node.tamperingDetected().isPresent(), "not covered: locked again (" + again.summary() + ")");
    }
  }

  @Test
  void truncationFoundByANodesCheckpoints_acknowledgedByThatNode_staysWritable(
      PostgresDatabase db, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    java.security.KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore node =
        PostgresAuditStore.builder(ds)
            .macKey(key)
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("checkpoints")), cpKeys)
            .open()) {
      appendN(node, 10);
      node.checkpoint();
      sql(ds, "DELETE FROM audit_log WHERE seq >= 9");
      VerificationResult found = node.verify();
      assertFalse(found.valid());
      AuditEntry ack = node.acknowledgeTampering("SEC-3: truncation investigated");
      VerificationResult again = node.verify();
      assertTrue(
          node.tamperingDetected().isEmpty(),
          "ranges " + ack.metadata().get("broken_ranges") + ", problems " + ack.metadata().get("log_problems")
              + "; found " + found.summary() + "; again " + again.summary());
      // the acknowledged seqs are refilled past the checkpoint's (CHECKPOINT_MISMATCH at 10): still acknowledged
      appendN(node, 3);
      VerificationResult later = node.verify();
      assertFalse(later.valid(), "the evidence stays");
      assertTrue(node.tamperingDetected().isEmpty(), later.summary());
      // a new break after the acknowledged range still locks
      sql(ds, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 11");
      assertNewBreakRecorded(node);
    }
  }
}
