package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.audit.internal.PostgresStore;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import dev.secureyeoman.testkit.PostgresServer;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit store on a real PostgreSQL 15 (secure-testkit, one fresh database per test): one chain across two store
 * instances ("nodes"), tampering with SQL detected at the right seq, fail closed, an outage without partial writes.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresAuditStoreTest {
  static final String MISSING =
      "PostgreSQL 15 binaries missing under /usr/lib/postgresql/15/bin (apt-get install postgresql):"
          + " the PostgreSQL audit tests are skipped";

  /** For {@code @EnabledIf}: the binaries are there, or CI must run (and fail loudly) anyway. */
  static boolean available() {
    return PostgresServer.shouldRun();
  }

  static DataSource dataSource(String url, String user, String password) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(user);
    ds.setPassword(password);
    ds.setConnectTimeout(2);
    return ds;
  }

  static DataSource dataSource(PostgresDatabase db) {
    return dataSource(db.jdbcUrl(), db.user(), db.password());
  }

  static AuditStore open(DataSource ds) throws AuditException {
    return PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).open();
  }

  static void sql(DataSource ds, String... statements) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  static long count(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM audit_log")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static AuditEvent event(String actor, int i) {
    return AuditEvent.builder("auth.login.failure").level(AuditLevel.WARN).actor(actor).message("attempt " + i)
        .put("ip", "10.0.0." + (i % 250)).put("n", i).build();
  }

  @Test
  void twoNodes_concurrentAppendsFromEightThreads_oneDenseChainThatVerifies(PostgresDatabase db) throws Exception {
    int threads = 4;
    int perThread = 60;
    ExecutorService pool = Executors.newFixedThreadPool(2 * threads);
    try (AuditStore a = open(dataSource(db));
        AuditStore b = open(dataSource(db))) {
      assertEquals(a.logId(), b.logId(), "both nodes opened the same log");
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 2 * threads; t++) {
        AuditStore node = t % 2 == 0 ? a : b;
        String actor = (t % 2 == 0 ? "node-a-" : "node-b-") + t;
        done.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    if (i % 3 == 0) {
                      node.append(event(actor, i));
                    } else {
                      fs.add(node.appendAsync(event(actor, i)));
                    }
                  }
                  for (CompletableFuture<AuditEntry> f : fs) {
                    f.get();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      int total = 2 * threads * perThread;
      VerificationResult r = a.verify();
      assertTrue(r.valid(), r::summary);
      assertEquals(total, r.entriesChecked());
      assertEquals(1, r.firstSeq());
      assertEquals(total, r.headSeq());
      assertTrue(b.verify().valid());
      // dense seqs, every entry exactly once, entries of both nodes in the one chain
      List<AuditEntry> all = new ArrayList<>();
      long after = 0;
      while (true) {
        List<AuditEntry> page = a.query(AuditQuery.builder().afterSeq(after).limit(100).build());
        if (page.isEmpty()) {
          break;
        }
        all.addAll(page);
        after = page.get(page.size() - 1).seq();
      }
      assertEquals(total, all.size());
      Set<String> actors = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).seq());
        if (i > 0) {
          assertEquals(all.get(i - 1).hash(), all.get(i).prevHash());
        }
        actors.add(all.get(i).actor());
      }
      assertEquals(2 * threads, actors.size());
      assertEquals(total, count(dataSource(db)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void messageUpdatedWithSql_verifyReportsThatSeq_storeFailsClosedUntilAcknowledged(PostgresDatabase db)
      throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore s = open(ds)) {
      for (int i = 0; i < 10; i++) {
        s.append(event("alice", i));
      }
      assertTrue(s.verify().valid());
      assertTrue(s.tamperingDetected().isEmpty());

      sql(ds, "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 4");
      VerificationResult r = s.verify();
      assertFalse(r.valid());
      assertEquals(4, r.firstBrokenSeq().orElseThrow());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
      assertEquals(3, r.entriesChecked());

      // fail closed, on every node: appends refused and nothing written
      assertEquals(4, s.tamperingDetected().orElseThrow().firstBrokenSeq().orElseThrow());
      AuditException refused = assertThrows(AuditException.class, () -> s.append(event("mallory", 1)));
      assertEquals(Reason.TAMPERED, refused.reason());
      try (AuditStore other = open(ds)) {
        assertEquals(Reason.TAMPERED, assertThrows(AuditException.class, () -> other.append(event("x", 1))).reason());
      }
      assertEquals(10, count(ds));

      AuditEntry ack = s.acknowledgeTampering("INC-42 investigated");
      assertEquals(11, ack.seq());
      assertEquals("audit.tampering_acknowledged", ack.event());
      assertEquals("INC-42 investigated", ack.metadata().get("reason"));
      assertEquals(4L, ack.metadata().get("first_broken_seq"));
      assertEquals("ENTRY_ALTERED", ack.metadata().get("problem"));
      assertEquals(12, s.append(event("alice", 11)).seq());
      // the evidence stays: verification still names seq 4, and that acknowledged failure does not block again
      assertEquals(4, s.verify().firstBrokenSeq().orElseThrow());
      assertTrue(s.tamperingDetected().isEmpty());
      assertThrows(IllegalStateException.class, () -> s.acknowledgeTampering("again"));
      assertThrows(IllegalArgumentException.class, () -> s.acknowledgeTampering(" "));
    }
  }

  @Test
  void otherSqlAttacks_eachReportedAtItsSeq(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    String[][] attacks = {
      {"DELETE FROM audit_log WHERE seq = 5", "5", "SEQUENCE_GAP"},
      {"DELETE FROM audit_log WHERE seq = 1", "2", "UNANCHORED_START"},
      {"UPDATE audit_log SET key_id = 9 WHERE seq = 3", "3", "UNKNOWN_KEY"},
      {"UPDATE audit_log SET metadata = 'not json' WHERE seq = 2", "2", "MALFORMED_ENTRY"},
      {"UPDATE audit_log SET prev_hash = hash WHERE seq = 6", "6", "ENTRY_ALTERED"},
      {"UPDATE audit_log SET ts = ts + 1 WHERE seq = 8", "8", "ENTRY_ALTERED"},
      {"ALTER TABLE audit_log ALTER COLUMN ts TYPE text", "1", "STORAGE_TYPE_ALTERED"},
      {"UPDATE audit_meta SET value = '00000000000000000000000000000000' WHERE name = 'log_id'", "1", "ENTRY_ALTERED"},
    };
    for (String[] attack : attacks) {
      sql(ds, "DROP TABLE IF EXISTS audit_log", "DROP TABLE IF EXISTS audit_meta");
      try (AuditStore s = open(ds)) {
        for (int i = 0; i < 8; i++) {
          s.append(event("alice", i));
        }
        sql(ds, attack[0]);
        VerificationResult r = s.verify();
        assertFalse(r.valid(), attack[0]);
        assertEquals(Long.parseLong(attack[1]), r.firstBrokenSeq().orElseThrow(), attack[0] + ": " + r.summary());
        assertEquals(Problem.valueOf(attack[2]), r.problem().orElseThrow(), attack[0] + ": " + r.summary());
      }
    }
  }

  @Test
  void wrongKeyOrOtherLog_reported(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    String id;
    try (AuditStore s = open(ds)) {
      s.append(event("alice", 1));
      id = s.logId().orElseThrow();
    }
    try (AuditStore wrong = PostgresAuditStore.builder(ds).macKey(TestSupport.key(2)).open()) {
      VerificationResult r = wrong.verify(VerifyOptions.defaults().withoutCheckpoints());
      assertEquals(Problem.ENTRY_ALTERED, r.problem().orElseThrow());
      assertEquals(1, r.firstBrokenSeq().orElseThrow());
    }
    try (AuditStore s = open(ds)) {
      // the wrong-key store's failed verification did not lock the log of the right key (PostgresAttackTest)
      assertTrue(s.tamperingDetected().isEmpty());
      assertEquals(id, s.logId().orElseThrow());
      assertTrue(s.verify(VerifyOptions.defaults().withExpectedLogId(id)).valid());
      VerificationResult other = s.verify(VerifyOptions.defaults().withExpectedLogId("0".repeat(32)));
      assertEquals(Problem.LOG_ID_MISMATCH, other.problem().orElseThrow());
    }
  }

  @Test
  void randomEvents_roundTripAndVerify_queryFilters_searchEscapesOperators_export(PostgresDatabase db)
      throws Exception {
    DataSource ds = dataSource(db);
    TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    Random r = new Random(0x5EED18);
    try (AuditStore s = PostgresAuditStore.builder(ds).macKey(TestSupport.key(1)).clock(clock).maxBatchSize(7)
        .queueCapacity(1000).open()) {
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        fs.add(s.appendAsync(TestSupport.randomEvent(r)));
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get();
      }
      clock.advance(java.time.Duration.ofHours(1));
      AuditEntry marked =
          s.append(AuditEvent.builder("sandbox.escape").level(AuditLevel.SECURITY).actor("bob").correlationId("req-7")
              .message("blocked write to /etc/passwd & friends").put("path", "/etc/passwd").build());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v::summary);
      assertEquals(61, v.entriesChecked());
      assertEquals(marked, s.head().orElseThrow());
      // entries read back equal what append returned (metadata types included)
      for (int i = 0; i < fs.size(); i++) {
        AuditEntry e = fs.get(i).get();
        assertEquals(e, s.query(AuditQuery.builder().afterSeq(e.seq() - 1).limit(1).build()).get(0));
      }
      assertEquals(
          List.of(marked),
          s.query(AuditQuery.builder().minLevel(AuditLevel.SECURITY).event("sandbox.escape").actor("bob")
              .from(clock.instant()).to(clock.instant().plusSeconds(1)).limit(10).build()));

      assertEquals(List.of(marked), s.search("blocked friends", 10));
      assertEquals(List.of(), s.search("blocked nowhere", 10));
      for (String hostile : List.of("a & b | !c", "passwd:*", "'", "\"", "(", "<->", "friends & ", "\u0000", "   ")) {
        s.search(hostile, 5); // never a tsquery syntax error
      }
      assertEquals(List.of(marked), s.search("& friends", 5));
      assertThrows(IllegalArgumentException.class, () -> s.search("x".repeat(1001), 5));
      assertThrows(IllegalArgumentException.class, () -> s.search("x", 0));
      // 32 words are searched; a 33rd word the entry lacks is refused, never dropped (the entry would be returned)
      String thirtyTwo = "blocked " + "& ".repeat(30) + "friends";
      assertEquals(List.of(marked), s.search(thirtyTwo, 5));
      IllegalArgumentException tooMany =
          assertThrows(IllegalArgumentException.class, () -> s.search(thirtyTwo + " nowhere", 5));
      assertEquals("search text must have at most 32 words, got 33", tooMany.getMessage());

      StringWriter out = new StringWriter();
      assertEquals(61, s.exportJsonl(out));
      assertEquals(61, out.toString().lines().count());
    }
  }

  @Test
  void notYetOnPostgres_typedRefusals_reservedNamesAndNul_closed(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    AuditStore s = open(ds);
    assertFalse(s.checkpointsConfigured());
    assertThrows(IllegalStateException.class, s::checkpoint, "no sink configured");
    assertThrows(IllegalStateException.class, s::startCheckpoints);
    assertTrue(s.verify(VerifyOptions.defaults().sinceCheckpoint()).valid(), "no checkpoint: a full verification");
    assertTrue(s.reclaimSpace() >= 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> s.append(AuditEvent.builder("audit.key_rotated").actor("x").build()));
    assertThrows(
        IllegalArgumentException.class,
        () -> s.append(AuditEvent.builder("app.x").actor("a\u0000b").build()));
    s.append(AuditEvent.builder("app.x").actor("a").put("nul", "a\u0000b").build()); // escaped inside JSON text
    assertTrue(s.verify().valid());
    assertTrue(s.toString().contains(s.logId().orElseThrow()));
    s.close();
    s.close();
    assertEquals(Reason.CLOSED, assertThrows(AuditException.class, () -> s.append(event("a", 1))).reason());
    assertEquals(Reason.CLOSED, assertThrows(AuditException.class, s::head).reason());
    assertEquals(Reason.CLOSED, assertThrows(AuditException.class, s::verify).reason());
    assertThrows(IllegalStateException.class, () -> PostgresAuditStore.builder(ds).open());

    sql(ds, "UPDATE audit_meta SET value = '2' WHERE name = 'schema_version'");
    assertEquals(Reason.UNSUPPORTED_SCHEMA, assertThrows(AuditException.class, () -> open(ds)).reason());
  }

  @Test
  void serverStopped_appendFailsTyped_nothingPartial_worksAgainAfterRestart() throws Exception {
    try (PostgresServer server = PostgresServer.start()) {
      PostgresDatabase db = server.createDatabase();
      DataSource ds = dataSource(db);
      try (AuditStore s = open(ds)) {
        for (int i = 0; i < 5; i++) {
          s.append(event("alice", i));
        }
        server.stop();
        AuditException down = assertThrows(AuditException.class, () -> s.append(event("alice", 5)));
        assertEquals(Reason.STORAGE, down.reason());
        if (!db.password().isEmpty()) {
          assertFalse(String.valueOf(down.getMessage()).contains(db.password()));
        }
        List<CompletableFuture<AuditEntry>> group = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          group.add(s.appendAsync(event("bob", i)));
        }
        for (CompletableFuture<AuditEntry> f : group) {
          assertThrows(java.util.concurrent.ExecutionException.class, f::get);
        }
        assertEquals(Reason.STORAGE, assertThrows(AuditException.class, s::verify).reason());

        server.restart();
        assertEquals(5, count(ds), "no failed append left a row");
        assertEquals(6, s.append(event("alice", 6)).seq());
        VerificationResult r = s.verify();
        assertTrue(r.valid(), r::summary);
        assertEquals(6, r.headSeq());
      }
      server.stop();
      assertEquals(
          Reason.STORAGE,
          assertThrows(AuditException.class, () -> open(ds)).reason(),
          "a store opened while the server is down fails typed");
    }
  }

  @Test
  void writeLockKey_isNotSecureAuthsKey() {
    assertFalse(PostgresStore.WRITE_LOCK_KEY == 0x5359617574683138L);
  }
}
