package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.internal.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private AuditStore open(Path db) throws AuditException {
    return SqliteAuditStore.open(TestSupport.options(db).clock(clock).build());
  }

  private static void appendMany(AuditStore s, int n, String event) throws Exception {
    List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(s.appendAsync(AuditEvent.builder(event).message("entry " + i).put("i", (long) i).build()));
    }
    for (CompletableFuture<AuditEntry> f : fs) {
      f.get();
    }
  }

  @Test
  void byAge_deletesOnlyOldEntries_appendsChainedPurgeEntry_andVerifies() throws Exception {
    Path db = dir.resolve("age.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 50, "old");
      clock.advance(Duration.ofDays(100));
      appendMany(s, 10, "recent");
      AuditEntry headBefore = s.head().orElseThrow();

      long deleted = s.enforceRetention(RetentionPolicy.maxAge(90));

      assertEquals(50, deleted);
      AuditEntry purge = s.head().orElseThrow();
      assertEquals("retention_purge", purge.event());
      assertEquals(AuditLevel.SECURITY, purge.level());
      assertEquals(61, purge.seq());
      assertEquals(headBefore.hash(), purge.prevHash(), "purge entry chained to the previous head");
      assertEquals(1L, purge.metadata().get("first_seq"));
      assertEquals(50L, purge.metadata().get("last_seq"));
      assertEquals(50L, purge.metadata().get("count"));
      assertEquals(Map.of("max_age_days", 90L, "max_entries", 0L), purge.metadata().get("policy"));
      List<AuditEntry> left = s.query(AuditQuery.builder().build());
      assertEquals(51, left.get(0).seq());
      assertEquals(left.get(0).prevHash(), purge.metadata().get("last_deleted_hash"));
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(51, v.firstSeq());
      assertEquals(11, v.entriesChecked());
      assertEquals(0, s.enforceRetention(RetentionPolicy.maxAge(90)), "nothing more to delete: no new purge entry");
      assertEquals(61, s.head().orElseThrow().seq());
    }
  }

  @Test
  void byCount_keepsAtMostMaxEntries_repeatedPurgesStayVerifiable() throws Exception {
    Path db = dir.resolve("count.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 100, "e");
      assertEquals(81, s.enforceRetention(RetentionPolicy.maxEntries(20)));
      assertEquals(20, s.query(AuditQuery.builder().build()).size());
      appendMany(s, 30, "f");
      assertEquals(31, s.enforceRetention(RetentionPolicy.maxEntries(20)));
      assertEquals(20, s.query(AuditQuery.builder().build()).size());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(20, v.entriesChecked());
    }
    try (AuditStore s = open(db)) {
      assertTrue(s.verify().valid(), "verifies after a restart");
    }
  }

  @Test
  void neverDeletesTheHead() throws Exception {
    try (AuditStore s = open(dir.resolve("head.db"))) {
      appendMany(s, 5, "e");
      AuditEntry head = s.head().orElseThrow();
      clock.advance(Duration.ofDays(1000));
      assertEquals(4, s.enforceRetention(new RetentionPolicy(1, 2)));
      List<AuditEntry> left = s.query(AuditQuery.builder().build());
      assertEquals(List.of(head.seq(), head.seq() + 1), left.stream().map(AuditEntry::seq).toList());
      assertTrue(s.verify().valid());
      // only the purge entry and the old head remain; a second purge deletes the old head but never the newest entry
      clock.advance(Duration.ofDays(1000));
      assertEquals(1, s.enforceRetention(new RetentionPolicy(1, 2)));
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void emptyLog_purgesNothing() throws Exception {
    try (AuditStore s = open(dir.resolve("empty.db"))) {
      assertEquals(0, s.enforceRetention(RetentionPolicy.defaults()));
      assertTrue(s.head().isEmpty());
      assertThrows(IllegalArgumentException.class, () -> s.enforceRetention(null));
    }
  }

  @Test
  void deletingMoreRowsBelowTheAnchor_isDetected() throws Exception {
    Path db = dir.resolve("below.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 40, "e");
      s.enforceRetention(RetentionPolicy.maxEntries(30));
      assertTrue(s.verify().valid());
    }
    long firstKept;
    try (AuditStore s = open(db)) {
      firstKept = s.query(AuditQuery.builder().limit(1).build()).get(0).seq();
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq < " + (firstKept + 5));
    try (AuditStore s = open(db)) {
      VerificationResult v = s.verify();
      assertFalse(v.valid());
      assertEquals(Problem.UNANCHORED_START, v.problem().orElseThrow());
      assertEquals(firstKept + 5, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void rewritingThePurgeEntry_toCoverAnExtraDeletion_isDetected() throws Exception {
    Path db = dir.resolve("rewrite.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 40, "e");
      s.enforceRetention(RetentionPolicy.maxEntries(30));
    }
    long purgeSeq;
    long lastSeq;
    Map<String, Object> md;
    try (Connection c = TestSupport.attacker(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, metadata FROM audit_log WHERE event = 'retention_purge'")) {
      purgeSeq = rs.getLong(1);
      md = new LinkedHashMap<>(Json.parseObject(rs.getString(2)));
      lastSeq = (Long) md.get("last_seq");
    }
    // attacker hides 5 more entries and rewrites the anchor to claim they were purged, with the right link hash
    String hashOfNewLast;
    try (Connection c = TestSupport.attacker(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT hex(hash) FROM audit_log WHERE seq = " + (lastSeq + 5))) {
      hashOfNewLast = rs.getString(1).toLowerCase();
    }
    md.put("last_seq", lastSeq + 5);
    md.put("count", (Long) md.get("count") + 5);
    md.put("last_deleted_hash", hashOfNewLast);
    try (Connection c = TestSupport.attacker(db);
        PreparedStatement ps = c.prepareStatement("UPDATE audit_log SET metadata = ? WHERE seq = ?")) {
      ps.setString(1, Json.write(md));
      ps.setLong(2, purgeSeq);
      ps.executeUpdate();
    }
    TestSupport.exec(db, "DELETE FROM audit_log WHERE seq <= " + (lastSeq + 5));
    try (AuditStore s = open(db)) {
      VerificationResult v = s.verify();
      assertFalse(v.valid());
      assertEquals(Problem.ENTRY_ALTERED, v.problem().orElseThrow(), v.summary());
      assertEquals(purgeSeq, v.firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void tamperedLog_isNotPurged_soEvidenceSurvives() throws Exception {
    Path db = dir.resolve("evidence.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 20, "e");
    }
    TestSupport.exec(db, "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 3");
    try (AuditStore s = open(db)) {
      AuditException e =
          assertThrows(AuditException.class, () -> s.enforceRetention(RetentionPolicy.maxEntries(5)));
      assertTrue(e.getMessage().contains("seq 3"), e.getMessage());
      assertEquals(20, s.query(AuditQuery.builder().build()).size(), "nothing deleted");
      assertEquals(3, s.verify().firstBrokenSeq().orElseThrow());
    }
  }

  @Test
  void spaceIsReclaimedAfterPurge() throws Exception {
    // contract since issue 17: the purge returns before reclamation; reclaimSpace() (what AuditMaintenance calls after
    // a purge) returns once the file has shrunk
    Path db = dir.resolve("space.db");
    try (AuditStore s = open(db)) {
      appendMany(s, 3000, "bulk");
      long before = pageCount(db);
      s.enforceRetention(RetentionPolicy.maxEntries(10));
      assertEquals(9, s.search("bulk", 100).size(), "the index no longer holds purged rows");
      long freed = s.reclaimSpace();
      long after = pageCount(db);
      assertTrue(after < before / 2, "pages before " + before + ", after " + after);
      assertEquals(0, freelist(db));
      assertTrue(freed >= 0, "freed " + freed); // the idle writer may have done part or all of it already
      assertEquals(0, s.reclaimSpace(), "nothing left to reclaim");
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void spaceOfAPurge_isReclaimedByClose_withoutReclaimSpace() throws Exception {
    Path db = dir.resolve("close.db");
    long before;
    try (AuditStore s = open(db)) {
      appendMany(s, 3000, "bulk");
      before = pageCount(db);
      s.enforceRetention(RetentionPolicy.maxEntries(10));
    } // e.g. 'audit purge' exits right after the purge: close finishes the deferred reclamation
    long after = pageCount(db);
    assertTrue(after < before / 2, "pages before " + before + ", after " + after);
    assertEquals(0, freelist(db));
    try (AuditStore s = open(db)) {
      assertTrue(s.verify().valid());
      assertEquals(10, s.verify().entriesChecked());
    }
  }

  @Test
  void maintenanceRun_endsWithTheSpaceReclaimed() throws Exception {
    Path db = dir.resolve("maint.db");
    java.util.concurrent.ScheduledExecutorService ses = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try (AuditStore s = open(db)) {
      appendMany(s, 3000, "bulk");
      long before = pageCount(db);
      MaintenanceReport r =
          AuditMaintenance.builder(
                  s, new AuditMaintenanceSettings(RetentionPolicy.maxEntries(10), java.time.Duration.ofHours(1), false, true))
              .scheduler(ses)
              .build()
              .runOnce();
      assertTrue(r.ok(), r.toString());
      assertEquals(2991, r.purged());
      assertTrue(pageCount(db) < before / 2, "pages before " + before + ", after " + pageCount(db));
      assertEquals(0, freelist(db));
    } finally {
      ses.shutdownNow();
    }
  }

  private static long pageCount(Path db) throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA page_count")) {
      return rs.getLong(1);
    }
  }

  private static long freelist(Path db) throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA freelist_count")) {
      return rs.getLong(1);
    }
  }

  @Test
  void policy_validates() {
    assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(0, 1));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.maxAge(0));
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.maxEntries(1));
    assertEquals(new RetentionPolicy(90, 1_000_000), RetentionPolicy.defaults());
  }
}
