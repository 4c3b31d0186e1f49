package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Red team attack18: the PostgreSQL audit log under SQL-level attacks. */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Attack18PostgresTest {

  private static AuditEvent event(String actor, int i) {
    return PostgresAuditStoreTest.event(actor, i);
  }

  /**
   * Worked, fixed: a forged {@code tamper_ack_seq} row (no acknowledgement ever appended) pointing at a genuine entry
   * made every later failure at or before it "already acknowledged": verify failed, nothing was recorded, every node
   * kept appending. Coverage now comes only from the newest MAC-valid acknowledgement entry (its recorded ranges); the
   * {@code tamper_ack_seq} row is no longer read.
   */
  @Test
  void forgedAckSeqMetaRow_tamperingStillFailsClosed(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds);
        AuditStore b = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 10; i++) {
        (i % 2 == 0 ? a : b).append(event("alice", i));
      }
      // attacker with SQL access: point the "last acknowledgement" at the head, then edit history
      PostgresAuditStoreTest.sql(ds,
          "INSERT INTO audit_meta (name, value) VALUES ('tamper_ack_seq', '10')",
          "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 4");
      VerificationResult r = b.verify();
      assertFalse(r.valid());
      assertEquals(4, r.firstBrokenSeq().getAsLong());
      assertTrue(a.tamperingDetected().isPresent(), "the failed verification must be recorded");
      AuditException e = assertThrows(AuditException.class, () -> a.append(event("bob", 11)));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  /** Truncating the table under running nodes with checkpoints: the next verification must fail. */
  @Test
  void truncateWhileRunning_withCheckpoints_detected(PostgresDatabase db, @TempDir Path dir) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    CheckpointSink sink = CheckpointSinks.appendOnlyFile(dir.resolve("cp"));
    try (AuditStore a = PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).checkpoints(sink, keys).open()) {
      for (int i = 0; i < 10; i++) {
        a.append(event("alice", i));
      }
      a.checkpoint();
      PostgresAuditStoreTest.sql(ds, "TRUNCATE audit_log");
      for (int i = 0; i < 12; i++) {
        a.append(event("alice", i));
      }
      VerificationResult r = a.verify();
      assertFalse(r.valid(), r.summary());
      VerificationResult inc = a.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(inc.valid(), inc.summary());
    }
  }

  /** Dropping both tables and letting a node re-open: a fresh log must not verify against the old checkpoints. */
  @Test
  void dropTablesThenReopen_withCheckpoints_detected(PostgresDatabase db, @TempDir Path dir) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    Path file = dir.resolve("cp");
    try (AuditStore a =
        PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).checkpoints(CheckpointSinks.appendOnlyFile(file), keys)
            .open()) {
      for (int i = 0; i < 10; i++) {
        a.append(event("alice", i));
      }
      a.checkpoint();
    }
    PostgresAuditStoreTest.sql(ds, "DROP TABLE audit_log", "DROP TABLE audit_meta");
    try (AuditStore a =
        PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).checkpoints(CheckpointSinks.appendOnlyFile(file), keys)
            .open()) {
      a.append(event("alice", 1));
      VerificationResult r = a.verify();
      assertFalse(r.valid(), r.summary());
      VerificationResult inc = a.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(inc.valid(), inc.summary());
    } catch (AuditException e) {
      // refusing to open is fine too
    }
  }

  /**
   * Worked, fixed: after one acknowledgement every full verification stops at the acknowledged seq
   * and the recorded-failure check only looks after the acknowledgement entry, so entries between the two can be
   * edited with SQL forever: verify keeps naming the old seq, nothing is recorded, appends go on.
   */
  @Test
  void afterAck_newTamperingBeforeAckEntry_recorded(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 10; i++) {
        a.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = 'x' WHERE seq = 3");
      assertFalse(a.verify().valid());
      a.acknowledgeTampering("investigated");
      a.append(event("alice", 20));
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = 'y' WHERE seq = 7");
      VerificationResult r = a.verify();
      assertFalse(r.valid());
      assertTrue(a.tamperingDetected().isPresent(), "new tampering at seq 7 must be recorded: " + r.summary());
    }
  }

  /**
   * Worked, fixed: a verification that fails only because of the caller's own expectation (a mistyped
   * {@code --log-id} to {@code secureyeoman audit verify --config}, likewise a wrong {@code --public-key} or another
   * cluster's checkpoint file) is recorded as tampering: every node refuses appends (audited requests 503) until a
   * permanent "tampering acknowledged" entry is written. Docs promise a misconfigured participant cannot lock the log.
   */
  @Test
  void wrongExpectedLogId_notRecordedAsTampering(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds);
        AuditStore b = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 5; i++) {
        a.append(event("alice", i));
      }
      VerificationResult r = b.verify(VerifyOptions.defaults().withExpectedLogId("00000000000000000000000000000000"));
      assertFalse(r.valid());
      assertFalse(a.tamperingDetected().isPresent(), "a caller's wrong expectation is not evidence of tampering");
      a.append(event("alice", 6));
    }
  }

  /**
   * Red team of the acknowledgement ranges: a column type altered (filters and retention would no longer see entries as
   * written) is a problem of the whole table, named at the first seq; an acknowledgement of an edit of seq 1 must not
   * cover it.
   */
  @Test
  void afterAckOfSeq1_columnTypeAltered_recorded(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 5; i++) {
        a.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = 'x' WHERE seq = 1");
      assertFalse(a.verify().valid());
      a.acknowledgeTampering("seq 1 edited");
      a.append(event("alice", 7));
      assertFalse(a.verify().valid());
      assertFalse(a.tamperingDetected().isPresent(), "only the acknowledged break");
      PostgresAuditStoreTest.sql(ds, "ALTER TABLE audit_log ALTER COLUMN ts TYPE text");
      assertFalse(a.verify().valid());
      VerificationResult t = a.tamperingDetected().orElseThrow(() -> new AssertionError("column type change"));
      assertEquals(VerificationResult.Problem.STORAGE_TYPE_ALTERED, t.problem().orElseThrow(), t.summary());
    }
  }

  /** Test of the fix: a second genuine acknowledgement covers the breaks known then, across nodes. */
  @Test
  void afterAck_newBreakAcknowledgedOnAnotherNode_everyNodeAppendsAgain(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds);
        AuditStore b = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 10; i++) {
        (i % 2 == 0 ? a : b).append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "DELETE FROM audit_log WHERE seq BETWEEN 3 AND 4");
      assertFalse(a.verify().valid());
      AuditEntry ack = b.acknowledgeTampering("rows 3-4 deleted");
      assertEquals(java.util.List.of("3-4:MISSING"), ack.metadata().get("broken_ranges"));
      a.append(event("bob", 11));
      PostgresAuditStoreTest.sql(ds, "DELETE FROM audit_log WHERE seq = 5");
      assertFalse(b.verify().valid());
      assertEquals(5, a.tamperingDetected().orElseThrow().firstBrokenSeq().getAsLong());
      assertEquals(java.util.List.of("3-5:MISSING"), a.acknowledgeTampering("row 5 too").metadata().get("broken_ranges"));
      assertFalse(b.verify().valid());
      assertFalse(b.tamperingDetected().isPresent());
      b.append(event("bob", 12));
    }
  }

  /**
   * Worked, fixed: deleting the {@code schema_version} record (or the whole {@code audit_meta} table) made every node's
   * restart fail with a raw SQL error ({@code relation "audit_log" already exists}): the store now refuses to open with
   * {@code UNSUPPORTED_SCHEMA} naming the missing record, writes nothing, and opens again once it is restored.
   */
  @Test
  void schemaRecordDeleted_openRefusedTyped_nothingWritten_restoredOpensAgain(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 3; i++) {
        a.append(event("alice", i));
      }
    }
    PostgresAuditStoreTest.sql(ds, "DELETE FROM audit_meta WHERE name = 'schema_version'");
    AuditException e = assertThrows(AuditException.class, () -> PostgresAuditStoreTest.open(ds));
    assertEquals(AuditException.Reason.UNSUPPORTED_SCHEMA, e.reason());
    assertTrue(e.getMessage().contains("schema_version"), e.getMessage());
    assertEquals(3, PostgresAuditStoreTest.count(ds), "no table recreated, nothing written");
    PostgresAuditStoreTest.sql(ds, "INSERT INTO audit_meta (name, value) VALUES ('schema_version', '1')");
    try (AuditStore a = PostgresAuditStoreTest.open(ds)) {
      assertTrue(a.verify().valid());
      assertEquals(4, a.append(event("alice", 4)).seq());
    }
    PostgresAuditStoreTest.sql(ds, "DROP TABLE audit_meta");
    AuditException dropped = assertThrows(AuditException.class, () -> PostgresAuditStoreTest.open(ds));
    assertEquals(AuditException.Reason.UNSUPPORTED_SCHEMA, dropped.reason());
    assertEquals(4, PostgresAuditStoreTest.count(ds));
  }

  /** The twin of {@code FailClosedTest#callerExpectations_storesCheckpointFileMalformed_failureReturnedAndRecorded}. */
  @Test
  void callerExpectations_storesCheckpointFileMalformed_failureReturnedAndRecorded(PostgresDatabase db, @TempDir Path dir)
      throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    Path file = dir.resolve("cp");
    try (AuditStore a =
        PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).checkpoints(CheckpointSinks.appendOnlyFile(file), keys)
            .open()) {
      for (int i = 0; i < 5; i++) {
        a.append(event("alice", i));
      }
      a.checkpoint();
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
      java.nio.file.Files.writeString(file, "not a checkpoint\n\u2014 secureyeoman-audit AAAA\n");
      VerificationResult r = a.verify(VerifyOptions.defaults().withCheckpoints(java.util.List.of(), keys.getPublic()));
      assertFalse(r.valid());
      assertEquals(2, r.firstBrokenSeq().getAsLong());
      assertEquals(2, a.tamperingDetected().orElseThrow().firstBrokenSeq().getAsLong());
    }
  }
}
