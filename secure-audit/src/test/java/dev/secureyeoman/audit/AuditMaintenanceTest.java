package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditMaintenanceTest {
  @TempDir Path dir;

  private final TestSupport.MutableClock clock = new TestSupport.MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  private AuditStore open() throws AuditException {
    return SqliteAuditStore.open(
        TestSupport.options(dir.resolve("db/m.db"))
            .clock(clock)
            .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("cp/m.cp")), keys)
            .build());
  }

  @Test
  void runOnce_purgesByAge_checkpoints_andVerifies() throws Exception {
    try (AuditStore s = open()) {
      for (int i = 0; i < 10; i++) {
        s.append(AuditEvent.builder("old").build());
      }
      clock.advance(Duration.ofDays(31));
      s.append(AuditEvent.builder("new").build());
      BlockingQueue<MaintenanceReport> reports = new LinkedBlockingQueue<>();
      ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
      try {
        AuditMaintenance m =
            AuditMaintenance.builder(s, AuditMaintenanceSettings.of(30, 0, Duration.ofHours(1)))
                .scheduler(ses)
                .clock(clock)
                .listener(reports::add)
                .build();
        assertTrue(m.lastReport().isEmpty());
        MaintenanceReport r = m.runOnce();
        assertTrue(r.ok(), r.toString());
        assertEquals(10, r.purged());
        assertEquals(12, r.checkpoint().orElseThrow().seq());
        assertTrue(r.verification().orElseThrow().valid());
        assertEquals(r, m.lastReport().orElseThrow());
        assertEquals(r, reports.take());
      } finally {
        ses.shutdownNow();
      }
    }
  }

  @Test
  void tamperedLog_surfacesFailureToListener_andScheduleKeepsRunning() throws Exception {
    Path db = dir.resolve("db/m.db");
    try (AuditStore s = open()) {
      for (int i = 0; i < 5; i++) {
        s.append(AuditEvent.builder("e").build());
      }
    }
    TestSupport.exec(db, "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    try (AuditStore s = open()) {
      BlockingQueue<MaintenanceReport> reports = new LinkedBlockingQueue<>();
      ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
      try {
        AuditMaintenance m =
            // verification off: retention itself must refuse the tampered range
            AuditMaintenance.builder(
                    s, new AuditMaintenanceSettings(RetentionPolicy.maxEntries(2), Duration.ofSeconds(1), true, false))
                .scheduler(ses)
                .listener(reports::add)
                .build();
        m.start();
        assertTrue(m.isRunning());
        assertThrows(IllegalStateException.class, m::start);
        MaintenanceReport first = reports.take();
        MaintenanceReport second = reports.take(); // a failure does not cancel the schedule
        m.stop();
        m.stop();
        assertFalse(m.isRunning());
        for (MaintenanceReport r : new MaintenanceReport[] {first, second}) {
          assertFalse(r.ok());
          Exception failure = r.failure().orElseThrow();
          assertTrue(failure instanceof AuditException);
          assertEquals(AuditException.Reason.VERIFICATION_FAILED, ((AuditException) failure).reason());
          assertEquals(2, ((AuditException) failure).verification().orElseThrow().firstBrokenSeq().orElseThrow());
          assertTrue(failure.getMessage().contains("seq 2"), failure.getMessage());
        }
        assertFalse(m.lastReport().orElseThrow().ok());
        assertEquals(5, s.query(AuditQuery.builder().build()).size(), "refused to purge evidence");
      } finally {
        ses.shutdownNow();
      }
    }
  }

  @Test
  void failedVerification_withoutRetention_isReportedNotThrown() throws Exception {
    Path db = dir.resolve("db/m.db");
    try (AuditStore s = open()) {
      s.append(AuditEvent.builder("e").build());
    }
    TestSupport.exec(db, "UPDATE audit_log SET message = 'x' WHERE seq = 1");
    try (AuditStore s = open()) {
      AuditMaintenance m =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.defaults())
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .listener(r -> {
                throw new IllegalStateException("listener bug must not hide the report");
              })
              .build();
      MaintenanceReport r = m.runOnce();
      assertFalse(r.ok());
      assertTrue(r.failure().isEmpty());
      assertEquals(VerificationResult.Problem.ENTRY_ALTERED, r.verification().orElseThrow().problem().orElseThrow());
    }
  }

  @Test
  void storeWithoutSink_skipsCheckpoint() throws Exception {
    try (AuditStore s = TestSupport.open(dir.resolve("plain.db"))) {
      s.append(AuditEvent.builder("e").build());
      MaintenanceReport r =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.defaults())
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .build()
              .runOnce();
      assertTrue(r.ok());
      assertTrue(r.checkpoint().isEmpty());
    }
  }

  @Test
  void settingsAndBuilder_validate() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.of(90, 10, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.of(90, 10, Duration.ofDays(30)));
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.of(-1, 10, Duration.ofHours(1)));
    assertEquals(Duration.ofHours(1), AuditMaintenanceSettings.defaults().interval());
    try (AuditStore s = TestSupport.open(dir.resolve("b.db"))) {
      AuditMaintenance.Builder b = AuditMaintenance.builder(s, AuditMaintenanceSettings.defaults());
      assertThrows(IllegalStateException.class, b::build);
      b.scheduler(Executors.newSingleThreadScheduledExecutor()).clock(clock).listener(r -> {});
      assertThrows(IllegalStateException.class, () -> b.clock(clock));
      assertThrows(IllegalStateException.class, () -> b.listener(r -> {}));
      assertThrows(IllegalStateException.class, () -> b.scheduler(Executors.newSingleThreadScheduledExecutor()));
    }
  }
}
