package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's item 2 through the CLI as an operator types it: the log was rolled back and regrown (visible only against
 * the checkpoint at seq 10), and {@code audit purge --max-entries 2} — without {@code --checkpoint} — deleted the range,
 * after which {@code verify --checkpoint} said OK. Purge now needs the checkpoint file, or an explicit
 * {@code --no-checkpoint} for a log that has none.
 */
class AuditPurgeCliTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir Path dir;
  private Path db;
  private Path cp;

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    cp = dir.resolve("checkpoints/audit.cp");
    AuditCommand.env = Map.of("SECUREYEOMAN_AUDIT_KEY", KEY)::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private void append(int n, String tag) {
    for (int i = 0; i < n; i++) {
      assertEquals(0, Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", tag + i).code());
    }
  }

  private static void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().lines().count() == 1, r.err());
  }

  @Test
  void purgeWithoutNamingTheCheckpointFile_isRefused_andTheRollbackEvidenceStays() throws Exception {
    append(10, "m");
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init").code());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER IF EXISTS audit_log_append_only");
      st.execute("DELETE FROM audit_log WHERE seq > 5");
    }
    append(7, "regrown-");
    Run p = Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2");
    assertOneErrorLine(p, 2);
    assertTrue(p.err().contains("--checkpoint") && p.err().contains("--no-checkpoint"), p.err());
    Run v = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(v, 1);
    assertTrue(v.err().contains("CHECKPOINT_MISMATCH"), "evidence kept: " + v.err());
    assertOneErrorLine(
        Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2", "--checkpoint", cp.toString()), 1);
    assertOneErrorLine(
        Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2", "--checkpoint", cp.toString(),
            "--no-checkpoint"), 2);
  }

  @Test
  void purgeOfALogWithoutCheckpoints_needsTheExplicitOption_andThenWorks() {
    append(10, "m");
    Run p = Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "4", "--no-checkpoint");
    assertEquals(0, p.code(), p.err());
    assertEquals("purged 7 entries", p.out().strip());
    Run v = Run.of("audit", "verify", "--db", db.toString());
    assertEquals(0, v.code(), v.err());
    assertFalse(v.out().isBlank());
  }
}
