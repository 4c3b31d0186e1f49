package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PostgresAuditStore.Builder#openReadOnly()}: reads, verifies, never writes — proven with a SELECT-only role. */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresReaderTest {

  @Test
  void selectOnlyRole_readsVerifiesSearchesExports_tamperingReportedButNothingRecorded(PostgresDatabase db)
      throws Exception {
    DataSource owner = PostgresAuditStoreTest.dataSource(db);
    assertEquals(
        Reason.NOT_FOUND,
        assertThrows(AuditException.class, () -> PostgresAuditStore.builder(owner).macKey(TestSupport.key(1))
            .openReadOnly()).reason());
    try (AuditStore s = PostgresAuditStoreTest.open(owner)) {
      for (int i = 0; i < 6; i++) {
        s.append(PostgresAuditStoreTest.event("alice", i));
      }
    }
    String role = "audit_ro_" + Long.toHexString(System.nanoTime());
    PostgresAuditStoreTest.sql(
        owner, "CREATE ROLE " + role + " LOGIN", "GRANT SELECT ON audit_log, audit_meta TO " + role);
    DataSource readOnly = PostgresAuditStoreTest.dataSource(db.jdbcUrl(), role, "");
    try (AuditReader r = PostgresAuditStore.builder(readOnly).macKey(TestSupport.key(1)).openReadOnly()) {
      assertFalse(r instanceof AuditStore, "a reader cannot be cast to a writer");
      assertEquals(6, r.head().orElseThrow().seq());
      assertTrue(r.verify().valid());
      assertEquals(6, r.query(AuditQuery.builder().limit(10).build()).size());
      assertEquals(1, r.search("attempt 3", 10).size());
      StringWriter out = new StringWriter();
      assertEquals(6, r.exportJsonl(out));
      PostgresAuditStoreTest.sql(owner, "UPDATE audit_log SET actor = 'eve' WHERE seq = 3");
      VerificationResult v = r.verify();
      assertEquals(3, v.firstBrokenSeq().orElseThrow());
      assertTrue(r.toString().startsWith("PostgresAuditReader"));
      r.close();
      assertEquals(Reason.CLOSED, assertThrows(AuditException.class, r::head).reason());
    }
    try (AuditStore s = PostgresAuditStoreTest.open(owner)) {
      assertTrue(s.tamperingDetected().isEmpty(), "the reader recorded nothing (its role could not have)");
    }
    PostgresAuditStoreTest.sql(owner, "UPDATE audit_meta SET value = '9' WHERE name = 'schema_version'");
    assertEquals(
        Reason.UNSUPPORTED_SCHEMA,
        assertThrows(AuditException.class, () -> PostgresAuditStore.builder(readOnly).macKey(TestSupport.key(1))
            .openReadOnly()).reason());
  }

  /**
   * A node's role with DML grants only (not the owner, no CREATE on the schema) opens the existing log and appends,
   * purges and records like the owner: opening runs no DDL once the tables exist. A deleted {@code log_id} record is
   * damaged metadata ({@link Reason#UNSUPPORTED_SCHEMA}) for both openers, nothing written.
   */
  @Test
  void dmlOnlyRole_opensAndAppends_noDdl_deletedLogIdIsUnsupportedSchema(PostgresDatabase db) throws Exception {
    DataSource owner = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStoreTest.open(owner)) {
      s.append(PostgresAuditStoreTest.event("alice", 0));
    }
    String role = "audit_node_" + Long.toHexString(System.nanoTime());
    PostgresAuditStoreTest.sql(
        owner, "CREATE ROLE " + role + " LOGIN", "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON audit_log, audit_meta TO " + role);
    DataSource node = PostgresAuditStoreTest.dataSource(db.jdbcUrl(), role, "");
    try (AuditStore s = PostgresAuditStore.builder(node).macKey(TestSupport.key(1)).open()) {
      assertEquals(2, s.append(PostgresAuditStoreTest.event("bob", 1)).seq());
      assertTrue(s.verify().valid());
    }
    PostgresAuditStoreTest.sql(owner, "DELETE FROM audit_meta WHERE name = 'log_id'");
    assertEquals(
        Reason.UNSUPPORTED_SCHEMA,
        assertThrows(AuditException.class, () -> PostgresAuditStore.builder(node).macKey(TestSupport.key(1))
            .openReadOnly()).reason());
    assertEquals(
        Reason.UNSUPPORTED_SCHEMA,
        assertThrows(AuditException.class, () -> PostgresAuditStoreTest.open(owner)).reason());
    try (java.sql.Connection c = owner.getConnection();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM audit_log")) {
      rs.next();
      assertEquals(2, rs.getInt(1), "nothing written");
    }
  }
}
