package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An outside attacker against the PostgreSQL audit store (ATTACKER.md): each test is an attack that worked against the
 * first PostgreSQL slice (or a pin that it fails), with the legitimate path next to it.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresAttackTest {

  private static AuditEvent event(String actor, int i) {
    return PostgresAuditStoreTest.event(actor, i);
  }

  /**
   * Worked: metadata whose JSON exceeds the reader's 1 MiB limit was stored and MACed on PostgreSQL, then failed every
   * verification as MALFORMED_ENTRY and locked the log for every node (fixed on SQLite in a94a41e, not on PostgreSQL).
   */
  @Test
  void oversizedMetadataFromCallerInput_refusedAtAppend_logNotLocked(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      s.append(event("alice", 1));
      AuditEvent huge = AuditEvent.builder("http.request").actor("mallory").put("ua", "x".repeat(1 << 20)).build();
      assertThrows(IllegalArgumentException.class, () -> s.append(huge));
      assertEquals(1, PostgresAuditStoreTest.count(ds), "nothing stored");
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r::summary);
      assertEquals(2, s.append(event("alice", 2)).seq(), "the log still accepts appends");
      // just under the limit still works and verifies
      s.append(AuditEvent.builder("http.request").actor("bob").put("ua", "y".repeat((1 << 20) - 100)).build());
      assertTrue(s.verify().valid());
    }
  }

  /**
   * Worked: after a failure was acknowledged, new tampering behind the acknowledgement was never recorded — a full
   * verification stops at the acknowledged evidence, whose seq is at or before the acknowledgement — so every node kept
   * appending on top of the new tampering.
   */
  @Test
  void tamperingAfterAnAcknowledgement_notHiddenBehindTheAcknowledgedEvidence(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore a = PostgresAuditStoreTest.open(ds);
        AuditStore b = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 5; i++) {
        a.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET actor = 'x' WHERE seq = 2");
      assertFalse(a.verify().valid());
      assertEquals(6, a.acknowledgeTampering("INC-1: seq 2 edited by a test").seq());
      a.append(event("alice", 7));
      a.append(event("alice", 8));
      assertEquals(2, b.verify().firstBrokenSeq().orElseThrow(), "the acknowledged evidence stays");
      assertTrue(b.tamperingDetected().isEmpty(), "acknowledged evidence does not lock again");
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = 'covered up' WHERE seq = 8");
      VerificationResult r = b.verify();
      assertEquals(2, r.firstBrokenSeq().orElseThrow(), "a full verification still names the first problem");
      VerificationResult recorded = a.tamperingDetected().orElseThrow(() -> new AssertionError("new tampering ignored"));
      assertEquals(8, recorded.firstBrokenSeq().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> a.append(event("x", 9))).reason());
    }
  }

  /**
   * Worked: a node configured with the wrong MAC key appended entries that broke the chain for every node (SQLite
   * refuses writes of such a store with KEY_MISMATCH). Now refused, and the right-key nodes are unaffected.
   */
  @Test
  void nodeWithWrongKey_refusedToWrite_chainOfTheOthersIntact(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore good = PostgresAuditStoreTest.open(ds)) {
      good.append(event("alice", 1));
      try (AuditStore wrong = PostgresAuditStore.builder(ds).macKey(TestSupport.key(2)).open()) {
        ExecutionException e =
            assertThrows(ExecutionException.class, () -> wrong.appendAsync(event("mallory", 1)).get());
        assertEquals(Reason.KEY_MISMATCH, ((AuditException) e.getCause()).reason());
        assertEquals(Reason.KEY_MISMATCH, assertThrows(AuditException.class, () -> wrong.append(event("m", 2))).reason());
        assertEquals(
            Reason.KEY_MISMATCH,
            assertThrows(AuditException.class, () -> wrong.enforceRetention(RetentionPolicy.maxEntries(2))).reason());
        assertEquals(
            Reason.KEY_MISMATCH, assertThrows(AuditException.class, () -> wrong.acknowledgeTampering("x")).reason());
        assertFalse(wrong.verify().valid(), "its verification fails (wrong key) ...");
      }
      assertTrue(good.tamperingDetected().isEmpty(), "... but does not lock the log of the right-key nodes");
      assertEquals(2, good.append(event("alice", 2)).seq());
      VerificationResult r = good.verify();
      assertTrue(r.valid(), r::summary);
      assertTrue(good.tamperingDetected().isEmpty());
    }
  }

  /** Rotation: a node opened with a new active key id records it in the chain, as on SQLite; every epoch verifies. */
  @Test
  void keyRotation_recordedOnce_bothEpochsVerify(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      s.append(event("alice", 1));
    }
    AuditKeyring ring = AuditKeyring.builder().add(1, TestSupport.key(1)).add(2, TestSupport.key(3)).active(2).build();
    try (AuditStore s = PostgresAuditStore.builder(ds).keyring(ring).open()) {
      AuditEntry rotated = s.head().orElseThrow();
      assertEquals("audit.key_rotated", rotated.event());
      assertEquals(2, rotated.keyId());
      assertEquals(1L, rotated.metadata().get("from_key_id"));
      assertEquals(2L, rotated.metadata().get("to_key_id"));
      assertEquals(3, s.append(event("alice", 2)).seq());
    }
    AuditKeyring again = AuditKeyring.builder().add(1, TestSupport.key(1)).add(2, TestSupport.key(3)).active(2).build();
    try (AuditStore s = PostgresAuditStore.builder(ds).keyring(again).open()) {
      assertEquals(3, s.head().orElseThrow().seq(), "no second rotation entry");
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r::summary);
    }
  }

  /**
   * A second writer that bypasses the advisory lock (a script inserting rows directly) cannot fork the chain: seq is the
   * primary key, so the honest group that collides fails typed and writes nothing, and verification names the foreign
   * row.
   */
  @Test
  void writerBypassingTheLock_cannotFork_collidingGroupFailsTyped_foreignRowDetected(PostgresDatabase db)
      throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds);
        Connection attacker = ds.getConnection();
        Statement st = attacker.createStatement()) {
      for (int i = 0; i < 3; i++) {
        s.append(event("alice", i));
      }
      attacker.setAutoCommit(false);
      st.execute(
          "INSERT INTO audit_log (seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash,"
              + " hash) SELECT 4, ts, level, event, 'mallory', message, metadata, NULL, key_id, hash, hash"
              + " FROM audit_log WHERE seq = 3");
      CompletableFuture<AuditEntry> honest = s.appendAsync(event("alice", 3));
      awaitBackendWaitingOnRowLock(ds); // the honest insert of seq 4 waits on the attacker's uncommitted seq 4
      attacker.commit();
      ExecutionException e = assertThrows(ExecutionException.class, () -> honest.get(60, TimeUnit.SECONDS));
      assertEquals(Reason.STORAGE, ((AuditException) e.getCause()).reason());
      assertEquals(4, PostgresAuditStoreTest.count(ds), "one row per seq: no fork");
      VerificationResult r = s.verify();
      assertEquals(4, r.firstBrokenSeq().orElseThrow());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("alice", 5))).reason());
    }
  }

  /**
   * Worked: an acknowledgement record edited in SQL to a huge seq (or to garbage, which threw inside the recording and
   * was only logged) made every later failed verification look "already acknowledged": nothing was recorded and every
   * node kept appending on top of fresh tampering.
   */
  @Test
  void acknowledgementRecordForged_failuresStillRecorded(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    for (String forged : new String[] {"999999999", "not-a-number"}) {
      PostgresAuditStoreTest.sql(ds, "DROP TABLE IF EXISTS audit_log", "DROP TABLE IF EXISTS audit_meta");
      try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
        for (int i = 0; i < 4; i++) {
          s.append(event("alice", i));
        }
        PostgresAuditStoreTest.sql(
            ds,
            "INSERT INTO audit_meta (name, value) VALUES ('tamper_ack_seq', '" + forged + "')",
            "UPDATE audit_log SET message = 'hidden' WHERE seq = 3");
        assertFalse(s.verify().valid());
        assertTrue(s.tamperingDetected().isPresent(), "recorded despite the forged acknowledgement " + forged);
        assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("x", 1))).reason());
      }
    }
  }

  /** A verifying thread that is interrupted (a maintenance thread shut down) still records the failure. */
  @Test
  void interruptedVerifyingThread_stillRecordsTheFailure(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 4; i++) {
        s.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET actor = 'eve' WHERE seq = 2");
      Thread.currentThread().interrupt();
      try {
        assertFalse(s.verify().valid());
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt flag is kept");
      }
      assertEquals(2, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
    }
  }

  /** Hostile encodings from caller input (lone surrogates, NUL in metadata, RTL overrides) never lock the log. */
  @Test
  void hostileEncodingsFromCallerInput_stored_logStillVerifies(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      String[] hostile = {"a\uD800b", "\uDC00", "x\u202Ey", "\uFEFF", "\uD83D\uDE00", "e\u0301"};
      for (String h : hostile) {
        try {
          s.append(AuditEvent.builder("app.x").actor(h).message(h).correlationId(h).put(h, h).build());
        } catch (IllegalArgumentException refused) {
          // refusing at append is fine too; storing something that fails verification is not
        }
      }
      VerificationResult r = s.verify();
      assertTrue(r.valid(), r::summary);
      assertTrue(s.tamperingDetected().isEmpty());
    }
  }

  /** Polls the server (no sleep) until one backend of this database waits on a heavyweight lock. */
  private static void awaitBackendWaitingOnRowLock(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND wait_event_type = 'Lock' AND wait_event = 'transactionid'")) {
      while (true) {
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.onSpinWait();
      }
    }
  }
}
