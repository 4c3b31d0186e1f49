package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker with file access grows one entry's message to 80 MB. The host's scheduled maintenance runs out of memory
 * verifying it; the {@link OutOfMemoryError} escaped {@code runOnce}, and a {@code ScheduledExecutorService} silently
 * cancels a periodic task that throws: no report, no listener call, and never again retention, checkpoints or the
 * verification alarm. Maintenance must report the failure and keep its schedule.
 */
class MaintenanceErrorTest {
  @TempDir Path dir;

  @Test
  void maintenance_runThatRunsOutOfMemory_isReportedAndTheScheduleSurvives() throws Exception {
    Path db = dir.resolve("audit.db");
    try (AuditStore s = TestSupport.open(db)) {
      TestSupport.appendN(s, 3, "m");
    }
    TestSupport.exec(db, "UPDATE audit_log SET message = replace(hex(zeroblob(40000000)), '0', 'x') WHERE seq = 2");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(javaBin, "-Xmx64m", "-cp", System.getProperty("java.class.path"), MaintenanceChild.class.getName(),
                    db.toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("reported twice: AuditException"), out);
    // the legitimate path: once the row is put back in bounds the run is ok (verification names the edit)
    TestSupport.exec(db, "UPDATE audit_log SET message = 'm1' WHERE seq = 2");
    try (AuditStore s = TestSupport.open(db)) {
      MaintenanceReport r =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.of(90, 1_000_000, Duration.ofHours(1)))
              .scheduler(Executors.newSingleThreadScheduledExecutor())
              .build()
              .runOnce();
      assertTrue(r.failure().isEmpty(), r.toString());
      assertTrue(r.verification().orElseThrow().valid(), r.toString());
    }
  }
}
