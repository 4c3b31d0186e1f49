package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit CLI side of issue 11: forks, purge with checkpoints, second writers, read-only commands, hygiene. */
class AuditHardeningCliTest {
  private static final byte[] KEY_BYTES = new byte[32];
  private static final byte[] KEY2_BYTES = new byte[32];

  static {
    KEY_BYTES[0] = 1;
    KEY2_BYTES[0] = 2;
  }

  private static final String KEY = Base64.getEncoder().encodeToString(KEY_BYTES);
  private static final String KEY2 = Base64.getEncoder().encodeToString(KEY2_BYTES);

  @TempDir Path dir;
  private Path db;
  private Path cp;
  private final Map<String, String> envVars = new java.util.HashMap<>();

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    cp = dir.resolve("checkpoints/audit.cp");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", KEY);
    envVars.put("K2", KEY2);
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private static void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
  }

  private void append(int n) {
    for (int i = 0; i < n; i++) {
      Run r = Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m" + i);
      assertEquals(0, r.code(), r.err());
    }
  }

  private AuditStore openWithCheckpoints() throws Exception {
    return SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(SecretBytes.copyOf(KEY_BYTES))
        .checkpoints(CheckpointSinks.appendOnlyFile(cp), CheckpointKeys.deriveFromAuditKey(
            SecretBytes.copyOf(KEY_BYTES))).build());
  }

  private static void sql(Path db, String... statements) throws Exception {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        var st = c.createStatement()) {
      st.execute("DROP TRIGGER IF EXISTS audit_log_append_only");
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  @Test
  void verify_forkedCheckpoints_exitsOneNamingTheFork() throws Exception {
    append(6);
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init").code());
    sql(db, "DELETE FROM audit_log WHERE seq = 6");
    append(1); // seq 6 again, other content
    // the second signature an older version would have made over the regrown head
    String head;
    Optional<String> logId;
    try (AuditStore s = SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(SecretBytes.copyOf(KEY_BYTES))
        .build())) {
      head = s.head().orElseThrow().hash();
      logId = s.logId();
    }
    CheckpointSinks.appendOnlyFile(cp).append(Checkpoint.sign("secureyeoman-audit", 6, head, Instant.now(), logId,
        CheckpointKeys.deriveFromAuditKey(SecretBytes.copyOf(KEY_BYTES))));
    Run v = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(v, 1);
    assertTrue(v.err().contains("CHECKPOINT_FORK"), v.err());
    assertTrue(v.err().contains("seq 6"), v.err());
    // and 'audit checkpoint' refuses to sign on top of it
    Run c = Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString());
    assertOneErrorLine(c, 1);
    assertTrue(c.err().contains("refusing to sign a checkpoint"), c.err());
  }

  @Test
  void purge_withCheckpoint_refusesARangeThatDisagrees_andKeepsTheEvidence() throws Exception {
    append(10);
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init").code());
    sql(db, "DELETE FROM audit_log WHERE seq > 7");
    append(5);
    Run p = Run.of("audit", "purge", "--db", db.toString(), "--max-entries", "2", "--checkpoint", cp.toString());
    assertOneErrorLine(p, 1);
    assertTrue(p.err().contains("refusing to purge") && p.err().contains("CHECKPOINT_MISMATCH"), p.err());
    Run v = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(v, 1);
    assertTrue(v.err().contains("CHECKPOINT_MISMATCH"), "evidence kept: " + v.err());
  }

  @Test
  void appendFromACliProcess_whileTheHostHoldsTheStore_hostKeepsAppending() throws Exception {
    try (AuditStore host = openWithCheckpoints()) {
      host.append(AuditEvent.builder("host.start").build());
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), SecureYeomanCli.class.getName(), "audit", "append", "--db",
          db.toString(), "--event", "operator.note", "--message", "from another process"));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("SECUREYEOMAN_AUDIT_KEY", KEY);
      Process child = pb.start();
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue(), err);
      assertEquals("appended seq 2", out.substring(0, "appended seq 2".length()), out);
      assertEquals(3, host.append(AuditEvent.builder("host.after").build()).seq(), "no primary-key error");
      assertTrue(host.verify().valid());
      assertEquals(4, host.checkpoint().seq() + 1);
    }
  }

  private static Map<String, String> snapshot(Path d) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path p : files.toList()) {
        out.put(p.getFileName().toString(), PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }

  @Test
  void verifySearchExport_onAnEvidenceCopy_changeNothing_evenWithTheWrongEpochsKey() throws Exception {
    append(2);
    // rotate: a writer with key id 2 appends (and records the rotation)
    assertEquals(0, Run.of("audit", "append", "--db", db.toString(), "--event", "e", "--message", "rotated",
        "--key-env", "K2", "--key-id", "2", "--old-key-env", "1=SECUREYEOMAN_AUDIT_KEY").code());
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> before = snapshot(db.getParent());
    Run wrongEpoch = Run.of("audit", "verify", "--db", db.toString()); // key id 1 only
    assertOneErrorLine(wrongEpoch, 1);
    assertTrue(wrongEpoch.err().contains("UNKNOWN_KEY"), wrongEpoch.err());
    assertEquals(0, Run.of("audit", "search", "--db", db.toString(), "m0").code());
    assertEquals(0, Run.of("audit", "export", "--db", db.toString()).code());
    assertEquals(before, snapshot(db.getParent()), "no file created, no mode or byte changed, nothing appended");
    Run ok = Run.of("audit", "verify", "--db", db.toString(), "--key-env", "K2", "--key-id", "2",
        "--old-key-env", "1=SECUREYEOMAN_AUDIT_KEY");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("OK: 4 entries"), ok.out());
    assertOneErrorLine(Run.of("audit", "verify", "--db", db.toString(), "--old-key-env", "x"), 2);
    assertOneErrorLine(Run.of("audit", "verify", "--db", db.toString(), "--old-key-env", "1=K2"), 2);
  }

  @Test
  void verify_logIdPin_detectsAnotherLogsDatabase() throws Exception {
    append(1);
    String id;
    try (var r = SqliteAuditStore.openReadOnly(AuditStoreOptions.builder(db).macKey(SecretBytes.copyOf(KEY_BYTES))
        .build())) {
      id = r.logId().orElseThrow();
    }
    assertEquals(0, Run.of("audit", "verify", "--db", db.toString(), "--log-id", id).code());
    Run other = Run.of("audit", "verify", "--db", db.toString(), "--log-id", "0".repeat(32));
    assertOneErrorLine(other, 1);
    assertTrue(other.err().contains("LOG_ID_MISMATCH"), other.err());
    assertOneErrorLine(Run.of("audit", "verify", "--db", db.toString(), "--log-id", "XYZ"), 2);
  }

  @Test
  void checkpoint_missingFileWithEntries_needsInit_tornFileIsReportedAndRepaired() throws Exception {
    append(3);
    Run noInit = Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString());
    assertOneErrorLine(noInit, 1);
    assertTrue(noInit.err().contains("CHECKPOINTS_MISSING") && noInit.err().contains("--init"), noInit.err());
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init").code());
    Run twice = Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--init");
    assertOneErrorLine(twice, 1);
    Files.writeString(cp, "secureyeoman-audit\n4\nq0O2", StandardOpenOption.APPEND); // torn append
    Run v = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(v, 1);
    assertTrue(v.err().contains("incomplete note") && v.err().contains("repair-checkpoints"), v.err());
    Run refused = Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString());
    assertOneErrorLine(refused, 1);
    Run repair = Run.of("audit", "repair-checkpoints", "--checkpoint", cp.toString());
    assertEquals(0, repair.code(), repair.err());
    assertTrue(repair.out().startsWith("moved 25 bytes"), repair.out());
    assertEquals(0, Run.of("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString()).code());
    assertEquals(0, Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString()).code());
    assertTrue(Run.of("audit", "repair-checkpoints", "--checkpoint", cp.toString()).out().startsWith("nothing"));
    Files.delete(cp);
    Run missing = Run.of("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(missing, 1);
    assertTrue(missing.err().contains("CHECKPOINTS_MISSING"), missing.err());
  }

  @Test
  void search_andExport_escapeControlCharactersInEveryField() {
    String esc = "\u001b[2J\u001b]8;;http://evil\u0007";
    Run a = Run.of("audit", "append", "--db", db.toString(), "--event", "evil.event", "--message",
        "msg " + esc + " \u202eright-to-left", "--actor", "mallory" + esc + "\ttab", "--metadata",
        "{\"k\":\"" + "\\u001b[31mred\\u009b\\u2028" + "\"}", "--correlation-id", "req\u0085" + esc);
    assertEquals(0, a.code(), a.err());
    for (Run r : List.of(
        Run.of("audit", "search", "--db", db.toString(), "mallory"),
        Run.of("audit", "search", "--db", db.toString(), "mallory", "--json"),
        Run.of("audit", "export", "--db", db.toString()))) {
      assertEquals(0, r.code(), r.err());
      String out = r.out();
      assertFalse(out.isBlank());
      for (char c : new char[] {'\u001b', '\u0007', '\u202e', '\u009b', '\u2028', '\u0085', '\t'}) {
        if (c == '\t' && !r.out().contains("\"seq\"")) {
          // the listing uses tabs as separators: exactly the 7 separators, none from the data
          assertEquals(7, out.strip().chars().filter(x -> x == '\t').count(), out);
          continue;
        }
        assertEquals(-1, out.indexOf(c), "raw U+" + Integer.toHexString(c) + " in: " + out);
      }
      assertTrue(out.contains("\\u001b"), out);
    }
    Run line = Run.of("audit", "search", "--db", db.toString(), "mallory");
    String[] fields = line.out().strip().split("\t");
    assertEquals(8, fields.length, line.out());
    assertTrue(fields[4].startsWith("mallory\\u001b[2J"), fields[4]);
    assertTrue(fields[4].endsWith("\\ttab"), fields[4]);
    assertTrue(fields[5].contains("\\u202eright-to-left"), fields[5]);
    assertTrue(fields[6].startsWith("req\\u0085"), fields[6]);
    assertTrue(fields[7].contains("\\\\u001b[31mred"), "metadata JSON, escaped again for the listing: " + fields[7]);
  }
}
