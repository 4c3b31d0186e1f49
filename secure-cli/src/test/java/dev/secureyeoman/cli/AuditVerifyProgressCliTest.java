package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code audit verify --since-checkpoint} and the terminal progress of verify and purge (issue 17). */
class AuditVerifyProgressCliTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'D');

  @TempDir Path dir;
  private Path db;
  private Path cp;
  private final Map<String, String> envVars = new HashMap<>();

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    cp = dir.resolve("checkpoints/audit.cp");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", KEY);
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private void append(int n) {
    for (int i = 0; i < n; i++) {
      Run r = Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m" + i);
      assertEquals(0, r.code(), r.err());
    }
  }

  private static void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void sinceCheckpoint_checksOnlyTheNewEntries_andDetectsTamperingAfterTheCheckpoint() throws Exception {
    append(5);
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init").code());
    append(3);
    Run inc = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString(), "--since-checkpoint");
    assertEquals(0, inc.code(), inc.err());
    assertTrue(inc.out().startsWith("OK: 3 entries (seq 1..8)"), inc.out());
    assertTrue(inc.out().contains("entries up to seq 5 trusted on the signed checkpoint"), inc.out());
    assertEquals("", inc.err(), "quiet when not a terminal");
    Run full = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertTrue(full.out().startsWith("OK: 8 entries"), full.out());

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER audit_log_append_only");
      st.execute("UPDATE audit_log SET message = 'innocent' WHERE seq = 7");
    }
    Run bad = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString(), "--since-checkpoint");
    assertOneErrorLine(bad, 1);
    assertTrue(bad.err().contains("seq 7: ENTRY_ALTERED"), bad.err());
  }

  @Test
  void sinceCheckpoint_withoutCheckpointFile_isAUsageError() {
    append(1);
    Run r = Run.of("audit", "verify", "--db", db.toString(), "--since-checkpoint");
    assertOneErrorLine(r, 2);
    assertTrue(r.err().contains("--checkpoint"), r.err());
  }

  @Test
  void purge_isQuietWhenNotATerminal() {
    append(6);
    Run r = Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2", "--no-checkpoint");
    assertEquals(0, r.code(), r.err());
    assertEquals("purged 5 entries\n", r.out().replace("\r", ""));
    assertEquals("", r.err());
  }

  @Test
  void progress_onATerminal_showsRateAndEta_atMostFiveTimesASecond() {
    StringWriter sw = new StringWriter();
    AtomicLong now = new AtomicLong(0);
    VerificationProgress p = AuditCommand.progress(new PrintWriter(sw), "verified", true, now::get);
    now.set(1_000_000_000L);
    p.onProgress(4096, 10_000);
    assertEquals("\rverified 4096 / 10000 entries (4096 entries/s, ETA 1 s)", sw.toString());
    now.addAndGet(100_000_000L); // 100 ms later: not printed again
    p.onProgress(8192, 10_000);
    assertEquals("\rverified 4096 / 10000 entries (4096 entries/s, ETA 1 s)", sw.toString());
    now.set(2_000_000_000L);
    p.onProgress(10_000, 10_000); // the last one always, ending the line
    assertTrue(sw.toString().endsWith("\rverified 10000 / 10000 entries (5000 entries/s, ETA 0 s)"
        + System.lineSeparator()), sw.toString());
  }

  @Test
  void progress_whenNotATerminal_printsNothing() {
    StringWriter sw = new StringWriter();
    VerificationProgress p = AuditCommand.progress(new PrintWriter(sw), "verified", false, System::nanoTime);
    p.onProgress(1, 1);
    assertFalse(sw.toString().contains("verified"));
    assertEquals(VerificationProgress.NONE, p);
  }

  @Test
  void refusedPurge_makesTheLogReadOnly_untilAcknowledgeTampering() throws Exception {
    append(6);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER audit_log_append_only");
      st.execute("UPDATE audit_log SET message = 'innocent' WHERE seq = 2");
    }
    assertOneErrorLine(Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2", "--no-checkpoint"), 1);
    Run refused = Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "after");
    assertOneErrorLine(refused, 1);
    assertTrue(refused.err().contains("refusing to append"), refused.err());
    assertOneErrorLine(Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--reason", " "), 2);
    assertOneErrorLine(
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--reason", "x", "--actor", " "), 2);
    Run ack =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--reason", "ticket SEC-17", "--actor",
            "ops:bob");
    assertEquals(0, ack.code(), ack.err());
    assertTrue(ack.out().startsWith("acknowledged at seq 7 "), ack.out());
    assertTrue(ack.out().lines().findFirst().orElseThrow().endsWith(" by ops:bob"), ack.out());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT actor, event FROM audit_log WHERE seq = 7")) {
      assertTrue(rs.next());
      assertEquals("ops:bob", rs.getString(1), "the acknowledging operator is in the chain");
      assertEquals("audit.tampering_acknowledged", rs.getString(2));
    }
    Run again = Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "after");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().startsWith("appended seq 8 "), again.out());
    assertOneErrorLine(Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--reason", "again"), 1);
  }
}
