package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit verify} tells a wrong key from tampering: a wrong key fails the first entry's MAC (and the checkpoint
 * signature), and the one {@code error:} line says "wrong key or tampered from seq 1"; an entry edited with the right
 * key in hand is named by its seq, without the wrong-key hint.
 */
class AuditWrongKeyCliTest {
  private static final String KEY = key(1);
  private static final String OTHER_KEY = key(2);

  @TempDir Path dir;
  private Path db;
  private Path checkpoint;
  private final Map<String, String> env = new HashMap<>();

  private static String key(long seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    checkpoint = dir.resolve("checkpoints/audit.cp");
    env.put("SECUREYEOMAN_AUDIT_KEY", KEY);
    AuditCommand.env = env::get;
    for (int i = 1; i <= 4; i++) {
      Run r = Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m" + i);
      assertEquals(0, r.code(), r.err());
    }
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private static String oneErrorLine(Run r) {
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
    return r.err().strip();
  }

  private void tamper(int seq) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER audit_log_append_only");
      st.execute("UPDATE audit_log SET message = 'innocent' WHERE seq = " + seq);
    }
  }

  @Test
  void verify_rightKey_ok() {
    Run r = Run.of("audit", "verify", "--db", db.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("OK: 4 entries (seq 1..4)"), r.out());
  }

  @Test
  void verify_wrongKey_saysWrongKeyOrTamperedFromSeq1() {
    env.put("SECUREYEOMAN_AUDIT_KEY", OTHER_KEY);
    String err = oneErrorLine(Run.of("audit", "verify", "--db", db.toString()));
    assertTrue(err.startsWith("error: verification FAILED at seq 1:"), err);
    assertTrue(err.contains("wrong key or tampered from seq 1"), err);
  }

  @Test
  void verify_wrongKeyWithACheckpoint_saysWrongKeyOrTamperedFromSeq1() {
    Run cp = Run.of("audit", "checkpoint", "--db", db.toString(), "--out", checkpoint.toString(), "--init");
    assertEquals(0, cp.code(), cp.err());
    assertEquals(0, Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", checkpoint.toString()).code());
    env.put("SECUREYEOMAN_AUDIT_KEY", OTHER_KEY);
    String err = oneErrorLine(Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", checkpoint.toString()));
    assertTrue(err.contains("wrong key or tampered from seq 1"), err);
  }

  @Test
  void verify_entryEditedMidChain_namesItsSeq_withoutTheWrongKeyHint() throws Exception {
    tamper(3);
    String err = oneErrorLine(Run.of("audit", "verify", "--db", db.toString()));
    assertTrue(err.startsWith("error: verification FAILED at seq 3:"), err);
    assertFalse(err.contains("wrong key"), err);
  }

  @Test
  void verify_firstEntryEdited_rightKey_isTamperingAtSeq1_notAWrongKey() throws Exception {
    tamper(1);
    String err = oneErrorLine(Run.of("audit", "verify", "--db", db.toString()));
    assertTrue(err.startsWith("error: verification FAILED at seq 1:"), err);
    assertFalse(err.contains("wrong key or tampered"), err);
  }
}
