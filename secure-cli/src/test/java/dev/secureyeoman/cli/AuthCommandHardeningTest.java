package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.core.SecretBytes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@code secureyeoman auth}: a wrong audit key, a {@code --db} that names some other file, a password on
 * the command line, and the last administrator; plus {@code --password-stdin}.
 */
class AuthCommandHardeningTest {
  static final String AUDIT_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'D');
  static final String OTHER_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'E');
  static final String ADMIN_PW = "the first admin password, long enough";
  static final String BOB_PW = "bob's own password that is long enough";
  static final String STDIN_PW = "a password piped in from a secret manager";
  static final ClientInfo CLIENT = ClientInfo.of("192.0.2.1");

  @TempDir Path dir;
  Path db;
  Path auditDb;
  final Map<String, String> envVars = new HashMap<>();

  @BeforeEach
  void setUp() {
    db = dir.resolve("auth.db");
    auditDb = dir.resolve("audit.db");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", AUDIT_KEY);
    envVars.put("ADMIN_PW", ADMIN_PW);
    envVars.put("BOB_PW", BOB_PW);
    AuthCommand.env = envVars::get;
    AuthCommand.prompt = p -> null;
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuthCommand.env = System::getenv;
    AuditCommand.env = System::getenv;
    AuthCommand.stdin = () -> System.in;
  }

  private Run change(Path authDb, String... args) {
    List<String> a = new ArrayList<>(List.of("auth"));
    a.addAll(List.of(args));
    a.addAll(List.of("--db", authDb.toString(), "--audit-db", auditDb.toString(), "--operator", "ops"));
    return Run.of(a.toArray(String[]::new));
  }

  private static void assertOk(Run r) {
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
  }

  private static void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
  }

  private AuthService host() throws AuthException {
    return AuthService.builder()
        .dataSource(AuthDataSources.sqlite(db))
        .auditSink(e -> {})
        .masterKey(SecretBytes.copyOf(new byte[32]))
        .build();
  }

  private String usersList() {
    Run r = Run.of("auth", "user", "list", "--db", db.toString());
    assertEquals(0, r.code(), r.err());
    return r.out();
  }

  private Run auditVerify() {
    return Run.of("audit", "verify", "--db", auditDb.toString());
  }

  @Test
  void wrongAuditKey_oneErrorLine_exit1_beforeAnythingChanges() throws Exception {
    assertOk(change(db, "user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    assertOk(change(db, "user", "add", "bob", "--password-env", "BOB_PW"));
    String before = usersList();
    envVars.put("SECUREYEOMAN_AUDIT_KEY", OTHER_KEY);
    // before the fix: bob was disabled and the audit log got entries no one can verify
    Run disable = change(db, "user", "disable", "bob");
    assertOneErrorLine(disable, 1);
    assertTrue(disable.err().contains("wrong audit key"), disable.err());
    assertOneErrorLine(change(db, "user", "add", "carol", "--password-env", "BOB_PW"), 1);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", AUDIT_KEY);
    assertEquals(before, usersList(), "nothing changed");
    assertEquals(0, auditVerify().code(), "the log still verifies with the right key");
    // the legitimate path: the right key changes and audits
    assertOk(change(db, "user", "disable", "bob"));
    assertTrue(usersList().contains("bob\tuser\tdisabled"));
    assertEquals(0, auditVerify().code());
  }

  @Test
  void dbNamesAnotherFile_refusedUntouched() throws Exception {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not a database\n");
    Path empty = Files.createFile(dir.resolve("empty"));
    byte[] textBytes = Files.readAllBytes(text);
    for (Path p : List.of(text, empty)) {
      assertOneErrorLine(change(p, "user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"), 1);
      assertOneErrorLine(Run.of("auth", "user", "list", "--db", p.toString()), 1);
    }
    assertArrayEquals(textBytes, Files.readAllBytes(text));
    assertEquals(0, Files.size(empty), "before the fix the schema was written into the empty file");
    // another SQLite database (here the audit log itself) never gets the auth schema
    assertOk(change(db, "user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    byte[] audit = Files.readAllBytes(auditDb);
    Run intoAudit = change(auditDb, "user", "add", "bob", "--password-env", "BOB_PW");
    assertOneErrorLine(intoAudit, 1);
    assertTrue(intoAudit.err().contains("not an auth database") || intoAudit.err().contains("without"), intoAudit.err());
    assertOneErrorLine(Run.of("auth", "user", "list", "--db", auditDb.toString()), 1);
    assertArrayEquals(audit, Files.readAllBytes(auditDb));
    assertEquals(0, auditVerify().code());
  }

  @Test
  void passwordOnArgv_refused_neverEchoed() throws Exception {
    assertOk(change(db, "user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    String secret = "S3cret-typed-on-argv";
    List<Run> runs =
        List.of(
            change(db, "user", "add", "dave", "--password", secret),
            change(db, "user", "add", "dave", "--password=" + secret),
            change(db, "user", "reset-password", "admin", "--password", secret),
            change(db, "user", "disable", "admin", "--password", secret),
            Run.of("auth", "user", "list", "--db", db.toString(), "--password", secret));
    for (Run r : runs) {
      assertOneErrorLine(r, 2);
      assertFalse(r.err().contains(secret), "before the fix picocli printed the unknown option's value: " + r.err());
      assertFalse(r.out().contains(secret));
    }
    assertFalse(usersList().contains("dave"));
  }

  @Test
  void passwordStdin_addAndReset_hostLogsIn() throws Exception {
    AuthCommand.stdin = () -> new ByteArrayInputStream((STDIN_PW + "\n").getBytes(StandardCharsets.UTF_8));
    Run add = change(db, "user", "add", "admin", "--role", "admin", "--password-stdin");
    assertOk(add);
    assertFalse(add.out().contains(STDIN_PW));
    try (AuthService s = host()) {
      assertInstanceOf(LoginResult.Authenticated.class, s.login("admin", STDIN_PW.toCharArray(), false, CLIENT));
    }
    AuthCommand.stdin = () -> new ByteArrayInputStream((BOB_PW + "\r\n").getBytes(StandardCharsets.UTF_8));
    assertOk(change(db, "user", "reset-password", "admin", "--password-stdin"));
    try (AuthService s = host()) {
      assertInstanceOf(
          LoginResult.PasswordChangeRequired.class, s.login("admin", BOB_PW.toCharArray(), false, CLIENT));
    }
    AuthCommand.stdin = () -> new ByteArrayInputStream(new byte[0]);
    assertOneErrorLine(change(db, "user", "add", "bob", "--password-stdin"), 2);
    assertOneErrorLine(change(db, "user", "add", "bob", "--password-stdin", "--password-env", "BOB_PW"), 2);
  }

  @Test
  void lastAdministrator_refused_otherUsersManageableWithoutAnyAdmin() throws Exception {
    assertOk(change(db, "user", "add", "alice", "--password-env", "BOB_PW"));
    assertOk(change(db, "user", "add", "bob", "--password-env", "BOB_PW"));
    // no administrator exists: before the fix every disable/delete/set-roles was refused
    assertOk(change(db, "user", "disable", "alice"));
    assertOk(change(db, "user", "delete", "alice"));
    assertOk(change(db, "user", "set-roles", "bob", "--role", "admin"));
    Run last = change(db, "user", "set-roles", "bob", "--role", "ops");
    assertOneErrorLine(last, 1);
    assertTrue(last.err().contains("no enabled administrator would remain"), last.err());
    assertOneErrorLine(change(db, "user", "disable", "bob"), 1);
    assertOneErrorLine(change(db, "user", "delete", "bob"), 1);
    assertTrue(usersList().contains("bob\tadmin,user\tenabled"), usersList());
  }
}
