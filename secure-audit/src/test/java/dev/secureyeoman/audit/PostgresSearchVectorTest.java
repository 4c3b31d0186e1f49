package dev.secureyeoman.audit;

import static dev.secureyeoman.audit.PostgresAuditStoreTest.count;
import static dev.secureyeoman.audit.PostgresAuditStoreTest.dataSource;
import static dev.secureyeoman.audit.PostgresAuditStoreTest.open;
import static dev.secureyeoman.audit.PostgresAuditStoreTest.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema 2's stored search vector ({@code fts}, computed before the write lock): search finds what every node appended,
 * a vector that disagrees with its row is reported by verify, and a schema-1 log is migrated on open.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresSearchVectorTest {

  private static AuditEvent marked(String node, int i) {
    return AuditEvent.builder("sandbox.denied").level(AuditLevel.WARN).actor("svc-" + node)
        .message("Blocked by Policy-" + node + " attempt " + i).put("node", node).build();
  }

  @Test
  void threeNodes_concurrentGroups_searchFindsEachNodesEntries(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore a = open(ds);
        AuditStore b = open(ds);
        AuditStore c = open(ds)) {
      AuditStore[] nodes = {a, b, c};
      String[] names = {"alpha", "bravo", "charlie"};
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        for (int n = 0; n < 3; n++) {
          fs.add(nodes[n].appendAsync(marked(names[n], i)));
        }
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int n = 0; n < 3; n++) {
        // searched from another node than the writer; case-folded like the 'simple' configuration
        List<AuditEntry> hits = nodes[(n + 1) % 3].search("policy-" + names[n].toUpperCase(java.util.Locale.ROOT), 500);
        assertEquals(40, hits.size(), names[n]);
        for (AuditEntry e : hits) {
          assertEquals("svc-" + names[n], e.actor());
        }
        // a metadata value is searchable too
        assertEquals(40, a.search(names[n] + " blocked", 500).size());
      }
      assertEquals(120, count(ds));
      assertTrue(b.verify().valid());
    }
  }

  @Test
  void storedVectorDisagreesWithRow_verifyReportsThatSeq(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore s = open(ds)) {
      for (int i = 0; i < 6; i++) {
        s.append(marked("delta", i));
      }
      assertTrue(s.verify().valid());
      // a writer with database access hides entry 4 from search: its MAC still matches its bytes
      sql(ds, "UPDATE audit_log SET fts = to_tsvector('simple', 'nothing here') WHERE seq = 4");
      assertEquals(5, s.search("delta", 50).size());
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, r.problem().orElseThrow());
      assertEquals(4, r.firstBrokenSeq().orElseThrow());
      assertTrue(r.detail().contains("search vector"), r.detail());
    }
  }

  @Test
  void ftsColumnRetyped_verifyReportsIt(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore s = open(ds)) {
      s.append(marked("echo", 1));
      sql(ds, "DROP INDEX audit_log_fts", "ALTER TABLE audit_log ALTER COLUMN fts TYPE text USING fts::text");
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(Problem.STORAGE_TYPE_ALTERED, r.problem().orElseThrow());
      assertTrue(r.detail().contains("fts"), r.detail());
    }
  }

  @Test
  void schemaOneLog_migratedOnOpen_oldEntriesSearchableAndVerified(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore s = open(ds)) {
      for (int i = 0; i < 5; i++) {
        s.append(marked("foxtrot", i));
      }
    }
    // turn the database into what schema 1 created: no fts column, the GIN index on the expression
    sql(ds,
        "DROP INDEX audit_log_fts",
        "ALTER TABLE audit_log DROP COLUMN fts",
        "CREATE INDEX audit_log_fts ON audit_log USING GIN (to_tsvector('simple', event || ' ' || actor || ' '"
            + " || message || ' ' || metadata))",
        "UPDATE audit_meta SET value = '1' WHERE name = 'schema_version'");
    try (AuditStore s = open(ds)) {
      assertEquals(5, s.search("policy-foxtrot", 50).size());
      s.append(marked("foxtrot", 5));
      assertEquals(6, s.search("foxtrot", 50).size());
      assertTrue(s.verify().valid());
    }
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT value FROM audit_meta WHERE name = 'schema_version'")) {
        assertTrue(rs.next());
        assertEquals("2", rs.getString(1));
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_log' AND indexname = 'audit_log_fts'"
                  + " AND indexdef LIKE '%(fts)%'")) {
        rs.next();
        assertEquals(1, rs.getLong(1));
      }
    }
    // reopening a migrated log changes nothing
    try (AuditStore s = open(ds)) {
      assertEquals(6, s.search("foxtrot", 50).size());
    }
    assertEquals(6, count(ds));
  }
}
