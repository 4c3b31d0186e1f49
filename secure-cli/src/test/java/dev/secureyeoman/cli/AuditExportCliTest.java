package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * {@code audit export -o FILE} wrote straight into FILE: through a symlink planted at that name (the whole audit trail
 * landed in a world-readable file of the attacker's choosing), and partially when an entry failed to decode half-way
 * (overwriting the previous good export with a truncated one).
 */
class AuditExportCliTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir Path dir;
  private Path db;

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    AuditCommand.env = Map.of("SECUREYEOMAN_AUDIT_KEY", KEY)::get;
    for (int i = 0; i < 5; i++) {
      assertEquals(0, Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m" + i).code());
    }
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  @Test
  void export_toASymlinkPlantedAtTheOutputName_replacesTheLinkAndLeavesItsTargetAlone() throws Exception {
    Path target = dir.resolve("attacker-readable.txt");
    Files.writeString(target, "");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path out = dir.resolve("export.jsonl");
    Files.createSymbolicLink(out, target);
    Run r = Run.of("audit", "export", "--db", db.toString(), "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("", Files.readString(target), "the audit trail went through the planted link");
    assertFalse(Files.isSymbolicLink(out));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out, LinkOption.NOFOLLOW_LINKS)));
    assertEquals(5, Files.readAllLines(out).size());
  }

  @Test
  void export_failingHalfWay_leavesThePreviousExportIntact() throws Exception {
    Path out = dir.resolve("export.jsonl");
    assertEquals(0, Run.of("audit", "export", "--db", db.toString(), "-o", out.toString()).code());
    String good = Files.readString(out);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER IF EXISTS audit_log_append_only");
      st.execute("UPDATE audit_log SET metadata = '{broken' WHERE seq = 4");
    }
    Run r = Run.of("audit", "export", "--db", db.toString(), "-o", out.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().lines().count() == 1, r.err());
    assertEquals(good, Files.readString(out), "a partial export replaced the previous one");
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "temp file left");
    }
  }
}
