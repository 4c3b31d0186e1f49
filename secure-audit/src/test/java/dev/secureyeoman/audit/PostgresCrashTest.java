package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.testkit.ChildJvm;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import dev.secureyeoman.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Crash acceptance of issue 18 on a real PostgreSQL 15: a node (child JVM, {@link PostgresCrashChild}) SIGKILLed while
 * it appends — alone, or while two other nodes keep appending to the same chain — and the PostgreSQL server itself
 * SIGKILLed mid-appends. Afterwards a fresh store verifies the chain (dense seqs, every MAC and link: no gap, no fork)
 * and every acknowledged entry is stored under the seq its append returned.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PostgresCrashTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Pattern ACK = Pattern.compile("^OK (\\d+) (\\S+) END$", Pattern.MULTILINE);

  private static ChildJvm node(PostgresDatabase db, String id) {
    ChildJvm child =
        ChildJvm.builder(PostgresCrashChild.class)
            .jvmOptions("-Xmx128m", "-XX:TieredStopAtLevel=1")
            .env("AUDIT_PG_PASSWORD", db.password())
            .args(db.jdbcUrl(), db.user(), id)
            .start();
    child.awaitStdout(Pattern.compile("^READY " + id + "$"), WAIT);
    return child;
  }

  /** The appends a child acknowledged in this output: seq → message (a line cut off by the kill is not counted). */
  private static Map<Long, String> acks(String stdout) {
    Map<Long, String> m = new HashMap<>();
    var matcher = ACK.matcher(stdout);
    while (matcher.find()) {
      String previous = m.put(Long.parseLong(matcher.group(1)), matcher.group(2));
      assertNull(previous, "two acknowledged appends got seq " + matcher.group(1));
    }
    return m;
  }

  /** Waits (no timing asserted) until the child acknowledged at least {@code n} appends, failing on a FAIL line. */
  private static void awaitAcks(ChildJvm child, int n) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String out = child.stdout();
      assertFalse(out.contains("FAIL"), () -> child + " failed an append: " + out + child.stderr());
      if (acks(out).size() >= n) {
        return;
      }
      assertTrue(child.isAlive(), () -> child + " exited: " + out + child.stderr());
      assertTrue(System.nanoTime() < deadline, () -> child + " acknowledged fewer than " + n + " appends: " + out);
      LockSupport.parkNanos(2_000_000);
    }
  }

  private static ChildJvm.Result sigkill(ChildJvm child) {
    ChildJvm.Result r = child.kill();
    assertEquals(137, r.exitCode(), "killed by SIGKILL");
    return r;
  }

  /** Every row of the log, read with SQL: seq → message. */
  private static Map<Long, String> rows(DataSource ds) throws Exception {
    Map<Long, String> m = new HashMap<>();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq, message FROM audit_log")) {
      while (rs.next()) {
        m.put(rs.getLong(1), rs.getString(2));
      }
    }
    return m;
  }

  /**
   * A fresh store verifies the whole chain; rows are exactly seqs 1..head (no gap, no duplicate message, i.e. no
   * fork); every acknowledged append is stored with its message under its seq.
   */
  private static void assertIntact(DataSource ds, Map<Long, String> acknowledged, String what) throws Exception {
    try (AuditStore fresh = PostgresAuditStoreTest.open(ds)) {
      VerificationResult v = fresh.verify();
      assertTrue(v.valid(), () -> what + ": " + v.summary());
      Map<Long, String> stored = rows(ds);
      assertEquals(stored.size(), v.entriesChecked(), what + ": every row is in the verified chain");
      assertEquals(stored.size(), v.headSeq(), what + ": dense seqs 1..head");
      assertEquals(stored.size(), new HashSet<>(stored.values()).size(), what + ": no entry written twice");
      for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
        assertEquals(a.getValue(), stored.get(a.getKey()), what + ": acknowledged append seq " + a.getKey());
      }
    }
  }

  @Test
  void nodeSigkilledMidAppends_noAcknowledgedEntryLost_chainVerifies(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    Random random = new Random(0x18C0DE);
    Map<Long, String> acknowledged = new HashMap<>();
    for (int trial = 0; trial < 3; trial++) {
      try (ChildJvm child = node(db, "t" + trial)) {
        awaitAcks(child, 1 + random.nextInt(300)); // a random point in the append stream
        Map<Long, String> seen = acks(sigkill(child).stdout());
        assertTrue(seen.keySet().stream().noneMatch(acknowledged::containsKey), "a seq acknowledged twice");
        acknowledged.putAll(seen);
      }
      assertIntact(ds, acknowledged, "after trial " + trial);
    }
    assertTrue(acknowledged.size() >= 3, "children acknowledged appends: " + acknowledged.size());
  }

  @Test
  void oneOfThreeConcurrentNodesSigkilled_othersContinueTheOneChain_nothingAcknowledgedLost(PostgresDatabase db)
      throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    Map<Long, String> acknowledged = new HashMap<>();
    List<ChildJvm> nodes = new ArrayList<>();
    try {
      for (String id : List.of("n1", "n2", "n3")) {
        nodes.add(node(db, id));
      }
      for (ChildJvm n : nodes) {
        awaitAcks(n, 50); // all three are appending concurrently
      }
      ChildJvm victim = nodes.get(1);
      acknowledged.putAll(acks(sigkill(victim).stdout()));
      // the victim may have died holding the advisory lock mid-transaction: its session ends, the lock with it, and the
      // survivors keep appending to the same chain
      int before0 = acks(nodes.get(0).stdout()).size();
      int before2 = acks(nodes.get(2).stdout()).size();
      awaitAcks(nodes.get(0), before0 + 50);
      awaitAcks(nodes.get(2), before2 + 50);
      for (ChildJvm n : List.of(nodes.get(0), nodes.get(2))) {
        Map<Long, String> seen = acks(sigkill(n).stdout());
        assertTrue(seen.keySet().stream().noneMatch(acknowledged::containsKey), "one seq acknowledged to two nodes");
        acknowledged.putAll(seen);
      }
    } finally {
      nodes.forEach(ChildJvm::close);
    }
    assertIntact(ds, acknowledged, "three nodes, one killed");
    Set<String> prefixes = new HashSet<>();
    acknowledged.values().forEach(m -> prefixes.add(m.substring(0, 2)));
    assertEquals(Set.of("n1", "n2", "n3"), prefixes, "entries of all three nodes in the one chain");
  }

  @Test
  void postgresSigkilledMidAppends_appendsFailTyped_nothingHalfWritten_recoversAfterRestart() throws Exception {
    try (PostgresServer server = PostgresServer.start()) {
      PostgresDatabase db = server.createDatabase();
      DataSource ds = PostgresAuditStoreTest.dataSource(db);
      Map<Long, String> acknowledged = new ConcurrentHashMap<>();
      Set<String> attempted = ConcurrentHashMap.newKeySet();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicBoolean run = new AtomicBoolean(true);
      AtomicInteger counter = new AtomicInteger();
      try (AuditStore store = PostgresAuditStoreTest.open(ds)) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Thread th =
              new Thread(
                  () -> {
                    while (run.get()) {
                      String msg = "m-" + counter.incrementAndGet();
                      attempted.add(msg);
                      try {
                        AuditEntry e = store.append(AuditEvent.builder("crash.pg").message(msg).build());
                        acknowledged.put(e.seq(), msg);
                      } catch (Throwable x) {
                        failures.add(x);
                        LockSupport.parkNanos(20_000_000);
                      }
                    }
                  },
                  "append-" + t);
          th.start();
          threads.add(th);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (acknowledged.size() < 200 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(1_000_000);
        }
        assertTrue(failures.isEmpty(), () -> "failed before the kill: " + failures);
        server.kill(); // SIGKILL to the postmaster and every backend, mid-appends
        while (failures.size() < 8 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(1_000_000);
        }
        run.set(false);
        for (Thread th : threads) {
          th.join(WAIT.toMillis());
          assertFalse(th.isAlive(), "an appending thread hangs after the server died");
        }
        assertTrue(failures.size() >= 8, "appends failed while the server was dead: " + failures.size());
        for (Throwable f : failures) {
          assertTrue(f instanceof AuditException, () -> "untyped failure: " + f);
          assertEquals(Reason.STORAGE, ((AuditException) f).reason(), f::toString);
        }

        server.restart(); // crash recovery from the WAL
        assertIntact(ds, acknowledged, "after the server was killed");
        Map<Long, String> stored = rows(ds);
        assertTrue(attempted.containsAll(stored.values()), "only attempted entries are stored");
        // the same store recovers without manual steps: the next append continues the chain
        AuditEntry next = store.append(AuditEvent.builder("crash.pg").message("after-restart").build());
        assertEquals(stored.size() + 1L, next.seq());
        assertTrue(store.verify().valid());
      }
      assertTrue(acknowledged.size() >= 200, "acknowledged before the kill: " + acknowledged.size());
    }
  }
}
