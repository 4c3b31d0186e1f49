package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.auth.totp.Base32;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure between two writes of one change: the database rolls the whole change back (a trigger makes the second
 * table refuse the write), and the audit log never claims a change that did not happen (the sink refuses the second
 * event of a transaction).
 */
class HalfAppliedChangeTest {
  static final String NEW_PASSWORD = "the new passphrase that never took effect";
  @TempDir Path dir;

  private AuthFixture fixture() {
    return new AuthFixture(
        dir,
        AuthSettings.builder()
            .hashParameters(AuthFixture.CHEAP)
            .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 10)
            .build());
  }

  private void sql(AuthFixture f, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f.dbFile);
        Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private long count(AuthFixture f, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f.dbFile);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void passwordChange_revocationTableRefuses_nothingChanges() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());
      String updatedBefore = s.operator("ops").findUser("bob").orElseThrow().updatedAt().toString();
      sql(f, "CREATE TRIGGER boom BEFORE INSERT ON revocations BEGIN SELECT RAISE(ABORT, 'injected'); END");
      int events = f.audit.events().size();
      assertThrows(
          AuthStorageException.class,
          () -> s.changePassword(p, USER_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray()));
      assertThrows(AuthStorageException.class, () -> s.operator("ops").disableUser("bob"));
      assertThrows(
          AuthStorageException.class, () -> s.operator("ops").resetPassword("bob", NEW_PASSWORD.toCharArray()));
      assertThrows(AuthStorageException.class, () -> s.logoutEverywhere(p));
      assertThrows(AuthStorageException.class, () -> s.operator("ops").setRoles("bob", Set.of("auditor")));
      // nothing of any of the five changes took effect, and none was audited
      assertEquals(events, f.audit.events().size(), f.audit.dump());
      assertEquals(updatedBefore, s.operator("ops").findUser("bob").orElseThrow().updatedAt().toString());
      assertEquals(0, count(f, "SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL"));
      assertEquals("bob", s.authenticate(t.accessToken()).username());
      sql(f, "DROP TRIGGER boom");
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      // the legitimate path once the table accepts writes again
      s.changePassword(p, USER_PASSWORD.toCharArray(), NEW_PASSWORD.toCharArray());
      assertThrows(InvalidTokenException.class, () -> s.authenticate(t.accessToken()));
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", NEW_PASSWORD.toCharArray(), false, CLIENT));
    }
  }

  @Test
  void recoveryCodeLogin_sinkFailsOnTheSecondEvent_codeUnused_andTheLogSaysSo() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      String code = s.confirmTotpEnrollment(p, f.totp(secret)).codes().get(0);
      String ch =
          assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT))
              .challengeToken();
      // the transaction's first event (recovery code used) is written, the second (login success) is refused
      f.audit.failOn(e -> e.event().equals("auth.login.success"));
      assertThrows(AuthStorageException.class, () -> s.completeMfaWithRecoveryCode(ch, code, CLIENT));
      f.audit.failOn(e -> false);
      List<AuditEvent> all = f.audit.events();
      int used = all.indexOf(f.audit.named("auth.mfa.recovery_code_used").get(0));
      // before the fix the log said the code was used and nothing said the change was rolled back
      AuditEvent rolledBack = all.get(used + 1);
      assertEquals("auth.tx.rolled_back", rolledBack.event(), f.audit.dump());
      assertEquals(List.of("auth.mfa.recovery_code_used"), rolledBack.metadata().get("events"));
      // the database agrees: the code is still unused and logs in (a fresh challenge: the first stays usable too)
      assertEquals(10, count(f, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"));
      assertEquals("bob", s.completeMfaWithRecoveryCode(ch, code, CLIENT).principal().username());
      assertTrue(count(f, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL") == 9);
    }
  }
}
