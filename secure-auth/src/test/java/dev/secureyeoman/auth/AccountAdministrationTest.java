package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Keycloak or Spring Security user expects: users change their own password; an administrator lists, disables,
 * enables, deletes users, sets roles and resets passwords (forcing a change at the next login); every action is audited
 * with the acting administrator and revokes the user's sessions and tokens the way a reset does.
 */
class AccountAdministrationTest {
  static final String NEW_PASSWORD = "bob picked a new and long passphrase";
  static final String TEMP_PASSWORD = "temporary password the admin handed out";
  @TempDir Path dir;

  private static UserAdministration adminOf(AuthService s) throws Exception {
    return s.admin(s.authenticate(AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens().accessToken()));
  }

  private static void assertDead(AuthService s, AuthTokens t) {
    assertThrows(InvalidTokenException.class, () -> s.authenticate(t.accessToken()));
    assertThrows(InvalidTokenException.class, () -> s.refresh(t.refreshToken(), CLIENT));
  }

  @Test
  void changePassword_anyUser_currentRequired_revokesEverySession() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens other = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.changePassword(p, "not bob's current password at all".toCharArray(), NEW_PASSWORD.toCharArray()));
      assertThrows(
          PasswordPolicyException.class, () -> s.changePassword(p, USER_PASSWORD.toCharArray(), "short".toCharArray()));
      assertEquals("bob", s.authenticate(other.accessToken()).username(), "refused changes change nothing");
      s.changePassword(p, USER_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray());
      assertDead(s, t);
      assertDead(s, other);
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "bob", USER_PASSWORD, false));
      AuthFixture.login(s, "bob", NEW_PASSWORD, false);
      List<String> outcomes =
          f.audit.named("auth.password.changed").stream().map(e -> (String) e.metadata().get("outcome")).toList();
      assertEquals(List.of("failure", "rejected", "success"), outcomes);
      assertFalse(f.audit.dump().contains(NEW_PASSWORD));
    }
  }

  @Test
  void admin_nonAdminPrincipal_forbidden_andOperatorNameValidated() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal bob = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      assertThrows(ForbiddenException.class, () -> s.admin(bob));
      assertEquals(1, f.audit.named("auth.forbidden").size());
      assertThrows(IllegalArgumentException.class, () -> s.operator("root\nforged"));
      assertThrows(IllegalArgumentException.class, () -> s.operator(""));
    }
  }

  @Test
  void resetPassword_byAdmin_revokes_forcesChangeAtNextLogin_noTokensBefore() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      AuthTokens before = AuthFixture.login(s, "bob", USER_PASSWORD, true).tokens();
      UserAdministration admin = adminOf(s);
      admin.resetPassword("bob", TEMP_PASSWORD.toCharArray());
      assertDead(s, before);
      assertTrue(admin.findUser("bob").orElseThrow().mustChangePassword());
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "bob", USER_PASSWORD, false));
      // the temporary password yields no tokens, only a challenge to choose a new password
      LoginResult r = s.login("bob", TEMP_PASSWORD.toCharArray(), true, CLIENT);
      String ch = assertInstanceOf(LoginResult.PasswordChangeRequired.class, r).challengeToken();
      assertFalse(r.toString().contains(ch));
      assertThrows(
          PasswordPolicyException.class, () -> s.completePasswordChange(ch, TEMP_PASSWORD.toCharArray(), CLIENT),
          "the administrator's password cannot be kept");
      assertThrows(
          PasswordPolicyException.class, () -> s.completePasswordChange(ch, "short".toCharArray(), CLIENT));
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completePasswordChange("sypc_forged", NEW_PASSWORD.toCharArray(), CLIENT));
      assertThrows(
          InvalidCredentialsException.class, () -> s.completeMfa(ch, "123456", CLIENT), "not an MFA challenge");
      LoginResult.Authenticated a =
          assertInstanceOf(
              LoginResult.Authenticated.class, s.completePasswordChange(ch, NEW_PASSWORD.toCharArray(), CLIENT));
      assertTrue(a.tokens().rememberMe(), "the login's remember-me choice is kept");
      assertEquals("bob", s.authenticate(a.tokens().accessToken()).username());
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completePasswordChange(ch, "yet another passphrase, long enough".toCharArray(), CLIENT),
          "single use");
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "bob", TEMP_PASSWORD, false));
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", NEW_PASSWORD.toCharArray(), false, CLIENT));
      AuditEvent reset = f.audit.named("auth.password.reset").get(0);
      assertEquals(adminId(s), reset.actor());
      assertEquals("bob", reset.metadata().get("username"));
      assertEquals(true, reset.metadata().get("forced_change"));
      assertFalse(f.audit.dump().contains(TEMP_PASSWORD));
    }
  }

  private static String adminId(AuthService s) throws Exception {
    return s.operator("t").findUser("admin").orElseThrow().id();
  }

  @Test
  void resetPassword_userWith2fa_changeThenSecondFactor() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(Duration.ofSeconds(30));
      s.operator("ops").resetPassword("bob", TEMP_PASSWORD.toCharArray());
      String ch =
          assertInstanceOf(
                  LoginResult.PasswordChangeRequired.class, s.login("bob", TEMP_PASSWORD.toCharArray(), false, CLIENT))
              .challengeToken();
      LoginResult.MfaRequired m =
          assertInstanceOf(
              LoginResult.MfaRequired.class, s.completePasswordChange(ch, NEW_PASSWORD.toCharArray(), CLIENT));
      assertEquals(
          "bob", s.authenticate(s.completeMfa(m.challengeToken(), f.totp(secret), CLIENT).tokens().accessToken())
              .username());
    }
  }

  @Test
  void disableEnableDelete_revokeAndRefuseLogin_genericError() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      UserAdministration admin = adminOf(s);
      admin.disableUser("BOB"); // names are case-insensitive
      assertDead(s, t);
      InvalidCredentialsException e =
          assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "bob", USER_PASSWORD, false));
      assertEquals(InvalidCredentialsException.MESSAGE, e.getMessage(), "same error as a wrong password");
      List<AuditEvent> failures = f.audit.named("auth.login.failure");
      assertEquals("disabled", failures.get(failures.size() - 1).metadata().get("reason"));
      assertFalse(admin.findUser("bob").orElseThrow().enabled());
      admin.enableUser("bob");
      AuthTokens again = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      admin.deleteUser("bob");
      assertDead(s, again);
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "bob", USER_PASSWORD, false));
      assertEquals(List.of("admin"), admin.listUsers().stream().map(UserInfo::username).toList());
      assertThrows(NoSuchUserException.class, () -> admin.disableUser("bob"));
      assertEquals(
          List.of("auth.user.disabled", "auth.user.enabled", "auth.user.deleted"),
          f.audit.events().stream().map(AuditEvent::event).filter(n -> n.startsWith("auth.user.")
              && !n.equals("auth.user.created")).toList());
    }
  }

  @Test
  void setRoles_oldTokensDie_newLoginCarriesNewRoles_lastAdminProtected() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      UserAdministration admin = adminOf(s);
      admin.setRoles("bob", Set.of(Principal.ROLE_ADMIN));
      assertDead(s, t);
      Principal bob = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      assertEquals(Set.of("admin", "user"), bob.roles());
      assertThrows(IllegalArgumentException.class, () -> admin.setRoles("bob", Set.of("Bad Role")));
      // the last enabled administrator cannot be removed, whichever way
      s.admin(bob).setRoles("admin", Set.of());
      UserAdministration asBob = s.admin(bob);
      assertThrows(LastAdministratorException.class, () -> asBob.setRoles("bob", Set.of()));
      assertThrows(LastAdministratorException.class, () -> asBob.disableUser("bob"));
      assertThrows(LastAdministratorException.class, () -> asBob.deleteUser("bob"));
      assertEquals(Set.of("admin", "user"), asBob.findUser("bob").orElseThrow().roles(), "nothing changed");
      assertTrue(asBob.findUser("bob").orElseThrow().enabled());
      assertEquals("bob", s.authenticate(
          AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken()).username());
    }
  }

  @Test
  void sessions_listedAndRevoked_oneOrAll() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens a = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      f.advance(Duration.ofSeconds(1));
      AuthTokens b =
          ((LoginResult.Authenticated)
                  s.login("bob", USER_PASSWORD.toCharArray(), true, new ClientInfo("203.0.113.9", Optional.of("UA/1"))))
              .tokens();
      UserAdministration ops = s.operator("cli");
      List<SessionInfo> list = ops.listSessions(Optional.of("bob"), false);
      assertEquals(2, list.size());
      SessionInfo newest = list.get(0);
      assertEquals(s.authenticate(b.accessToken()).sessionId(), newest.id());
      assertTrue(newest.rememberMe());
      assertEquals(Optional.of("203.0.113.9"), newest.clientAddress());
      assertEquals(Optional.of("UA/1"), newest.userAgent());
      assertFalse(newest.toString().contains(b.refreshToken()));
      assertTrue(ops.revokeSession(newest.id()));
      assertFalse(ops.revokeSession(newest.id()), "already revoked");
      assertFalse(ops.revokeSession("no-such-session"));
      assertDead(s, b);
      assertEquals("bob", s.authenticate(a.accessToken()).username());
      assertEquals(1, ops.listSessions(Optional.empty(), false).size());
      assertEquals(2, ops.listSessions(Optional.empty(), true).size());
      assertEquals(Optional.of("admin"), ops.listSessions(Optional.of("bob"), true).get(0).revokeReason());
      ops.revokeSessions("bob");
      assertDead(s, a);
      assertEquals("operator:cli", f.audit.named("auth.session.revoked").get(0).actor());
      assertEquals(1, f.audit.named("auth.session.revoked_all").size());
      assertThrows(NoSuchUserException.class, () -> ops.listSessions(Optional.of("nobody"), false));
    }
  }

  @Test
  void resetSecondFactor_lostDevice_loginWithoutCodeAgain_andSessionsRevoked() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());
      f.enrollTotp(s, p, USER_PASSWORD);
      UserInfo before = s.operator("ops").findUser("bob").orElseThrow();
      assertTrue(before.totpEnabled());
      s.operator("ops").resetSecondFactor("bob");
      assertDead(s, t);
      assertFalse(s.isTotpEnabled(p.userId()));
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      assertEquals(1, f.audit.named("auth.totp.reset").size());
    }
  }

  @Test
  void createUser_throughAdministration_auditedWithTheAdmin() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      String id = adminOf(s).createUser("carol", USER_PASSWORD.toCharArray(), Set.of("ops"));
      AuditEvent created = f.audit.named("auth.user.created").get(1);
      assertEquals(adminId(s), created.actor());
      assertEquals(id, created.metadata().get("user_id"));
      assertEquals(List.of("ops", "user"), created.metadata().get("roles"));
      UserInfo carol = s.operator("t").findUser("carol").orElseThrow();
      assertEquals(Set.of("ops", "user"), carol.roles());
      assertTrue(carol.enabled());
      assertFalse(carol.totpEnabled());
      assertEquals(f.clock.instant(), carol.createdAt());
    }
  }
}
