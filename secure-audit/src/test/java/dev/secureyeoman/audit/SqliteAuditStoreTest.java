package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditStoreTest {
  @TempDir Path dir;

  @Test
  void append_returnsChainedEntries_andReadsBackExactly() throws Exception {
    TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(dir.resolve("a.db")).clock(clock).build())) {
      AuditEvent ev =
          AuditEvent.builder("auth.login.success")
              .actor("alice")
              .message("login ok")
              .put("ip", "127.0.0.1")
              .put("nested", Map.of("list", List.of(1, 2.5, "x")))
              .correlationId("req-1")
              .build();
      AuditEntry a = s.append(ev);
      clock.advance(Duration.ofSeconds(1));
      AuditEntry b = s.append(AuditEvent.builder("x").build());
      assertEquals(1, a.seq());
      assertEquals(2, b.seq());
      assertEquals("0".repeat(64), a.prevHash());
      assertEquals(a.hash(), b.prevHash());
      assertEquals(Instant.parse("2026-01-01T00:00:00Z"), a.timestamp());
      assertEquals(a, s.query(AuditQuery.builder().limit(1).build()).get(0));
      assertEquals(Optional.of(b), s.head());
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void files_areCreatedOwnerOnly() throws Exception {
    Path db = dir.resolve("sub/dir/audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("x").build());
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        Path p = db.resolveSibling("audit.db" + suffix);
        assertTrue(Files.exists(p), p.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
      }
      for (Path d : new Path[] {dir.resolve("sub"), dir.resolve("sub/dir")}) {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
      }
      try (Connection c = TestSupport.attacker(db);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
        assertEquals("wal", rs.getString(1));
      }
    }
  }

  @Test
  void existingLooseFile_isTightened() throws Exception {
    Path db = dir.resolve("loose.db");
    Files.createFile(db, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-rw-"));
    try (AuditStore s = TestSupport.open(db)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
    }
  }

  @Test
  void reopen_continuesTheChain() throws Exception {
    Path db = dir.resolve("r.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("one").build());
    }
    try (AuditStore s = TestSupport.open(db)) {
      AuditEntry e = s.append(AuditEvent.builder("two").build());
      assertEquals(2, e.seq());
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void reservedEvents_areRefused_soNobodyCanForgeAnAnchor() throws Exception {
    try (AuditStore s = TestSupport.open(dir.resolve("x.db"))) {
      assertThrows(
          IllegalArgumentException.class,
          () -> s.append(AuditEvent.builder("retention_purge").put("last_seq", 5L).build()));
      assertThrows(IllegalArgumentException.class, () -> s.append(AuditEvent.builder("audit.key_rotated").build()));
      assertThrows(IllegalArgumentException.class, () -> s.appendAsync(null));
      s.append(AuditEvent.builder("retention_purge_report").build());
    }
  }

  @Test
  void closedStore_refusesWork_andCloseIsIdempotent() throws Exception {
    AuditStore s = TestSupport.open(dir.resolve("c.db"));
    s.append(AuditEvent.builder("x").build());
    s.close();
    s.close();
    assertThrows(AuditException.class, () -> s.append(AuditEvent.builder("y").build()));
    CompletableFuture<AuditEntry> f = s.appendAsync(AuditEvent.builder("y").build());
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertTrue(e.getCause() instanceof AuditException);
    assertThrows(AuditException.class, s::verify);
    assertThrows(AuditException.class, s::head);
    assertTrue(s.toString().contains("closed"));
  }

  @Test
  void appendOnlyTrigger_blocksCasualUpdates() throws Exception {
    Path db = dir.resolve("t.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("x").build());
    }
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      java.sql.SQLException e =
          assertThrows(java.sql.SQLException.class, () -> st.execute("UPDATE audit_log SET message = 'x'"));
      assertTrue(e.getMessage().contains("append-only"));
    }
  }

  @Test
  void query_filtersAndPages() throws Exception {
    TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(dir.resolve("q.db")).clock(clock).build())) {
      for (int i = 0; i < 30; i++) {
        s.append(
            AuditEvent.builder(i % 2 == 0 ? "even" : "odd")
                .level(i % 3 == 0 ? AuditLevel.WARN : AuditLevel.INFO)
                .actor("u" + (i % 5))
                .build());
        clock.advance(Duration.ofMinutes(1));
      }
      assertEquals(15, s.query(AuditQuery.builder().event("even").build()).size());
      assertEquals(10, s.query(AuditQuery.builder().minLevel(AuditLevel.WARN).build()).size());
      assertEquals(6, s.query(AuditQuery.builder().actor("u0").build()).size());
      List<AuditEntry> window =
          s.query(
              AuditQuery.builder()
                  .from(Instant.parse("2026-01-01T00:10:00Z"))
                  .to(Instant.parse("2026-01-01T00:20:00Z"))
                  .build());
      assertEquals(10, window.size());
      assertEquals(11, window.get(0).seq());
      List<AuditEntry> page1 = s.query(AuditQuery.builder().limit(7).build());
      List<AuditEntry> page2 = s.query(AuditQuery.builder().afterSeq(page1.get(6).seq()).limit(7).build());
      assertEquals(8, page2.get(0).seq());
      assertThrows(IllegalArgumentException.class, () -> AuditQuery.builder().limit(0).build());
      assertThrows(IllegalArgumentException.class, () -> AuditQuery.builder().afterSeq(-1).build());
    }
  }

  @Test
  void exportJsonl_writesOneParsableLinePerEntry() throws Exception {
    try (AuditStore s = TestSupport.open(dir.resolve("e.db"))) {
      Random r = new Random(7);
      for (int i = 0; i < 20; i++) {
        s.append(TestSupport.randomEvent(r));
      }
      StringWriter w = new StringWriter();
      assertEquals(20, s.exportJsonl(w));
      String[] lines = w.toString().split("\n");
      assertEquals(20, lines.length);
      List<AuditEntry> all = s.query(AuditQuery.builder().build());
      for (int i = 0; i < 20; i++) {
        Map<String, Object> m = AuditJson.parseObject(lines[i]);
        assertEquals(all.get(i).seq(), m.get("seq"));
        assertEquals(all.get(i).hash(), m.get("hash"));
        assertEquals(all.get(i).metadata(), m.get("metadata"));
      }
    }
  }

  @Test
  void newerSchema_isRefused() throws Exception {
    Path db = dir.resolve("v.db");
    try (AuditStore s = TestSupport.open(db)) {
      s.append(AuditEvent.builder("x").build());
    }
    TestSupport.exec(db, "PRAGMA user_version = 99");
    AuditException e = assertThrows(AuditException.class, () -> TestSupport.open(db));
    assertTrue(e.getMessage().contains("99"), e.getMessage());
  }

  @Test
  void fullTextSearch_canBeTurnedOffAndBackOn() throws Exception {
    Path db = dir.resolve("f.db");
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(db).fullTextSearch(false).build())) {
      s.append(AuditEvent.builder("x").message("findme later").build());
      assertThrows(IllegalStateException.class, () -> s.search("findme", 10));
    }
    try (AuditStore s = TestSupport.open(db)) {
      assertEquals(1, s.search("findme", 10).size(), "index rebuilt from existing rows");
    }
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(db).fullTextSearch(false).build())) {
      assertTrue(s.verify().valid());
    }
  }

  @Test
  void options_validate() {
    Path db = dir.resolve("o.db");
    assertThrows(IllegalStateException.class, () -> AuditStoreOptions.builder(db).build());
    assertThrows(IllegalArgumentException.class, () -> AuditStoreOptions.builder(null));
    assertThrows(IllegalStateException.class, () -> TestSupport.options(db).macKey(TestSupport.key(2)));
    assertThrows(IllegalArgumentException.class, () -> TestSupport.options(db).maxBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> TestSupport.options(db).maxBatchDelay(Duration.ofSeconds(5)));
    assertThrows(IllegalArgumentException.class, () -> TestSupport.options(db).queueCapacity(0));
    assertThrows(IllegalArgumentException.class, () -> TestSupport.options(db).busyTimeout(Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> TestSupport.options(db).origin("has space"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditStoreOptions.builder(db).macKey(dev.secureyeoman.core.SecretBytes.copyOf(new byte[16])));
    AuditStoreOptions o =
        TestSupport.options(db).maxBatchSize(10).maxBatchDelay(Duration.ofMillis(1)).queueCapacity(5).origin("o").build();
    assertEquals(10, o.maxBatchSize());
    assertFalse(o.toString().contains("keyBytes"));
    assertTrue(o.keyring().toString().contains("██"));
  }

  @Test
  void lingeringWriter_stillCommitsEverything() throws Exception {
    try (AuditStore s =
        SqliteAuditStore.open(
            TestSupport.options(dir.resolve("l.db")).maxBatchDelay(Duration.ofMillis(2)).maxBatchSize(4).build())) {
      List<CompletableFuture<AuditEntry>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        fs.add(s.appendAsync(AuditEvent.builder("x").build()));
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get();
      }
      assertEquals(50, s.verify().entriesChecked());
    }
  }
}
