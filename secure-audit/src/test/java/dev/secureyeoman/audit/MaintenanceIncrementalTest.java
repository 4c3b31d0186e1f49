package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AuditMaintenance verifies incrementally, and in full every {@code fullVerifyEvery} runs (issue 17). */
class MaintenanceIncrementalTest {
  @TempDir Path dir;

  @Test
  void fullVerificationEveryNthRun_incrementalOtherwise() throws Exception {
    ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
    try (AuditStore s = new TestSupport.Checkpointed(dir).open()) {
      AuditMaintenance m =
          AuditMaintenance.builder(
                  s, AuditMaintenanceSettings.of(0, 0, Duration.ofHours(1)).withFullVerifyEvery(3))
              .scheduler(ses)
              .build();
      boolean[] full = new boolean[6];
      for (int run = 0; run < full.length; run++) {
        TestSupport.appendN(s, 5, "r" + run);
        MaintenanceReport r = m.runOnce();
        assertTrue(r.ok(), String.valueOf(r));
        full[run] = !r.verification().orElseThrow().incremental();
      }
      assertTrue(full[0] && full[3], "runs 1 and 4 verify the whole log");
      assertFalse(full[1] || full[2] || full[4] || full[5], "the others start from the newest checkpoint");
      assertEquals(5, m.lastReport().orElseThrow().verification().orElseThrow().entriesChecked(),
          "an incremental run re-MACs only what was appended since the last run's checkpoint");
    } finally {
      ses.shutdownNow();
    }
  }

  @Test
  void settings_validateFullVerifyEvery() {
    assertEquals(AuditMaintenanceSettings.DEFAULT_FULL_VERIFY_EVERY, AuditMaintenanceSettings.defaults().fullVerifyEvery());
    assertEquals(1, new AuditMaintenanceSettings(RetentionPolicy.defaults(), Duration.ofHours(1), true, true)
        .fullVerifyEvery(), "the old constructor keeps verifying the whole log every run");
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.defaults().withFullVerifyEvery(0));
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.defaults().withFullVerifyEvery(10_001));
  }
}
