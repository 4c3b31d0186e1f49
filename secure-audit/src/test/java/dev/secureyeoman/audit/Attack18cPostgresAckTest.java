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
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Red team (attack18c) of acknowledged truncations on PostgreSQL: the {@code TRUNCATED} range head+1..checkpoint seq
 * of an acknowledgement reaches past the head, over seqs that entries appended afterwards take; a checkpoint another
 * node signs over those entries must keep protecting them.
 */
@ExtendWith(PostgresExtension.class)
class Attack18cPostgresAckTest {

  private static AuditStore node(PGSimpleDataSource ds, SecretBytes key, Path cpFile, KeyPair cpKeys)
      throws AuditException {
    return PostgresAuditStore.builder(ds)
        .macKey(key)
        .checkpoints(CheckpointSinks.appendOnlyFile(cpFile), cpKeys)
        .open();
  }

  @Test
  void ackedTruncationOfNodeA_nodeBSignsLaterEntries_theirDeletionRecordedOnEveryNode(
      PostgresDatabase db, @TempDir Path dir) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore a = node(ds, key, dir.resolve("a/audit.cp"), cpKeys);
        AuditStore b = node(ds, key, dir.resolve("b/audit.cp"), cpKeys)) {
      appendN(a, 20);
      assertEquals(20, a.checkpoint().seq());
      sql(ds, "DELETE FROM audit_log WHERE seq >= 11");
      assertFalse(a.verify().valid());
      AuditEntry ack = a.acknowledgeTampering("SEC-4: truncation investigated");
      assertEquals(List.of("11-20:TRUNCATED"), ack.metadata().get("broken_ranges"));
      // node b's checkpoints (only seq 0) never reached the deleted range: it verifies and signs on
      appendN(b, 7);
      assertEquals(18, b.checkpoint().seq());
      assertTrue(b.verify().valid());
      // legitimate path: node a still sees its acknowledged truncation (checkpoint 20) and stays writable
      assertFalse(a.verify().valid(), "the evidence stays");
      assertTrue(a.tamperingDetected().isEmpty());
      // the attacker deletes entries appended after the acknowledgement, which b's checkpoint signed
      sql(ds, "DELETE FROM audit_log WHERE seq >= 15");
      VerificationResult r = b.verify();
      assertFalse(r.valid());
      assertTrue(b.tamperingDetected().isPresent(), "b's own checkpoint shows a new truncation: " + r.summary());
      AuditException e = assertThrows(AuditException.class, () -> appendN(a, 1));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  @Test
  void ackedTruncation_laterRollbackAgainstNodeBsCheckpoint_recorded(PostgresDatabase db, @TempDir Path dir)
      throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    SecretBytes key = key();
    KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
    try (AuditStore a = node(ds, key, dir.resolve("a/audit.cp"), cpKeys);
        AuditStore b = node(ds, key, dir.resolve("b/audit.cp"), cpKeys)) {
      appendN(a, 20);
      a.checkpoint();
      sql(ds, "DELETE FROM audit_log WHERE seq >= 11");
      assertFalse(a.verify().valid());
      a.acknowledgeTampering("SEC-5: truncation investigated");
      appendN(b, 5); // 12..16
      assertEquals(16, b.checkpoint().seq());
      // rolled back to seq 13 and regrown by the nodes: seq 16 now differs from b's checkpoint (a fork)
      sql(ds, "DELETE FROM audit_log WHERE seq >= 14");
      appendN(a, 4); // 14..17
      VerificationResult r = b.verify();
      assertFalse(r.valid());
      assertTrue(b.tamperingDetected().isPresent(), "a rollback under b's checkpoint: " + r.summary());
    }
  }

  @Test
  void rowInsertedAtSeqZero_exported_verificationFailsAndIsRecorded(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 5);
      PgAttackSupport.insertForgedCopy(ds, "audit_log", "0", 1);
      assertEquals(0, assertForgedRowExported_verificationFailsAndIsRecorded(store).firstBrokenSeq().orElseThrow());
      // not acknowledgeable while it is there: it is no entry of the chain
      assertThrows(IllegalStateException.class, () -> store.acknowledgeTampering("SEC-13"));
      sql(ds, "DELETE FROM audit_log WHERE seq < 1");
      store.acknowledgeTampering("SEC-13: forged row at seq 0 exported as evidence and deleted");
      appendN(store, 1);
      assertTrue(store.verify().valid());
    }
  }

  /** The forged copy is exported as an entry, so verification must fail and record it. */
  private static VerificationResult assertForgedRowExported_verificationFailsAndIsRecorded(AuditStore store)
      throws Exception {
    java.io.StringWriter w = new java.io.StringWriter();
    store.exportJsonl(w);
    assertTrue(w.toString().contains("forged quokka"), "exported as an entry");
    VerificationResult r = store.verify();
    assertFalse(r.valid(), r.summary());
    assertTrue(store.tamperingDetected().isPresent());
    return r;
  }

  private static final String HIDING =
      " AS SELECT * FROM %s WHERE actor <> 'mallory' OR current_query() LIKE '%%CAST(NULL AS text)%%'";

  /** Appends entries, one by mallory in the middle; returns its seq. */
  private static long withMalloryEntry(AuditStore store) throws AuditException {
    appendN(store, 3);
    long seq = store.append(
        AuditEvent.builder("backup.deleted").actor("mallory").message("deleted every backup quokka").build()).seq();
    appendN(store, 3);
    return seq;
  }

  private static void assertHiddenEntryNotVerifiedAsOk(AuditStore store) throws Exception {
    // what a query, a search and an export show
    boolean queried =
        !store.query(AuditQuery.builder().actor("mallory").limit(10).build()).isEmpty();
    java.io.StringWriter w = new java.io.StringWriter();
    store.exportJsonl(w);
    boolean exported = w.toString().contains("quokka");
    VerificationResult r = store.verify();
    assertTrue(queried && exported || !r.valid(),
        "queries/exports hide mallory's entry (queried " + queried + ", exported " + exported
            + ") while verify says " + r.summary());
    if (!r.valid()) {
      assertTrue(store.tamperingDetected().isPresent(), "recorded");
    }
  }

  @Test
  void viewInPlaceOfTheTable_showsVerificationEveryRow_hidesOneFromQueriesAndExports(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      withMalloryEntry(store);
      sql(ds, "ALTER TABLE audit_log RENAME TO audit_log_data");
      sql(ds, "CREATE VIEW audit_log" + String.format(HIDING, "audit_log_data"));
      assertHiddenEntryNotVerifiedAsOk(store);
    }
  }

  @Test
  void viewInTheRolesOwnSchema_firstOnTheSearchPath_hidesOneFromQueriesAndExports(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      withMalloryEntry(store);
      // search_path is "$user", public: a schema named after the role shadows public.audit_log
      sql(ds, "CREATE SCHEMA \"" + db.user() + "\"");
      sql(ds, "CREATE VIEW \"" + db.user() + "\".audit_log" + String.format(HIDING, "public.audit_log"));
      assertHiddenEntryNotVerifiedAsOk(store);
    }
  }

  @Test
  void rowLevelSecurityOnTheTable_reported_neverCoveredByAnAcknowledgement(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 4);
      // policies bind the nodes' role when it is not a superuser (FORCE: also the table owner)
      sql(ds, "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY");
      VerificationResult r = store.verify();
      assertFalse(r.valid());
      assertEquals(VerificationResult.Problem.STORAGE_TYPE_ALTERED, r.problem().orElseThrow());
      assertTrue(r.detail().contains("row level security"), r.detail());
      assertTrue(store.tamperingDetected().isPresent());
      store.acknowledgeTampering("SEC-15: investigating");
      assertFalse(store.verify().valid());
      assertTrue(store.tamperingDetected().isPresent(), "never covered: it stays a new break while it is there");
      sql(ds, "ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY");
      store.acknowledgeTampering("SEC-15: row level security removed");
      assertTrue(store.verify().valid());
      appendN(store, 1);
    }
  }

  @Test
  void primaryKeyDropped_rowWithNullSeq_exported_verificationFails(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 5);
      sql(ds, "ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey");
      sql(ds, "ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL");
      PgAttackSupport.insertForgedCopy(ds, "audit_log", "NULL", 1);
      assertForgedRowExported_verificationFailsAndIsRecorded(store);
    }
  }

  @Test
  void primaryKeyDropped_duplicateOfAnEntry_verificationFails(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 5);
      sql(ds, "ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey");
      PgAttackSupport.insertForgedCopy(ds, "audit_log", "seq", 3);
      VerificationResult r = store.verify();
      assertFalse(r.valid(), r.summary());
      assertTrue(store.tamperingDetected().isPresent());
    }
  }

  @Test
  void triggerSkippingMallorysRows_appendFails_held(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 3);
      sql(ds, "CREATE FUNCTION skip_mallory() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN IF NEW.actor = 'mallory' THEN RETURN NULL; END IF; RETURN NEW; END $$");
      sql(ds, "CREATE TRIGGER skip_mallory BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION skip_mallory()");
      AuditException e = assertThrows(AuditException.class,
          () -> store.append(AuditEvent.builder("backup.deleted").actor("mallory").message("x").build()));
      assertEquals(AuditException.Reason.STORAGE, e.reason());
      AuditEntry ok = store.append(AuditEvent.builder("ok").actor("alice").build());
      assertEquals(4, ok.seq());
      assertTrue(store.verify().valid());
    }
  }

  @Test
  void childTableInheritingAuditLog_forgedDuplicateOfAnEntry_verificationFails(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 5);
      // rows of a child table are read by every SELECT on the parent; the parent's primary key does not cover them
      sql(ds, "CREATE TABLE audit_log_extra () INHERITS (audit_log)");
      PgAttackSupport.insertForgedCopy(ds, "audit_log_extra", "seq", 3);
      assertForgedRowExported_verificationFailsAndIsRecorded(store);
    }
  }

  @Test
  void rowAtLongMaxSeq_acknowledgementRefused_appendsFailTyped_nothingWrapsBelowOne(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = dataSource(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      appendN(store, 3);
      sql(ds, "INSERT INTO audit_log(seq, ts, level, event, actor, message, metadata, correlation_id, key_id,"
          + " prev_hash, hash) SELECT 9223372036854775807, ts, level, event, actor, message, metadata,"
          + " correlation_id, key_id, prev_hash, hash FROM audit_log WHERE seq = 1");
      // an append before any verification: refused typed, nothing written at a wrapped seq
      AuditException e = assertThrows(AuditException.class, () -> appendN(store, 1));
      assertEquals(AuditException.Reason.STORAGE, e.reason());
      assertFalse(store.verify().valid());
      assertThrows(IllegalStateException.class, () -> store.acknowledgeTampering("x"));
      sql(ds, "DELETE FROM audit_log WHERE seq = 9223372036854775807");
      store.acknowledgeTampering("SEC-17: exported and deleted");
      appendN(store, 1);
      assertTrue(store.verify().valid());
    }
  }
}
