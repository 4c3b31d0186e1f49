package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class PasswordResetTest {
  static final String NEW_PASSWORD = "a brand new passphrase that is long enough";
  @TempDir Path dir;

  /** The fixture of every test here; {@code *PostgresTest} runs the same tests on PostgreSQL by overriding it. */
  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return new AuthFixture(dir, settings);
  }

  @Test
  void resetPassword_wrongCurrent_rejectedAndAudited() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      Principal admin = s.authenticate(AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens().accessToken());
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.resetPassword(admin, "not the current password at all!!".toCharArray(), NEW_PASSWORD.toCharArray()));
      AuditEvent e = f.audit.named("auth.password.reset").get(0);
      assertEquals(admin.userId(), e.actor());
      assertEquals("failure", e.metadata().get("outcome"));
      // nothing changed: the old password still works
      AuthFixture.login(s, "admin", ADMIN_PASSWORD, false);
    }
  }

  @Test
  void resetPassword_policyViolation_rejectedWithReason() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      Principal admin = s.authenticate(AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens().accessToken());
      PasswordPolicyException e =
          assertThrows(
              PasswordPolicyException.class,
              () -> s.resetPassword(admin, ADMIN_PASSWORD.toCharArray(), "short".toCharArray()));
      assertEquals(List.of("password must be at least 32 characters"), e.violations());
      assertEquals("rejected", f.audit.named("auth.password.reset").get(0).metadata().get("outcome"));
      AuthFixture.login(s, "admin", ADMIN_PASSWORD, false);
    }
  }

  @Test
  void resetPassword_nonAdmin_forbidden() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal bob = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      assertThrows(
          ForbiddenException.class,
          () -> s.resetPassword(bob, USER_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray()));
      assertEquals(1, f.audit.named("auth.forbidden").size());
      AuthFixture.login(s, "bob", USER_PASSWORD, false);
    }
  }

  @Test
  void resetPassword_success_killsEveryEarlierTokenAlsoAfterRestart() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    AuthTokens before1;
    AuthTokens before2;
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      before1 = AuthFixture.login(s, "admin", ADMIN_PASSWORD, true).tokens();
      before2 = AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens();
      Principal admin = s.authenticate(before1.accessToken());
      s.resetPassword(admin, ADMIN_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray());

      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "admin", ADMIN_PASSWORD, false));
      AuthFixture.login(s, "admin", NEW_PASSWORD, false);
      assertRejected(s, before1, before2);

      AuditEvent e = f.audit.named("auth.password.reset").get(0);
      assertEquals(admin.userId(), e.actor());
      assertEquals("success", e.metadata().get("outcome"));
      String dump = f.audit.dump();
      assertFalse(dump.contains(NEW_PASSWORD), "new password never audited");
      assertFalse(dump.contains(ADMIN_PASSWORD), "old password never audited");
      assertFalse(dump.contains(before1.refreshToken()), "tokens never audited");
    }
    // simulated restart: a new service on the same files
    try (AuthService s = f.open()) {
      assertRejected(s, before1, before2);
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "admin", ADMIN_PASSWORD, false));
      AuthTokens fresh = AuthFixture.login(s, "admin", NEW_PASSWORD, false).tokens();
      assertTrue(s.authenticate(fresh.accessToken()).hasRole(Principal.ROLE_ADMIN));
    }
  }

  /** Resets the admin's password (two sessions open) and returns the earlier tokens. */
  private static AuthTokens[] resetWithTwoSessions(AuthService s) throws Exception {
    AuthFixture.createAdmin(s);
    AuthTokens t1 = AuthFixture.login(s, "admin", ADMIN_PASSWORD, true).tokens();
    AuthTokens t2 = AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens();
    s.resetPassword(s.authenticate(t1.accessToken()), ADMIN_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray());
    return new AuthTokens[] {t1, t2};
  }

  private static void sql(AuthFixture f, String statement) throws Exception {
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.executeUpdate(statement);
    }
  }

  @Test
  void resetPassword_tokenVersionAlone_rejectsEveryEarlierTokenAfterRestart() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    AuthTokens[] before;
    try (AuthService s = f.open()) {
      before = resetWithTwoSessions(s);
    }
    // take the session revocations away: only the persisted token version is left to reject the old tokens
    sql(f, "UPDATE sessions SET revoked_at = NULL, revoke_reason = NULL");
    try (AuthService s = f.open()) {
      assertRejected(s, before);
      // control: the same service accepts a token of the current version
      assertEquals("admin", s.authenticate(AuthFixture.login(s, "admin", NEW_PASSWORD, false).tokens().accessToken())
          .username());
    }
  }

  @Test
  void resetPassword_revokedSessionsAlone_rejectEveryEarlierTokenAfterRestart() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    AuthTokens[] before;
    try (AuthService s = f.open()) {
      before = resetWithTwoSessions(s);
    }
    // roll the token version back: only the revoked sessions are left to reject the old tokens
    sql(f, "UPDATE users SET token_version = 0");
    try (AuthService s = f.open()) {
      assertRejected(s, before);
      assertEquals("admin", s.authenticate(AuthFixture.login(s, "admin", NEW_PASSWORD, false).tokens().accessToken())
          .username());
    }
  }

  @Test
  void resetPassword_onAnotherInstance_rejectedHereWithinTheBound() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService a = f.open()) {
      AuthFixture.createAdmin(a);
      AuthTokens before = AuthFixture.login(a, "admin", ADMIN_PASSWORD, true).tokens();
      assertTrue(a.authenticate(before.accessToken()).hasRole(Principal.ROLE_ADMIN));
      try (ChildAuth b = ChildAuth.start(f)) {
        String[] onB = b.call("login", "admin", ADMIN_PASSWORD);
        b.call("reset", onB[0], ADMIN_PASSWORD, NEW_PASSWORD);
        assertThrows(InvalidTokenException.class, () -> a.refresh(before.refreshToken(), CLIENT));
        f.advance(AuthSettings.defaults().revocationCheckInterval());
        assertThrows(InvalidTokenException.class, () -> a.authenticate(before.accessToken()));
        assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(a, "admin", ADMIN_PASSWORD, false));
        // and the other way round: a login on this instance with the new password works on B
        String fresh = AuthFixture.login(a, "admin", NEW_PASSWORD, false).tokens().accessToken();
        assertEquals("admin", b.call("auth", fresh)[0]);
        assertThrows(ChildAuth.ChildException.class, () -> b.call("auth", before.accessToken()));
      }
    }
  }

  private static void assertRejected(AuthService s, AuthTokens... ts) {
    for (AuthTokens t : ts) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(t.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.refresh(t.refreshToken(), CLIENT));
    }
  }
}
