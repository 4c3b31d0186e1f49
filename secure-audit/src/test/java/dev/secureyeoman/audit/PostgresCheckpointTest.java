package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints on a real PostgreSQL 15 with two nodes sharing one checkpoint sink: checkpoints taken concurrently by both
 * nodes while both append never look like a fork or a truncation to each other, and one node's checkpoint is what the
 * other's incremental verification trusts.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresCheckpointTest {
  @TempDir Path dir;

  private AuditStore node(PostgresDatabase db) throws AuditException {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    return PostgresAuditStore.builder(ds).macKey(TestSupport.key(1))
        .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("shared.cp")), AuditStoreContract.CP_KEYS)
        .origin("cluster-a").open();
  }

  @Test
  void twoNodesAppendAndCheckpointConcurrently_noForkNoTruncation_eachTrustsTheOthersCheckpoint(PostgresDatabase db)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (AuditStore a = node(db);
        AuditStore b = node(db)) {
      assertEquals(1, CheckpointSinks.appendOnlyFile(dir.resolve("shared.cp")).readAll().size(),
          "two nodes opening a new log write one seq-0 checkpoint");
      List<Future<List<Checkpoint>>> fs = new ArrayList<>();
      for (AuditStore n : List.of(a, b)) {
        fs.add(
            pool.submit(
                () -> {
                  List<Checkpoint> mine = new ArrayList<>();
                  for (int round = 0; round < 8; round++) {
                    for (int i = 0; i < 5; i++) {
                      n.append(PostgresAuditStoreTest.event(n == a ? "a" : "b", i));
                    }
                    mine.add(n.checkpoint()); // never refused: the other node's newer checkpoint is never "ahead"
                  }
                  return mine;
                }));
      }
      List<Checkpoint> all = new ArrayList<>();
      for (Future<List<Checkpoint>> f : fs) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
      assertEquals(16, all.size());
      VerificationResult full = a.verify();
      assertTrue(full.valid(), full::summary);
      assertEquals(17, full.checkpointsChecked());
      Checkpoint newest = all.stream().max(java.util.Comparator.comparingLong(Checkpoint::seq)).orElseThrow();
      assertEquals("cluster-a", newest.origin());
      b.append(PostgresAuditStoreTest.event("b", 99));
      VerificationResult inc = b.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertTrue(inc.valid(), inc::summary);
      assertEquals(newest.seq(), inc.trustedThroughSeq());
      assertEquals(81 - newest.seq(), inc.entriesChecked());
      assertTrue(a.tamperingDetected().isEmpty());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void tailDeletedInSql_afterNodeAsCheckpoint_nodeBDetectsTruncation_andRefusesToSign(PostgresDatabase db)
      throws Exception {
    try (AuditStore a = node(db);
        AuditStore b = node(db)) {
      for (int i = 0; i < 6; i++) {
        a.append(PostgresAuditStoreTest.event("a", i));
      }
      assertEquals(6, a.checkpoint().seq());
      PostgresAuditStoreTest.sql(PostgresAuditStoreTest.dataSource(db), "DELETE FROM audit_log WHERE seq >= 5");
      VerificationResult r = b.verify(VerifyOptions.defaults().sinceCheckpoint());
      assertFalse(r.valid());
      assertEquals(Problem.TRUNCATED, r.problem().orElseThrow(), r::summary);
      assertEquals(
          AuditException.Reason.VERIFICATION_FAILED,
          org.junit.jupiter.api.Assertions.assertThrows(AuditException.class, b::checkpoint).reason());
      assertTrue(a.tamperingDetected().isPresent(), "node a refuses appends too");
    }
  }

  @Test
  void auditMaintenance_onPostgres_purgesCheckpointsAndVerifies(PostgresDatabase db) throws Exception {
    java.util.concurrent.ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (AuditStore s = node(db)) {
      for (int i = 0; i < 30; i++) {
        s.append(PostgresAuditStoreTest.event("a", i));
      }
      AuditMaintenance m =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.of(0, 10, java.time.Duration.ofHours(1)))
              .scheduler(scheduler).build();
      MaintenanceReport first = m.runOnce();
      assertTrue(first.ok(), first::toString);
      assertEquals(21, first.purged());
      assertEquals(31, first.checkpoint().orElseThrow().seq());
      s.append(PostgresAuditStoreTest.event("a", 31));
      MaintenanceReport second = m.runOnce();
      assertTrue(second.ok(), second::toString);
      assertTrue(s.verify().valid());
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** A sink that fails its next append (a full disk, an unreachable bucket). */
  private static final class FailingOnce implements CheckpointSink {
    private final CheckpointSink inner;
    private volatile boolean fail = true;

    FailingOnce(CheckpointSink inner) {
      this.inner = inner;
    }

    @Override
    public void append(Checkpoint checkpoint) throws AuditException {
      if (fail) {
        fail = false;
        throw new AuditException(AuditException.Reason.STORAGE, "sink unreachable");
      }
      inner.append(checkpoint);
    }

    @Override
    public java.util.List<Checkpoint> readAll() throws AuditException {
      return inner.readAll();
    }
  }

  @Test
  void sinkFailingMidCheckpoint_lockReleased_otherNodeSigns_nothingTornOrLocked(PostgresDatabase db) throws Exception {
    Path file = dir.resolve("shared.cp");
    FailingOnce flaky = new FailingOnce(CheckpointSinks.appendOnlyFile(file));
    try (AuditStore b = node(db);
        AuditStore a =
            PostgresAuditStore.builder(PostgresAuditStoreTest.dataSource(db)).macKey(TestSupport.key(1))
                .checkpoints(flaky, AuditStoreContract.CP_KEYS).origin("cluster-a").open()) {
      for (int i = 0; i < 3; i++) {
        a.append(PostgresAuditStoreTest.event("a", i));
      }
      AuditException e = org.junit.jupiter.api.Assertions.assertThrows(AuditException.class, a::checkpoint);
      assertEquals(AuditException.Reason.STORAGE, e.reason());
      // the checkpoint lock died with the failed attempt: another node signs at once (a leak would hang it)
      assertEquals(3, b.checkpoint().seq());
      assertEquals(3, a.checkpoint().seq(), "the recovered sink takes the retry");
      assertTrue(a.tamperingDetected().isEmpty(), "a sink failure is not tampering");
      assertTrue(b.verify().valid());
    }
  }

  /** A sink whose append blocks until released (a hung network file system). */
  private static final class Hanging implements CheckpointSink {
    private final CheckpointSink inner;
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    Hanging(CheckpointSink inner) {
      this.inner = inner;
    }

    @Override
    public void append(Checkpoint checkpoint) throws AuditException {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inner.append(checkpoint);
    }

    @Override
    public java.util.List<Checkpoint> readAll() throws AuditException {
      return inner.readAll();
    }
  }

  @Test
  void nodeHangingInsideItsCheckpoint_othersTimeOutTyped_appendsGoOn_thenSignAgain(PostgresDatabase db)
      throws Exception {
    Path file = dir.resolve("shared.cp");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (AuditStore b =
            PostgresAuditStore.builder(PostgresAuditStoreTest.dataSource(db)).macKey(TestSupport.key(1))
                .checkpoints(CheckpointSinks.appendOnlyFile(file), AuditStoreContract.CP_KEYS)
                .checkpointLockTimeout(java.time.Duration.ofMillis(200)).open()) {
      Hanging hanging = new Hanging(CheckpointSinks.appendOnlyFile(file));
      try (AuditStore a =
          PostgresAuditStore.builder(PostgresAuditStoreTest.dataSource(db)).macKey(TestSupport.key(1))
              .checkpoints(hanging, AuditStoreContract.CP_KEYS).open()) {
        a.append(PostgresAuditStoreTest.event("a", 1));
        Future<Checkpoint> stuck = pool.submit(a::checkpoint);
        hanging.entered.await(); // node a holds the checkpoint lock and hangs in its sink
        AuditException e = org.junit.jupiter.api.Assertions.assertThrows(AuditException.class, b::checkpoint);
        assertEquals(AuditException.Reason.STORAGE, e.reason());
        assertEquals(2, b.append(PostgresAuditStoreTest.event("b", 2)).seq(), "appends never wait for checkpoints");
        hanging.release.countDown();
        assertEquals(1, stuck.get(60, TimeUnit.SECONDS).seq());
        assertEquals(2, b.checkpoint().seq());
        assertTrue(b.verify().valid());
        assertTrue(b.tamperingDetected().isEmpty());
      }
    } finally {
      pool.shutdownNow();
    }
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> PostgresAuditStore.builder(PostgresAuditStoreTest.dataSource(db)).checkpointLockTimeout(
            java.time.Duration.ZERO));
  }
}
