package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18c): the checkpoint file handed to {@code audit acknowledge-tampering --checkpoint} decides which
 * truncation ranges (and which problems of the whole log) the acknowledgement covers for good. A file of another log
 * under the same audit key (its signing key is derived from it, so its signatures verify) or one that the given
 * {@code --signing-key} does not verify is the wrong file: it must be refused, nothing appended, the log still locked.
 */
class Attack18cAckCheckpointCliTest {
  @TempDir Path dir;
  final Map<String, String> envVars = new HashMap<>();
  final byte[] key = new byte[32];

  @BeforeEach
  void setUp() {
    new SecureRandom().nextBytes(key);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(key));
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private AuditStore open(Path db, Path cp) throws Exception {
    SecretBytes k = SecretBytes.copyOf(key);
    return SqliteAuditStore.open(
        AuditStoreOptions.builder(db).macKey(k)
            .checkpoints(CheckpointSinks.appendOnlyFile(cp), CheckpointKeys.deriveFromAuditKey(k))
            .build());
  }

  private static void appendN(AuditStore s, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      s.append(AuditEvent.builder("test.event").actor("alice").message("entry " + i).build());
    }
  }

  private static void sql(Path db, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** Log A truncated below its checkpoint and recorded; returns A's checkpoint file. */
  private Path truncatedLog(Path db) throws Exception {
    Path cp = dir.resolve("cp-a/audit.cp");
    try (AuditStore a = open(db, cp)) {
      appendN(a, 10);
      a.checkpoint();
    }
    sql(db, "DELETE FROM audit_log WHERE seq >= 9");
    try (AuditStore a = open(db, cp)) {
      assertFalse(a.verify().valid());
      assertTrue(a.tamperingDetected().isPresent());
    }
    return cp;
  }

  private void assertStillLocked(Path db, Path cp, long head) throws Exception {
    try (AuditStore a = open(db, cp)) {
      assertTrue(a.tamperingDetected().isPresent(), "nothing acknowledged");
      assertEquals(head, a.head().orElseThrow().seq(), "nothing appended");
    }
  }

  @Test
  void checkpointFileOfAnotherLogUnderTheSameKey_refused_nothingAppended(@TempDir Path other) throws Exception {
    Path db = dir.resolve("db-a/audit.db");
    Path cpA = truncatedLog(db);
    // another log (a staging copy, the log started after an incident) under the same audit key: its file verifies
    Path cpB = dir.resolve("cp-b/audit.cp");
    try (AuditStore b = open(other.resolve("audit.db"), cpB)) {
      appendN(b, 300);
      b.checkpoint();
    }
    Run wrong =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--checkpoint", cpB.toString(),
            "--reason", "SEC-9 with the wrong file");
    assertEquals(1, wrong.code(), wrong.out() + wrong.err());
    assertTrue(wrong.err().startsWith("error: "), wrong.err());
    assertFalse(wrong.out().contains("acknowledged"), wrong.out());
    assertStillLocked(db, cpA, 8);

    // the right file is accepted and covers the truncation
    Run right =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--checkpoint", cpA.toString(),
            "--reason", "SEC-9 with the node's file");
    assertEquals(0, right.code(), right.err());
    assertTrue(right.out().contains("9-10:TRUNCATED"), right.out());
    try (AuditStore a = open(db, cpA)) {
      a.verify();
      assertTrue(a.tamperingDetected().isEmpty());
    }
  }

  @Test
  void signingKeyThatDoesNotVerifyTheFile_refused_nothingAppended() throws Exception {
    Path db = dir.resolve("db-a/audit.db");
    Path cpA = truncatedLog(db);
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    Path seedFile = dir.resolve("other.seed");
    Files.writeString(seedFile, Base64.getEncoder().encodeToString(seed));
    Run wrong =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--checkpoint", cpA.toString(),
            "--signing-key", seedFile.toString(), "--reason", "SEC-10 with the wrong key");
    assertEquals(1, wrong.code(), wrong.out() + wrong.err());
    assertTrue(wrong.err().startsWith("error: "), wrong.err());
    assertFalse(wrong.out().contains("acknowledged"), wrong.out());
    assertStillLocked(db, cpA, 8);
  }

  @Test
  void truncationShownByTwoProcessesFiles_acknowledgedWithBoth_bothStayWritable_withOneTheOtherLocksAgain()
      throws Exception {
    Path db = dir.resolve("db-a/audit.db");
    Path cpA = dir.resolve("cp-a/audit.cp");
    Path cpB = dir.resolve("cp-b/audit.cp");
    try (AuditStore a = open(db, cpA)) {
      appendN(a, 15);
      try (AuditStore b = open(db, cpB)) {
        assertEquals(15, b.startCheckpoints().seq());
      }
      appendN(a, 5);
      assertEquals(20, a.checkpoint().seq());
    }
    sql(db, "DELETE FROM audit_log WHERE seq >= 11");
    try (AuditStore a = open(db, cpA)) {
      assertFalse(a.verify().valid());
    }
    // A's file alone (the highest seq): B's checkpoint at 15 is a break the acknowledgement does not name
    Run one =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--checkpoint", cpA.toString(),
            "--reason", "SEC-14 with A's file");
    assertEquals(0, one.code(), one.err());
    try (AuditStore b = open(db, cpB)) {
      assertFalse(b.verify().valid());
      assertTrue(b.tamperingDetected().isPresent(), "fail closed: B's checkpoint was not given");
    }
    Run both =
        Run.of("audit", "acknowledge-tampering", "--db", db.toString(), "--checkpoint", cpA.toString(),
            "--checkpoint", cpB.toString(), "--reason", "SEC-14 with every node's file");
    assertEquals(0, both.code(), both.err());
    assertEquals("", both.err());
    try (AuditStore a = open(db, cpA); AuditStore b = open(db, cpB)) {
      assertFalse(a.verify().valid(), "the evidence stays");
      assertFalse(b.verify().valid(), "the evidence stays");
      assertTrue(a.tamperingDetected().isEmpty());
      assertTrue(b.tamperingDetected().isEmpty());
      appendN(b, 1);
    }
  }
}
