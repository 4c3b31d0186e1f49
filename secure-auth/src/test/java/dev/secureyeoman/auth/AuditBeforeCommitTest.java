package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.audit.AuditEvent;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each state change and its audit event are one unit: with the audit sink down the operation fails with {@link
 * AuthStorageException} and nothing changed; once the sink is back the same request succeeds. Before the fix the events
 * were written after COMMIT: a reset succeeded unaudited and a refresh lost the session, making the client's retry look
 * like reuse.
 */
class AuditBeforeCommitTest {
  static final String NEW_PASSWORD = "a brand new passphrase that is long enough";
  @TempDir Path dir;

  private static long count(AuthFixture f, String sql) throws Exception {
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The key id of a fresh login's access token. */
  private static String kidOfNewLogin(AuthService s) throws Exception {
    return SignedJWT.parse(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken()).getHeader()
        .getKeyID();
  }

  private static Principal admin(AuthService s) throws Exception {
    return s.authenticate(AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens().accessToken());
  }

  @Test
  void resetPassword_sinkDown_failsAndChangesNothing() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthTokens t = AuthFixture.login(s, "admin", ADMIN_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());
      f.audit.setFailing(true);
      assertThrows(
          AuthStorageException.class,
          () -> s.resetPassword(p, ADMIN_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray()));
      f.audit.setFailing(false);
      assertEquals(0, f.audit.named("auth.password.reset").size());
      assertEquals("admin", s.authenticate(t.accessToken()).username(), "token version unchanged");
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(s, "admin", NEW_PASSWORD, false));
      s.refresh(t.refreshToken(), CLIENT); // session not revoked
      // control: with the sink back the reset goes through, audited
      s.resetPassword(admin(s), ADMIN_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray());
      assertEquals("success", f.audit.named("auth.password.reset").get(0).metadata().get("outcome"));
    }
  }

  @Test
  void disableTotp_sinkDown_failsAndStaysEnabled_codeNotUsedUp() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(Duration.ofSeconds(30));
      String code = f.totp(secret);
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, () -> s.disableTotp(p, USER_PASSWORD.toCharArray(), code));
      f.audit.setFailing(false);
      assertTrue(s.isTotpEnabled(p.userId()));
      assertEquals(10, count(f, "SELECT count(*) FROM recovery_codes"));
      // the same code still works at once: its step was not used up and the attempt was not counted as a failure
      s.disableTotp(p, USER_PASSWORD.toCharArray(), code);
      assertFalse(s.isTotpEnabled(p.userId()));
      assertEquals(1, f.audit.named("auth.totp.disabled").size());
    }
  }

  @Test
  void completeMfa_sinkDown_noSession_retryWithTheSameChallengeAndCodeWorks() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(Duration.ofSeconds(30));
      LoginResult.MfaRequired m =
          assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      String code = f.totp(secret);
      long sessions = count(f, "SELECT count(*) FROM sessions");
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, () -> s.completeMfa(m.challengeToken(), code, CLIENT));
      f.audit.setFailing(false);
      assertEquals(sessions, count(f, "SELECT count(*) FROM sessions"));
      assertEquals(0, count(f, "SELECT mfa_failures FROM users WHERE username_key = 'bob'"));
      assertEquals("bob", s.authenticate(s.completeMfa(m.challengeToken(), code, CLIENT).tokens().accessToken())
          .username());
    }
  }

  @Test
  void logoutEverywhere_sinkDown_failsAndEveryTokenStaysValid() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens a = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      AuthTokens b = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(a.accessToken());
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, () -> s.logoutEverywhere(p));
      f.audit.setFailing(false);
      assertEquals("bob", s.authenticate(a.accessToken()).username());
      assertEquals("bob", s.authenticate(b.accessToken()).username());
      assertEquals(0, count(f, "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL"));
      assertEquals(0, count(f, "SELECT count(*) FROM revocations"), "no revocation announced to other instances");
      s.logoutEverywhere(p);
      assertThrows(InvalidTokenException.class, () -> s.authenticate(b.accessToken()));
    }
  }

  @Test
  void refresh_sinkDown_failsWithoutUsingTheToken_retryIsNotReuse() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, true).tokens();
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, () -> s.refresh(t.refreshToken(), CLIENT));
      f.audit.setFailing(false);
      // the client retries with the same token: a normal refresh, not a reuse, and the session lives on
      AuthTokens next = s.refresh(t.refreshToken(), CLIENT);
      assertTrue(f.audit.named("auth.refresh.reuse").isEmpty());
      assertEquals(1, f.audit.named("auth.refresh").size());
      assertEquals("bob", s.authenticate(next.accessToken()).username());
      assertEquals("bob", s.authenticate(t.accessToken()).username(), "the session was not revoked");
      // control: the rotation still holds: the first token is now used up
      assertThrows(InvalidTokenException.class, () -> s.refresh(t.refreshToken(), CLIENT));
      assertEquals(1, f.audit.named("auth.refresh.reuse").size());
    }
  }

  @Test
  void rotateSigningKey_sinkDown_failsAndTheKeyStays() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    String kid;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      kid = kidOfNewLogin(s);
      f.audit.setFailing(true);
      assertThrows(AuthStorageException.class, s::rotateSigningKey);
      f.audit.setFailing(false);
      assertEquals(kid, kidOfNewLogin(s));
      assertEquals(1, count(f, "SELECT count(*) FROM signing_keys"));
    }
    try (AuthService s = f.open()) {
      assertEquals(kid, kidOfNewLogin(s), "also after a restart");
      String rotated = s.rotateSigningKey();
      assertEquals(rotated, kidOfNewLogin(s));
      assertEquals(1, f.audit.named("auth.key.rotated").size());
    }
  }

  @Test
  void otherChanges_sinkDown_failAndChangeNothing() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      AuthTokens bob = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal pb = s.authenticate(bob.accessToken());
      UserAdministration admin = s.admin(admin(s));
      long sessions = count(f, "SELECT count(*) FROM sessions");
      f.audit.setFailing(true);
      assertThrows(
          AuthStorageException.class, () -> s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT), "login");
      assertThrows(
          AuthStorageException.class, () -> s.createUser("carol", USER_PASSWORD.toCharArray(), Set.of()), "create");
      assertThrows(AuthStorageException.class, () -> s.logout(pb), "logout");
      assertThrows(
          AuthStorageException.class,
          () -> s.changePassword(pb, USER_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray()), "change");
      assertThrows(AuthStorageException.class, () -> admin.disableUser("bob"), "disable");
      assertThrows(AuthStorageException.class, () -> admin.deleteUser("bob"), "delete");
      assertThrows(AuthStorageException.class, () -> admin.setRoles("bob", Set.of("ops")), "roles");
      assertThrows(
          AuthStorageException.class, () -> admin.resetPassword("bob", NEW_PASSWORD.toCharArray()), "admin reset");
      assertThrows(AuthStorageException.class, () -> admin.revokeSessions("bob"), "revoke all");
      assertThrows(AuthStorageException.class, () -> admin.revokeSession(pb.sessionId()), "revoke one");
      f.audit.setFailing(false);
      assertEquals(sessions, count(f, "SELECT count(*) FROM sessions"), "no session opened");
      assertTrue(admin.findUser("carol").isEmpty());
      UserInfo b = admin.findUser("bob").orElseThrow();
      assertTrue(b.enabled());
      assertEquals(Set.of(Principal.ROLE_USER), b.roles());
      assertFalse(b.mustChangePassword());
      Principal again = s.authenticate(bob.accessToken());
      assertEquals(Set.of(Principal.ROLE_USER), again.roles());
      s.refresh(bob.refreshToken(), CLIENT);
      AuthFixture.login(s, "bob", USER_PASSWORD, false);
    }
  }

  /** A data source whose connections fail {@code COMMIT} while {@link #failCommit} is set. */
  static final class FlakyDataSource {
    final AtomicBoolean failCommit = new AtomicBoolean();
    final DataSource ds;

    FlakyDataSource(DataSource real) {
      this.ds =
          proxy(DataSource.class, real, (m, args, r) -> m.getName().equals("getConnection")
              ? proxy(Connection.class, (Connection) r, (m2, a2, r2) -> m2.getName().equals("createStatement")
                  ? proxy(Statement.class, (Statement) r2, (m3, a3, r3) -> r3, this::beforeStatement)
                  : r2, null)
              : r, null);
    }

    private void beforeStatement(java.lang.reflect.Method m, Object[] args) throws SQLException {
      if (m.getName().equals("execute") && "COMMIT".equals(args[0]) && failCommit.get()) {
        throw new SQLException("disk I/O error (injected)");
      }
    }

    interface After {
      Object apply(java.lang.reflect.Method m, Object[] args, Object result);
    }

    interface Before {
      void check(java.lang.reflect.Method m, Object[] args) throws SQLException;
    }

    /** A JDBC object that forwards every call to {@code real}, checked before and wrapped after. */
    private static <T> T proxy(Class<T> type, T real, After after, Before before) {
      InvocationHandler h =
          (p, m, args) -> {
            if (before != null) {
              before.check(m, args);
            }
            try {
              return after.apply(m, args, m.invoke(real, args));
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          };
      return type.cast(Proxy.newProxyInstance(FlakyDataSource.class.getClassLoader(), new Class<?>[] {type}, h));
    }
  }

  @Test
  void commitFails_afterTheEventWasRecorded_compensatingEventNamesIt_andNothingChanged() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    FlakyDataSource flaky = new FlakyDataSource(f.dataSource());
    try (AuthService s =
        AuthService.builder()
            .dataSource(flaky.ds)
            .auditSink(f.audit)
            .masterKey(dev.secureyeoman.core.SecretBytes.copyOf(f.masterKey))
            .settings(f.settings)
            .clock(f.clock)
            .build()) {
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());
      flaky.failCommit.set(true);
      assertThrows(AuthStorageException.class, () -> s.logoutEverywhere(p));
      flaky.failCommit.set(false);
      List<AuditEvent> compensations = f.audit.named("auth.tx.rolled_back");
      assertEquals(1, compensations.size());
      assertEquals(List.of("auth.logout.everywhere"), compensations.get(0).metadata().get("events"));
      assertEquals("bob", s.authenticate(t.accessToken()).username(), "the change really did not happen");
      assertInstanceOf(AuthTokens.class, s.refresh(t.refreshToken(), CLIENT));
    }
  }
}
