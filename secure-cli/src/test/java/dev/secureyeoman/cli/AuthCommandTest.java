package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.InvalidTokenException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthCommandTest {
  static final String AUDIT_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'D');
  static final String ADMIN_PW = "the first admin password, long enough";
  static final String BOB_PW = "bob's own password that is long enough";
  static final String TEMP_PW = "temporary password from the operator!";
  static final ClientInfo CLIENT = ClientInfo.of("192.0.2.1");

  @TempDir Path dir;
  Path db;
  Path auditDb;
  final Map<String, String> envVars = new HashMap<>();
  final List<AuditEvent> hostAudit = new ArrayList<>();
  final byte[] hostKey = new byte[32];

  @BeforeEach
  void setUp() {
    db = dir.resolve("data/auth.db");
    auditDb = dir.resolve("data/audit.db");
    envVars.put("SECUREYEOMAN_AUDIT_KEY", AUDIT_KEY);
    envVars.put("ADMIN_PW", ADMIN_PW);
    envVars.put("BOB_PW", BOB_PW);
    envVars.put("TEMP_PW", TEMP_PW);
    AuthCommand.env = envVars::get;
    AuthCommand.prompt = p -> null; // no terminal
    AuditCommand.env = envVars::get;
    hostKey[0] = 9;
  }

  @AfterEach
  void tearDown() {
    AuthCommand.env = System::getenv;
    AuditCommand.env = System::getenv;
  }

  private Run run(String... args) {
    return Run.of(args);
  }

  /** A changing command with the common options. */
  private Run change(String... args) {
    List<String> a = new ArrayList<>(List.of("auth"));
    a.addAll(List.of(args));
    a.addAll(List.of("--db", db.toString(), "--audit-db", auditDb.toString(), "--operator", "ops"));
    return run(a.toArray(String[]::new));
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

  /** The host (gateway) side: the real service with its own master key on the same database. */
  private AuthService host() throws AuthException {
    return AuthService.builder()
        .dataSource(AuthDataSources.sqlite(db))
        .auditSink(hostAudit::add)
        .masterKey(SecretBytes.copyOf(hostKey))
        .build();
  }

  private String auditSearch(String word) {
    Run r = run("audit", "search", "--db", auditDb.toString(), word);
    assertEquals(0, r.code(), r.err());
    return r.out();
  }

  @Test
  void userAdd_list_thenTheHostLogsIn_andTheChangeIsAudited() throws Exception {
    Run add = change("user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW");
    assertOk(add);
    assertTrue(add.out().matches("created user admin \\(id [A-Za-z0-9_-]{22}\\)\\R"), add.out());
    assertOk(change("user", "add", "bob", "--password-env", "BOB_PW"));
    Run list = run("auth", "user", "list", "--db", db.toString());
    assertOk(list);
    List<String> lines = list.out().lines().toList();
    assertEquals("USER\tROLES\tSTATUS\t2FA\tPASSWORD\tCREATED", lines.get(0));
    assertTrue(lines.get(1).matches("admin\tadmin,user\tenabled\toff\tok\t\\d{4}-.*Z"), lines.get(1));
    assertTrue(lines.get(2).startsWith("bob\tuser\tenabled\toff\tok\t"), lines.get(2));
    try (AuthService s = host()) {
      LoginResult r = s.login("admin", ADMIN_PW.toCharArray(), false, CLIENT);
      assertTrue(s.authenticate(((LoginResult.Authenticated) r).tokens().accessToken()).hasRole("admin"));
    }
    String audited = auditSearch("created");
    assertTrue(audited.contains("auth.user.created\toperator:ops"), audited);
    assertOk(run("audit", "verify", "--db", auditDb.toString()));
    assertFalse(Files.readString(auditDb, StandardCharsets.ISO_8859_1).contains(ADMIN_PW));
  }

  @Test
  void lostAdminPassword_resetFromTheCli_forcesAChangeAtNextLogin_oldSessionsDie() throws Exception {
    assertOk(change("user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    AuthTokens before;
    try (AuthService s = host()) {
      before = ((LoginResult.Authenticated) s.login("admin", ADMIN_PW.toCharArray(), true, CLIENT)).tokens();
    }
    // the operator types the temporary password twice at the prompt
    AuthCommand.prompt = p -> new char[][] {TEMP_PW.toCharArray(), TEMP_PW.toCharArray()};
    Run reset = change("user", "reset-password", "ADMIN");
    assertOk(reset);
    assertEquals("password of ADMIN reset; a new one must be chosen at the next login\n", reset.out());
    try (AuthService s = host()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(before.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.refresh(before.refreshToken(), CLIENT));
      assertThrows(InvalidCredentialsException.class, () -> s.login("admin", ADMIN_PW.toCharArray(), false, CLIENT));
      String ch =
          assertInstanceOf(
                  LoginResult.PasswordChangeRequired.class, s.login("admin", TEMP_PW.toCharArray(), false, CLIENT))
              .challengeToken();
      LoginResult done = s.completePasswordChange(ch, "the admin's brand new password!!!".toCharArray(), CLIENT);
      assertTrue(s.authenticate(((LoginResult.Authenticated) done).tokens().accessToken()).hasRole("admin"));
    }
    assertTrue(auditSearch("reset").contains("auth.password.reset\toperator:ops"));
  }

  @Test
  void disableEnableSetRolesDelete_takeEffectOnTheHost() throws Exception {
    assertOk(change("user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    assertOk(change("user", "add", "bob", "--password-env", "BOB_PW"));
    AuthTokens bob;
    try (AuthService s = host()) {
      bob = ((LoginResult.Authenticated) s.login("bob", BOB_PW.toCharArray(), false, CLIENT)).tokens();
    }
    assertOk(change("user", "disable", "bob"));
    try (AuthService s = host()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(bob.accessToken()));
      assertThrows(InvalidCredentialsException.class, () -> s.login("bob", BOB_PW.toCharArray(), false, CLIENT));
    }
    assertTrue(run("auth", "user", "list", "--db", db.toString()).out().contains("bob\tuser\tdisabled\t"));
    assertOk(change("user", "enable", "bob"));
    Run roles = change("user", "set-roles", "bob", "--role", "ops", "--role", "admin");
    assertOk(roles);
    assertEquals("roles of bob: admin,ops,user; earlier tokens revoked\n", roles.out());
    try (AuthService s = host()) {
      Principal p =
          s.authenticate(
              ((LoginResult.Authenticated) s.login("bob", BOB_PW.toCharArray(), false, CLIENT)).tokens().accessToken());
      assertEquals(java.util.Set.of("admin", "ops", "user"), p.roles());
    }
    assertOk(change("user", "delete", "bob"));
    try (AuthService s = host()) {
      assertThrows(InvalidCredentialsException.class, () -> s.login("bob", BOB_PW.toCharArray(), false, CLIENT));
    }
    String audited = auditSearch("ops");
    for (String e : List.of("auth.user.disabled", "auth.user.enabled", "auth.user.roles_changed",
        "auth.user.deleted")) {
      assertTrue(audited.contains(e + "\toperator:ops"), e + " in " + audited);
    }
  }

  @Test
  void sessions_listAndRevoke_oneOrAllOfAUser() throws Exception {
    assertOk(change("user", "add", "bob", "--password-env", "BOB_PW"));
    AuthTokens a;
    AuthTokens b;
    String sidA;
    try (AuthService s = host()) {
      LoginResult.Authenticated la = (LoginResult.Authenticated) s.login("bob", BOB_PW.toCharArray(), false,
          ClientInfo.of("198.51.100.1\u001b[2J"));
      a = la.tokens();
      sidA = la.principal().sessionId();
      b = ((LoginResult.Authenticated) s.login("bob", BOB_PW.toCharArray(), true, CLIENT)).tokens();
    }
    Run list = run("auth", "sessions", "list", "--db", db.toString(), "--user", "bob");
    assertOk(list);
    List<String> lines = list.out().lines().toList();
    assertEquals("SESSION\tUSER\tCREATED\tEXPIRES\tLAST_USED\tCLIENT\tSTATUS", lines.get(0));
    assertEquals(3, lines.size(), list.out());
    assertTrue(list.out().contains(sidA + "\tbob\t"), list.out());
    assertTrue(list.out().contains("198.51.100.1\\u001b[2J"), "control characters escaped: " + list.out());
    assertFalse(list.out().contains("\u001b"));
    assertFalse(list.out().contains(a.refreshToken()));
    Run revoke = change("sessions", "revoke", sidA);
    assertOk(revoke);
    try (AuthService s = host()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(a.accessToken()));
      assertEquals("bob", s.authenticate(b.accessToken()).username());
    }
    assertOneErrorLine(change("sessions", "revoke", sidA), 1);
    assertOk(change("sessions", "revoke", "--user", "bob"));
    try (AuthService s = host()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(b.accessToken()));
    }
    Run all = run("auth", "sessions", "list", "--db", db.toString(), "--all");
    assertTrue(all.out().contains("revoked:admin"), all.out());
    assertEquals(1, run("auth", "sessions", "list", "--db", db.toString()).out().lines().count(), "header only");
  }

  /** A random source whose every draw starts with the bits of base64url '-' (62): every id starts with '-'. */
  private static final class DashFirst extends SecureRandom {
    private static final long serialVersionUID = 1L;

    @Override
    public void nextBytes(byte[] bytes) {
      super.nextBytes(bytes);
      if (bytes.length > 0) {
        bytes[0] = (byte) (0xF8 | (bytes[0] & 0x03));
      }
    }
  }

  @Test
  void sessionsRevoke_idStartingWithDash_isTheSessionNotAnOption_withOrWithoutEndOfOptions() throws Exception {
    assertOk(change("user", "add", "bob", "--password-env", "BOB_PW"));
    List<AuthTokens> tokens = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try (AuthService s =
        AuthService.builder()
            .dataSource(AuthDataSources.sqlite(db))
            .auditSink(hostAudit::add)
            .masterKey(SecretBytes.copyOf(hostKey))
            .random(new DashFirst())
            .build()) {
      for (int i = 0; i < 3; i++) {
        LoginResult.Authenticated l = (LoginResult.Authenticated) s.login("bob", BOB_PW.toCharArray(), false, CLIENT);
        tokens.add(l.tokens());
        ids.add(l.principal().sessionId());
      }
    }
    ids.forEach(id -> assertTrue(id.startsWith("-"), id));
    assertTrue(run("auth", "sessions", "list", "--db", db.toString()).out().contains(ids.get(0) + "\tbob\t"));
    // as printed by 'sessions list', before the options
    assertOk(change("sessions", "revoke", ids.get(0)));
    // after '--' (end of options), the common options first
    assertOk(run("auth", "sessions", "revoke", "--db", db.toString(), "--audit-db", auditDb.toString(),
        "--operator", "ops", "--", ids.get(1)));
    try (AuthService s = host()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(tokens.get(0).accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(tokens.get(1).accessToken()));
      assertEquals("bob", s.authenticate(tokens.get(2).accessToken()).username(), "the other session still works");
    }
    // a dash-led word that is no session is still an error, and real options still work as options
    for (String word : List.of("-no-such-session", "-hAbc-no-such-session", "-VAbc", "-Abc")) {
      assertOneErrorLine(change("sessions", "revoke", word), 1);
    }
    assertOneErrorLine(change("sessions", "revoke", ids.get(2), "--user", "bob"), 2);
    Run help = run("auth", "sessions", "revoke", "-h");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().contains("Usage:"), help.out());
  }

  @Test
  void failures_oneErrorLine_exitCodes_andNothingChanged() throws Exception {
    assertOk(change("user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    // operation failed: exit 1
    assertOneErrorLine(change("user", "disable", "nobody"), 1);
    Run weak = change("user", "add", "carol", "--password-env", "WEAK");
    assertOneErrorLine(weak, 2); // WEAK is not set: usage
    envVars.put("WEAK", "short");
    weak = change("user", "add", "carol", "--password-env", "WEAK");
    assertOneErrorLine(weak, 1);
    assertTrue(weak.err().contains("at least 32 characters"), weak.err());
    assertFalse(weak.err().contains("short"), "the password itself is never echoed");
    assertOneErrorLine(change("user", "add", "admin", "--password-env", "BOB_PW"), 1); // taken
    assertOneErrorLine(change("user", "delete", "admin"), 1); // the last administrator
    AuthCommand.prompt = p -> new char[][] {TEMP_PW.toCharArray(), "something else entirely".toCharArray()};
    Run mismatch = change("user", "reset-password", "admin");
    assertOneErrorLine(mismatch, 1);
    assertTrue(mismatch.err().contains("do not match"));
    AuthCommand.prompt = p -> null;
    assertOneErrorLine(run("auth", "user", "list", "--db", dir.resolve("missing.db").toString()), 1);
    assertOneErrorLine(run("auth", "user", "disable", "admin", "--db", db.toString(), "--operator", "ops",
        "--audit-db", auditDb.toString(), "--audit-key-file", dir.resolve("no-such-key").toString()), 1);
    // usage errors: exit 2
    assertOneErrorLine(run("auth", "user", "disable", "admin", "--db", db.toString()), 2); // no --audit-db
    assertOneErrorLine(change("user", "add", "dave", "--password", "on-argv-is-refused"), 2);
    assertOneErrorLine(change("user", "add", "dave"), 2); // no terminal, no --password-env
    assertOneErrorLine(change("sessions", "revoke"), 2);
    assertOneErrorLine(run("auth"), 2);
    assertOneErrorLine(run("auth", "user"), 2);
    envVars.remove("SECUREYEOMAN_AUDIT_KEY");
    assertOneErrorLine(change("user", "disable", "admin"), 2);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", AUDIT_KEY);
    // nothing of the above changed the account
    Run list = run("auth", "user", "list", "--db", db.toString());
    assertEquals(2, list.out().lines().count(), list.out());
    assertTrue(list.out().contains("admin\tadmin,user\tenabled\toff\tok"), list.out());
    try (AuthService s = host()) {
      assertInstanceOf(LoginResult.Authenticated.class, s.login("admin", ADMIN_PW.toCharArray(), false, CLIENT));
    }
  }

  @Test
  void config_passwordPolicyFromTheHostConfiguration() throws Exception {
    envVars.put("SHORT_PW", "twelve chars");
    Run refused = change("user", "add", "carol", "--password-env", "SHORT_PW");
    assertOneErrorLine(refused, 1); // the default policy asks for 32
    Path config = dir.resolve("app.yaml");
    Files.writeString(config, "security:\n  auth:\n    password_min_length: 12\n");
    Run ok = change("user", "add", "carol", "--password-env", "SHORT_PW", "--config", config.toString());
    assertOk(ok);
    try (AuthService s = host()) {
      assertInstanceOf(LoginResult.Authenticated.class, s.login("carol", "twelve chars".toCharArray(), false, CLIENT));
    }
    Files.writeString(config, "security:\n  auth:\n    password_min_length: 2\n");
    Run bad = change("user", "add", "dave", "--password-env", "SHORT_PW", "--config", config.toString());
    assertOneErrorLine(bad, 1);
    assertTrue(bad.err().contains("password_min_length"), bad.err());
  }

  @Test
  void auditLogUnwritable_changeRefused_stateUnchanged() throws Exception {
    assertOk(change("user", "add", "admin", "--role", "admin", "--password-env", "ADMIN_PW"));
    assertOk(change("user", "add", "bob", "--password-env", "BOB_PW"));
    Path blocked = dir.resolve("not-a-db");
    Files.createDirectories(blocked.resolve("audit.db")); // a directory where the audit database should be
    Run r =
        run("auth", "user", "disable", "bob", "--db", db.toString(), "--audit-db", blocked.resolve("audit.db")
            .toString());
    assertOneErrorLine(r, 1);
    assertTrue(run("auth", "user", "list", "--db", db.toString()).out().contains("bob\tuser\tenabled"));
  }

  @Test
  void help_onEveryAuthCommand_exitsZero() {
    for (String[] cmd : List.of(
        new String[] {"auth", "--help"},
        new String[] {"auth", "user", "--help"},
        new String[] {"auth", "user", "add", "--help"},
        new String[] {"auth", "user", "reset-password", "--help"},
        new String[] {"auth", "sessions", "--help"},
        new String[] {"auth", "sessions", "revoke", "--help"})) {
      Run r = run(cmd);
      assertEquals(0, r.code(), String.join(" ", cmd) + r.err());
      assertTrue(r.out().startsWith("Usage: secureyeoman auth"), r.out());
    }
    assertTrue(run("auth", "user", "add", "--help").out().contains("--password-env"));
    assertFalse(run("auth", "user", "add", "--help").out().contains("--password "));
  }

  @Test
  void printable_escapesTerminalControl() {
    assertEquals("a\\u001b[2Jb\\u000a\\u202e\\\\", SecureYeomanCli.printable("a\u001b[2Jb\n\u202e\\"));
    assertEquals("plain é", SecureYeomanCli.printable("plain é"));
  }
}
