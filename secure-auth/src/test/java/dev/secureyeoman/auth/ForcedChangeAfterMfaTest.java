package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forced password change applies to users with 2FA too, also when it becomes required while their MFA challenge is
 * open: an operator forcing every user to choose a new password ({@code UPDATE users SET must_change_password = 1},
 * e.g. after a breach) must not be skipped by completing the second factor.
 */
class ForcedChangeAfterMfaTest {
  static final String NEW_PASSWORD = "bob's brand new passphrase after the breach";
  @TempDir Path dir;

  @Test
  void mustChangeSetWhileMfaChallengeOpen_mfaCompletionRefused_nextLoginForcesTheChange() throws Exception {
    AuthFixture f =
        new AuthFixture(
            dir,
            AuthSettings.builder()
                .hashParameters(AuthFixture.CHEAP)
                .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 10)
                .build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
      f.advance(Duration.ofSeconds(30));
      String challenge =
          assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT))
              .challengeToken();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f.dbFile);
          Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE users SET must_change_password = 1");
      }
      // before the fix: a session, the forced change skipped
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(challenge, f.totp(secret), CLIENT));
      assertEquals(
          "password_change_required",
          f.audit.named("auth.mfa.failure").get(f.audit.named("auth.mfa.failure").size() - 1).metadata().get("reason"));
      assertFalse(s.operator("ops").findUser("bob").orElseThrow().secondFactorLocked());
      // the legitimate path: the next login asks for the new password, then for the code, then opens the session
      f.advance(Duration.ofSeconds(30));
      LoginResult.PasswordChangeRequired pc =
          assertInstanceOf(
              LoginResult.PasswordChangeRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      LoginResult.MfaRequired m =
          assertInstanceOf(
              LoginResult.MfaRequired.class,
              s.completePasswordChange(pc.challengeToken(), NEW_PASSWORD.toCharArray(), CLIENT));
      assertEquals("bob", s.completeMfa(m.challengeToken(), f.totp(secret), CLIENT).principal().username());
    }
  }
}
