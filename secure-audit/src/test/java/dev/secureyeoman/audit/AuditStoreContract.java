package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.util.ArrayList;
import java.util.List;
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
}
