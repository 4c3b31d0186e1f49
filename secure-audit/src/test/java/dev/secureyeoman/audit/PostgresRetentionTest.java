package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import dev.secureyeoman.testkit.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention on a real PostgreSQL 15 with several nodes (each store on its own data source = its own connections, as
 * another process would have): appends of other nodes during a purge, the server stopping or crashing mid-purge, and
 * the purge run again afterwards.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresRetentionTest {

  private static AuditStore node(PostgresDatabase db) throws AuditException {
    return PostgresAuditStoreTest.open(PostgresAuditStoreTest.dataSource(db));
  }

  private static AuditEvent event(String actor, int i) {
    return PostgresAuditStoreTest.event(actor, i);
  }

  /** Every acknowledged entry is either inside a purged range or stored exactly as acknowledged. */
  private static void noAcknowledgedEntryLost(AuditStore s, List<AuditEntry> acknowledged, long purgedThrough)
      throws AuditException {
    for (AuditEntry e : acknowledged) {
      if (e.seq() <= purgedThrough) {
        continue;
      }
      List<AuditEntry> stored = s.query(AuditQuery.builder().afterSeq(e.seq() - 1).limit(1).build());
      assertEquals(List.of(e), stored, "acknowledged entry seq " + e.seq() + " is stored as acknowledged");
    }
  }

  private static long lastPurged(AuditStore s) throws AuditException {
    long last = 0;
    for (AuditEntry e : s.query(AuditQuery.builder().event("retention_purge").limit(1000).build())) {
      last = Math.max(last, (Long) e.metadata().get("last_seq"));
    }
    return last;
  }

  @Test
  void appendsOfTwoNodesDuringAPurgeOfAThird_waitForIt_oneVerifiableChain_nothingAcknowledgedLost(
      PostgresDatabase db) throws Exception {
    try (AuditStore a = node(db);
        AuditStore b = node(db);
        AuditStore c = node(db)) {
      List<AuditEntry> acked = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        acked.add(a.append(event("a", i)));
        acked.add(b.append(event("b", i)));
      }
      // deterministic interleaving: while node c's purge holds the write lock (its verification reports progress),
      // nodes a and b enqueue appends; their commits wait for the lock and chain after the purge entry
      List<CompletableFuture<AuditEntry>> during = new ArrayList<>();
      long purged =
          c.enforceRetention(
              RetentionPolicy.maxEntries(10),
              (done, total) -> {
                if (during.isEmpty()) {
                  for (int i = 0; i < 5; i++) {
                    during.add(a.appendAsync(event("a-during", i)));
                    during.add(b.appendAsync(event("b-during", i)));
                  }
                }
              });
      assertEquals(71, purged);
      assertFalse(during.isEmpty());
      AuditEntry purge = c.query(AuditQuery.builder().event("retention_purge").limit(5).build()).get(0);
      assertEquals(81, purge.seq());
      for (CompletableFuture<AuditEntry> f : during) {
        AuditEntry e = f.get(60, TimeUnit.SECONDS);
        assertTrue(e.seq() > purge.seq(), "an append enqueued during the purge commits after it: " + e.seq());
        acked.add(e);
      }
      VerificationResult r = b.verify();
      assertTrue(r.valid(), r::summary);
      assertEquals(72, r.firstSeq());
      assertEquals(91, r.headSeq());
      noAcknowledgedEntryLost(a, acked, 71);
    }
  }

  @Test
  void twoNodesFlooding_whileAThirdPurgesRepeatedly_everyAcknowledgedEntryKept_chainVerifies(PostgresDatabase db)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (AuditStore a = node(db);
        AuditStore b = node(db);
        AuditStore c = node(db)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<List<AuditEntry>>> writers = new ArrayList<>();
      for (AuditStore n : List.of(a, b)) {
        writers.add(
            pool.submit(
                () -> {
                  List<AuditEntry> mine = new ArrayList<>();
                  int i = 0;
                  while (!stop.get() || i < 50) {
                    List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
                    for (int k = 0; k < 10; k++) {
                      fs.add(n.appendAsync(event(n == a ? "a" : "b", i++)));
                    }
                    for (CompletableFuture<AuditEntry> f : fs) {
                      mine.add(f.get());
                    }
                  }
                  return mine;
                }));
      }
      long purgedTotal = 0;
      for (int round = 0; round < 5; round++) {
        purgedTotal += c.enforceRetention(RetentionPolicy.maxEntries(20));
        c.append(event("c", round)); // the purging node appends too
      }
      stop.set(true);
      List<AuditEntry> acked = new ArrayList<>();
      for (Future<List<AuditEntry>> w : writers) {
        acked.addAll(w.get(120, TimeUnit.SECONDS));
      }
      VerificationResult r = c.verify();
      assertTrue(r.valid(), r::summary);
      long last = lastPurged(c);
      assertEquals(last + 1, r.firstSeq());
      assertTrue(purgedTotal > 0);
      noAcknowledgedEntryLost(c, acked, last);
      assertEquals(r.headSeq() - last, PostgresAuditStoreTest.count(PostgresAuditStoreTest.dataSource(db)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void serverStoppedMidPurge_nothingDeleted_rerunAfterRestartPurges() throws Exception {
    try (PostgresServer server = PostgresServer.start()) {
      PostgresDatabase db = server.createDatabase();
      DataSource ds = PostgresAuditStoreTest.dataSource(db);
      try (AuditStore s = PostgresAuditStoreTest.open(ds)) {
        for (int i = 0; i < 30; i++) {
          s.append(event("alice", i));
        }
        // the verification has run under the lock; the server stops before the DELETE and the purge entry
        AuditException down =
            assertThrows(
                AuditException.class,
                () -> s.enforceRetention(RetentionPolicy.maxEntries(5), (done, total) -> server.stop()));
        assertEquals(Reason.STORAGE, down.reason());
        server.restart();
        assertEquals(30, PostgresAuditStoreTest.count(ds), "nothing deleted");
        VerificationResult r = s.verify();
        assertTrue(r.valid(), r::summary);
        assertEquals(1, r.firstSeq());
        assertEquals(30, r.headSeq());
        assertTrue(s.tamperingDetected().isEmpty(), "an outage is not tampering");
        assertEquals(26, s.enforceRetention(RetentionPolicy.maxEntries(5)));
        assertEquals(31, s.append(event("alice", 31)).seq() - 1);
        assertTrue(s.verify().valid());
      }
    }
  }

  @Test
  void serverCrashesMidPurge_recoveryKeepsWholeLog_otherNodeAppends_rerunPurges() throws Exception {
    try (PostgresServer server = PostgresServer.start()) {
      PostgresDatabase db = server.createDatabase();
      try (AuditStore purger = node(db);
          AuditStore other = node(db)) {
        for (int i = 0; i < 20; i++) {
          other.append(event("bob", i));
        }
        assertThrows(
            AuditException.class,
            () -> purger.enforceRetention(RetentionPolicy.maxEntries(4), (done, total) -> server.kill()));
        server.restart(); // crash recovery from the WAL: the purge never committed
        DataSource ds = PostgresAuditStoreTest.dataSource(db);
        assertEquals(20, PostgresAuditStoreTest.count(ds));
        assertEquals(21, other.append(event("bob", 20)).seq(), "the lock died with the purging session");
        assertEquals(18, purger.enforceRetention(RetentionPolicy.maxEntries(4)));
        VerificationResult r = other.verify();
        assertTrue(r.valid(), r::summary);
        assertEquals(19, r.firstSeq());
        assertEquals(22, r.headSeq());
      }
    }
  }
}
