package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B');
  private static final String OTHER_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'C');

  @TempDir Path dir;
  private Path db;
  private final Map<String, String> envVars = new java.util.HashMap<>();


  @BeforeEach
  void setUp() {
    db = dir.resolve("data/audit.db");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", KEY);
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private Run run(String... args) {
    return Run.of(args);
  }

  private void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
  }

  private void append(String event, String message) {
    Run r = run("audit", "append", "--db", db.toString(), "--event", event, "--message", message,
        "--metadata", "{\"ip\":\"10.1.2.3\",\"n\":1}", "--level", "WARN", "--actor", "alice",
        "--correlation-id", "req-1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("appended seq "), r.out());
  }

  @Test
  void append_verify_search_export_roundTrip() {
    append("auth.login.failure", "wrong password");
    append("config.changed", "limit raised");
    Run v = run("audit", "verify", "--db", db.toString());
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().startsWith("OK: 2 entries"), v.out());

    Run s = run("audit", "search", "--db", db.toString(), "password");
    assertEquals(0, s.code(), s.err());
    assertEquals(1, s.out().lines().count(), s.out());
    assertTrue(s.out().contains("auth.login.failure"));
    Run sj = run("audit", "search", "--db", db.toString(), "10.1.2.3", "--json", "--limit", "1");
    assertTrue(sj.out().startsWith("{\"seq\":2"), sj.out());
    for (String hostile : List.of("\"", "*", "NEAR(", "OR", "a OR b")) {
      assertEquals(0, run("audit", "search", "--db", db.toString(), hostile).code(), hostile);
    }

    Run e = run("audit", "export", "--db", db.toString());
    assertEquals(0, e.code(), e.err());
    assertEquals(2, e.out().lines().count());
    assertTrue(e.out().contains("\"correlation_id\":\"req-1\""), e.out());
    Path out = dir.resolve("export.jsonl");
    Run ef = run("audit", "export", "--db", db.toString(), "-o", out.toString());
    assertEquals(0, ef.code(), ef.err());
    assertTrue(Files.exists(out));
    assertOneErrorLine(run("audit", "export", "--db", db.toString(), "--format", "csv"), 2);
  }

  @Test
  void tamperedDatabase_verifyExitsOneNamingTheSeq() throws Exception {
    for (int i = 0; i < 4; i++) {
      append("e", "m" + i);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER audit_log_append_only");
      st.execute("UPDATE audit_log SET message = 'innocent' WHERE seq = 3");
    }
    Run r = run("audit", "verify", "--db", db.toString());
    assertOneErrorLine(r, 1);
    assertTrue(r.err().contains("seq 3"), r.err());
    assertTrue(r.err().contains("ENTRY_ALTERED"), r.err());
  }

  @Test
  void wrongKey_failsVerification() {
    append("e", "m");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", OTHER_KEY);
    Run r = run("audit", "verify", "--db", db.toString());
    assertOneErrorLine(r, 1);
    assertTrue(r.err().contains("seq 1"), r.err());
  }

  @Test
  void checkpoint_detectsTruncation() throws Exception {
    for (int i = 0; i < 5; i++) {
      append("e", "m" + i);
    }
    Path cp = dir.resolve("checkpoints/audit.cp");
    Run c = run("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--print-public-key", "--init");
    assertEquals(0, c.code(), c.err());
    assertTrue(c.out().startsWith("public-key "), c.out());
    String pub = c.out().lines().findFirst().orElseThrow().substring("public-key ".length());
    assertEquals(0, run("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString()).code());
    assertEquals(0, run("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString(),
        "--public-key", pub).code());

    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = conn.createStatement()) {
      st.execute("DELETE FROM audit_log WHERE seq >= 4");
    }
    assertEquals(0, run("audit", "verify", "--db", db.toString()).code(), "the chain alone cannot see truncation");
    Run v = run("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString());
    assertOneErrorLine(v, 1);
    assertTrue(v.err().contains("TRUNCATED"), v.err());
    assertTrue(v.err().contains("seq 4"), v.err());

    Run inside = run("audit", "checkpoint", "--db", db.toString(), "--out", db.resolveSibling("cp").toString());
    assertOneErrorLine(inside, 1);
    assertTrue(inside.err().contains("outside"), inside.err());
  }

  @Test
  void checkpoint_withExplicitSigningKey() throws Exception {
    append("e", "m");
    Path seed = dir.resolve("seed.b64");
    Files.writeString(seed, Base64.getEncoder().encodeToString(new byte[32]), StandardCharsets.US_ASCII);
    Path cp = dir.resolve("cp/audit.cp");
    Run c = run("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--signing-key",
        seed.toString(), "--print-public-key", "--init");
    assertEquals(0, c.code(), c.err());
    String pub = c.out().lines().findFirst().orElseThrow().substring("public-key ".length());
    assertOneErrorLine(run("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString()), 1);
    assertEquals(0, run("audit", "verify", "--db", db.toString(), "--checkpoint", cp.toString(),
        "--public-key", pub).code());
    Files.writeString(seed, "!!!");
    assertOneErrorLine(run("audit", "checkpoint", "--db", db.toString(), "--out", cp.toString(), "--signing-key",
        seed.toString()), 1);
    assertOneErrorLine(run("audit", "checkpoint", "--db", db.toString()), 2);
  }

  @Test
  void purge_keepsChainVerifiable() {
    for (int i = 0; i < 10; i++) {
      append("e", "m" + i);
    }
    Run p = run("audit", "purge", "--db", db.toString(), "--max-entries", "4", "--no-checkpoint");
    assertEquals(0, p.code(), p.err());
    assertEquals("purged 7 entries", p.out().strip());
    Run v = run("audit", "verify", "--db", db.toString());
    assertEquals(0, v.code(), v.err());
    assertEquals(0, run("audit", "purge", "--db", db.toString(), "--max-age-days", "90", "--no-checkpoint").code());
    assertOneErrorLine(run("audit", "purge", "--db", db.toString()), 2);
    assertOneErrorLine(run("audit", "purge", "--db", db.toString(), "--max-entries", "1"), 2);
    assertOneErrorLine(run("audit", "purge", "--db", db.toString(), "--max-age-days", "0"), 2);
  }

  @Test
  void badInput_andMissingKey_areOneLineErrors() {
    assertOneErrorLine(run("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m",
        "--metadata", "{broken"), 1);
    assertOneErrorLine(run("audit", "append", "--db", db.toString(), "--event", "Bad Event", "--message", "m"), 1);
    assertOneErrorLine(run("audit", "verify", "--db", dir.resolve("missing.db").toString()), 1);
    assertOneErrorLine(run("audit", "verify", "--db", db.toString(), "--checkpoint", "nope"), 1);
    assertOneErrorLine(run("audit", "search", "--db", db.toString(), "x", "--limit", "0"), 2);
    append("e.one", "m");
    Run words = run("audit", "search", "--db", db.toString(), "x ".repeat(33));
    assertOneErrorLine(words, 1);
    assertEquals("error: search text must have at most 32 words, got 33", words.err().strip());
    assertOneErrorLine(run("audit", "append", "--db", db.toString()), 2);
    assertOneErrorLine(run("audit"), 2);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", "not base64!");
    assertOneErrorLine(run("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m"), 1);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(new byte[16]));
    Run shortKey = run("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m");
    assertOneErrorLine(shortKey, 1);
    assertFalse(shortKey.err().contains(envVars.get("SECUREYEOMAN_AUDIT_KEY")), "key never echoed");
    envVars.clear();
    Run missing = run("audit", "append", "--db", db.toString(), "--event", "e", "--message", "m");
    assertOneErrorLine(missing, 2);
    assertTrue(missing.err().contains("SECUREYEOMAN_AUDIT_KEY"), missing.err());
    Run verbose = run("--verbose", "audit", "append", "--db", db.toString(), "--event", "e", "--message", "m");
    assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");
  }

  @Test
  void realProcess_readsKeyFromEnvironment() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        SecureYeomanCli.class.getName(), "audit", "append", "--db", db.toString(), "--event", "e", "--message", "m"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SECUREYEOMAN_AUDIT_KEY", KEY);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("appended seq 1"), output);
    assertEquals(0, run("audit", "verify", "--db", db.toString()).code(), "same key as the child used");
  }
}
