package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle schema-1 log with a legacy checkpoint (no log id) at its head is upgraded; the next maintenance signs the same
 * head again, now naming the log id. Same seq, same head hash: not a fork — but it was reported as CHECKPOINT_FORK,
 * after which every maintenance run refused to purge or sign, for good.
 */
class LegacyCheckpointTest {
  @TempDir Path dir;

  @Test
  void upgradedIdleLog_resignedHeadWithTheLogId_isNotAFork_butADifferentHeadStillIs() throws Exception {
    Path db = StorageTypeTest.schema1(Files.createDirectories(dir.resolve("db")).resolve("audit.db"), 3, null);
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));
    Path cpFile = dir.resolve("checkpoints/audit.cp");
    CheckpointSink sink = CheckpointSinks.appendOnlyFile(cpFile);
    String legacyHead;
    try (AuditReader r = SqliteAuditStore.openReadOnly(TestSupport.options(db).build())) {
      legacyHead = r.head().orElseThrow().hash();
    }
    // what the previous version wrote: a note without a log-id line
    sink.append(Checkpoint.sign("secureyeoman-audit", 3, legacyHead, Instant.now(), Optional.empty(), keys));
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(db).checkpoints(sink, keys).build())) {
      MaintenanceReport report =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.of(36_500, 1_000_000, Duration.ofHours(1)))
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .build()
              .runOnce();
      assertTrue(report.ok(), report.toString());
      assertEquals(3, report.checkpoint().orElseThrow().seq());
      VerificationResult v = s.verify();
      assertTrue(v.valid(), v.summary());
      assertTrue(s.checkpoint().logId().isPresent());
      assertTrue(s.verify().valid());
    }
    // a legacy note for the same seq with another head is still a fork
    sink.append(Checkpoint.sign("secureyeoman-audit", 3, "ab".repeat(32), Instant.now(), Optional.empty(), keys));
    try (AuditStore s = SqliteAuditStore.open(TestSupport.options(db).checkpoints(sink, keys).build())) {
      assertEquals(Problem.CHECKPOINT_FORK, s.verify().problem().orElseThrow());
    }
  }
}
