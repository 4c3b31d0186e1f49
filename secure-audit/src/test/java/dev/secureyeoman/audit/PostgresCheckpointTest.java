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
}
