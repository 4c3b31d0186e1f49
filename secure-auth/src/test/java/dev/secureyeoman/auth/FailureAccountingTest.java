package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregated unauthenticated failures are all accounted for: recorded in full or counted in a summary. When the one
 * failure of a window that should be recorded in full cannot be written (the sink is down for a moment), it is counted,
 * and the next one is recorded in full.
 */
class FailureAccountingTest {
  @TempDir Path dir;

  @Test
  void firstFailureNotWritten_countedInTheSummary_nextRecordedInFull() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    ClientInfo client = ClientInfo.of("203.0.113.5");
    try (AuthService s = f.open()) {
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, () -> s.refresh("syrt_junk0", client)); // fails closed
      f.audit.setFailing(false);
      for (int i = 1; i <= 3; i++) {
        int n = i;
        assertThrows(InvalidTokenException.class, () -> s.refresh("syrt_junk" + n, client));
      }
      // before the fix: no failure of the series was recorded in full, and the summary counted only three
      assertEquals(1, f.audit.named("auth.refresh.failure").size(), f.audit.dump());
    }
    List<AuditEvent> summaries = f.audit.named("auth.audit.summary");
    assertEquals(1, summaries.size(), f.audit.dump());
    assertEquals(3L, summaries.get(0).metadata().get("suppressed"), "the unwritten first plus two after the full one");
    // 1 recorded in full + 3 counted = the 4 attempts
  }

  @Test
  void sinkUp_firstRecordedInFull_restCounted() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    ClientInfo client = ClientInfo.of("203.0.113.6");
    try (AuthService s = f.open()) {
      for (int i = 0; i < 4; i++) {
        int n = i;
        assertThrows(InvalidTokenException.class, () -> s.refresh("syrt_junk" + n, client));
      }
      assertEquals(1, f.audit.named("auth.refresh.failure").size());
    }
    assertEquals(3L, f.audit.named("auth.audit.summary").get(0).metadata().get("suppressed"));
  }
}
