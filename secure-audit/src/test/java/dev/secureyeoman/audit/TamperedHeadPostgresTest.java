package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Red team (issue 18): an attacker with SQL access who edited the NEWEST row made every node opening afterwards treat
 * it as a wrong key — refuse writes with KEY_MISMATCH but record nothing — while running nodes kept appending. A head
 * whose key id is known but whose MAC fails, while an earlier entry under the same key id verifies, is now a tampered
 * head: recorded at open, every node refuses appends with TAMPERED. A node with a wrong key still records nothing.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TamperedHeadPostgresTest {

  private static AuditEvent event(String actor, int i) {
    return PostgresAuditStoreTest.event(actor, i);
  }

  private static long tamperRows(DataSource ds) throws Exception {
    try (var c = ds.getConnection();
        var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM audit_meta WHERE name = 'tamper'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void editedHead_reopeningNodeRecordsIt_everyNodeRefusesWithTampered(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore running = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 5; i++) {
        running.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 5");
      try (AuditStore restarted = PostgresAuditStoreTest.open(ds)) {
        VerificationResult recorded =
            restarted.tamperingDetected().orElseThrow(() -> new AssertionError("the edited head was not recorded"));
        assertEquals(5, recorded.firstBrokenSeq().orElseThrow());
        assertEquals(Problem.ENTRY_ALTERED, recorded.problem().orElseThrow());
        assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> restarted.append(event("b", 6))).reason());
        assertEquals(
            Reason.TAMPERED, assertThrows(AuditException.class, () -> running.append(event("b", 7))).reason(),
            "the node that kept running is stopped too, before its own verification");
        VerificationResult v = restarted.verify();
        assertFalse(v.valid());
        assertEquals(5, v.firstBrokenSeq().orElseThrow());
      }
      assertEquals(5, PostgresAuditStoreTest.count(ds), "nothing appended on top of the edited head");
      assertEquals(1, tamperRows(ds));
      // the legitimate path: the operator acknowledges, appends resume on every node and the log is consistent again
      try (AuditStore again = PostgresAuditStoreTest.open(ds)) {
        assertEquals(6, again.acknowledgeTampering("INC-18: head edited by a test").seq());
        assertEquals(7, running.append(event("alice", 7)).seq());
        assertTrue(again.tamperingDetected().isEmpty());
      }
      try (AuditStore after = PostgresAuditStoreTest.open(ds)) {
        assertTrue(after.tamperingDetected().isEmpty(), "an acknowledged head is not recorded again at open");
        assertEquals(8, after.append(event("alice", 8)).seq());
      }
    }
  }

  @Test
  void editedHead_malformedMetadata_recordedAtOpen(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 3; i++) {
        s.append(event("alice", i));
      }
    }
    PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET metadata = '{not json' WHERE seq = 3");
    try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
      VerificationResult recorded = s.tamperingDetected().orElseThrow(() -> new AssertionError("not recorded"));
      assertEquals(3, recorded.firstBrokenSeq().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> s.append(event("b", 4))).reason());
    }
  }

  @Test
  void wrongKeyNode_afterEditedHead_stillRecordsNothing_rightNodesAppend(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore good = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 4; i++) {
        good.append(event("alice", i));
      }
      try (AuditStore wrong = PostgresAuditStore.builder(ds).macKey(TestSupport.key(2)).open()) {
        assertEquals(Reason.KEY_MISMATCH, assertThrows(AuditException.class, () -> wrong.append(event("m", 1))).reason());
        assertFalse(wrong.verify().valid());
        assertTrue(wrong.tamperingDetected().isEmpty(), "a wrong key cannot make an earlier entry verify");
      }
      assertEquals(0, tamperRows(ds));
      assertEquals(5, good.append(event("alice", 5)).seq());
    }
  }

  /**
   * The documented limit: an attacker who edits the head AND every entry under its key id looks like a wrong key to a
   * node opening afterwards (it records nothing, refuses writes); a node still running with the right key records it
   * with its next verification.
   */
  @Test
  void everyEntryUnderTheKeyIdEdited_looksLikeAWrongKey_runningNodeRecordsOnVerify(PostgresDatabase db)
      throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore running = PostgresAuditStoreTest.open(ds)) {
      for (int i = 0; i < 3; i++) {
        running.append(event("alice", i));
      }
      PostgresAuditStoreTest.sql(ds, "UPDATE audit_log SET message = message || '!'");
      try (AuditStore restarted = PostgresAuditStoreTest.open(ds)) {
        assertEquals(
            Reason.KEY_MISMATCH, assertThrows(AuditException.class, () -> restarted.append(event("b", 4))).reason());
        assertTrue(restarted.tamperingDetected().isEmpty());
      }
      assertFalse(running.verify().valid());
      assertEquals(1, running.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> running.append(event("b", 5))).reason());
    }
  }
}
