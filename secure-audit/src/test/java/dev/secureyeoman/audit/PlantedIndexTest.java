package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker with file access plants an index on {@code audit_log} whose content does not match its declared column (built
 * on one column, then {@code writable_schema} renames it to another). No entry changes, so every MAC and link still
 * verifies; but SQLite answered filters through the index: {@code query(actor)} no longer saw the attacker's rows.
 * Retention's lookup of the first young entry is fooled the same way, but the delete then trips SQLite's index check
 * and rolls back: young entries survive (that attack held).
 */
class PlantedIndexTest {
  @TempDir Path dir;

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private AuditStore open(Path db) throws AuditException {
    return SqliteAuditStore.open(TestSupport.options(db).clock(clock).build());
  }

  /** Builds an index on {@code realColumn} and declares it as an index on {@code claimedColumn}. */
  private static void plantIndex(Path db, String realColumn, String claimedColumn) throws Exception {
    try (Connection c = TestSupport.attacker(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE INDEX planted ON audit_log(" + realColumn + ")");
      st.execute("PRAGMA writable_schema = ON");
      st.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX planted ON audit_log(" + claimedColumn + ")'"
          + " WHERE name = 'planted'");
      st.execute("PRAGMA writable_schema = OFF");
    }
  }

  @Test
  void query_indexPlantedUnderTheActorColumn_stillReturnsTheAttackersRows() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = open(db)) {
      for (String actor : List.of("alice", "bob", "mallory", "carol")) {
        s.append(AuditEvent.builder("login").actor(actor).message("signed in").build());
      }
    }
    plantIndex(db, "event", "actor");
    try (AuditStore s = open(db)) {
      assertTrue(s.verify().valid(), "no entry was changed");
      List<AuditEntry> hits = s.query(AuditQuery.builder().actor("mallory").build());
      assertEquals(1, hits.size(), "the filter must see every stored row");
      assertEquals(3, hits.get(0).seq());
      assertEquals(1, s.query(AuditQuery.builder().event("login").actor("alice").build()).size());
    }
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      assertEquals(1, r.query(AuditQuery.builder().actor("mallory").build()).size());
    }
  }

  @Test
  void retention_indexPlantedUnderTheTsColumn_stillKeepsYoungEntries() throws Exception {
    Path db = dir.resolve("retention.db");
    try (AuditStore s = open(db)) {
      TestSupport.appendN(s, 3, "old-");
      clock.advance(Duration.ofDays(100));
      TestSupport.appendN(s, 4, "young-");
    }
    plantIndex(db, "key_id", "ts"); // every "ts" in the index is 1: nothing looks young
    try (AuditStore s = open(db)) {
      try {
        s.enforceRetention(RetentionPolicy.maxAge(30));
      } catch (AuditException e) {
        // SQLite notices the mismatched index when it deletes (SQLITE_CORRUPT_INDEX): the purge rolls back
        assertEquals(AuditException.Reason.STORAGE, e.reason());
      }
      long young = TestSupport.all(s).stream().filter(e -> e.message().startsWith("young-")).count();
      assertEquals(4, young, "no young entry may be purged");
    }
  }
}
