package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.totp.Base32;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guessing the first code of a pending TOTP enrolment: the victim started enrolment (with the password); an attacker
 * holding only a stolen access token tries codes against {@code confirmTotpEnrollment} — a hit would enable 2FA, end
 * the victim's other sessions and hand the attacker the recovery codes. Wrong codes count into the persisted MFA
 * failure count and lockout, across restarts.
 */
class EnrollmentGuessingTest {
  static final int THRESHOLD = 5;
  @TempDir Path dir;

  private AuthFixture fixture() {
    return new AuthFixture(
        dir,
        AuthSettings.builder()
            .hashParameters(AuthFixture.CHEAP)
            .loginRateLimit(1000, Duration.ofMinutes(1)) // the in-memory bucket is not what bounds the guesses
            .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, THRESHOLD)
            .build());
  }

  @Test
  void wrongEnrollmentCodes_lockTheSecondFactor_persisted_untilAnAdministratorUnlocks() throws Exception {
    AuthFixture f = fixture();
    Principal attacker;
    byte[] secret;
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      Principal victim = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      attacker = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      secret = Base32.decode(s.beginTotpEnrollment(victim, USER_PASSWORD.toCharArray()).manualEntryKey());
      String right = f.totp(secret);
      String wrong = right.equals("000000") ? "111111" : "000000";
      for (int i = 0; i < THRESHOLD; i++) {
        assertThrows(InvalidCredentialsException.class, () -> s.confirmTotpEnrollment(attacker, wrong));
      }
      // before the fix: the next guess was checked like the first (here the right code enabled 2FA for the attacker)
      assertThrows(AccountLockedException.class, () -> s.confirmTotpEnrollment(attacker, right));
      assertFalse(s.isTotpEnabled(victim.userId()));
      assertEquals(
          THRESHOLD,
          f.audit.named("auth.mfa.failure").stream()
              .filter(e -> "wrong_code".equals(e.metadata().get("reason")) && "enrollment".equals(e.metadata().get("kind")))
              .count());
      assertEquals(1, f.audit.named("auth.mfa.locked").size());
      assertTrue(s.operator("ops").findUser("bob").orElseThrow().secondFactorLocked());
    }
    try (AuthService s = f.open()) { // a restart does not reset the count
      assertThrows(AccountLockedException.class, () -> s.confirmTotpEnrollment(attacker, f.totp(secret)));
      s.operator("ops").unlockSecondFactor("bob");
      // the legitimate path: after the unlock the right code confirms the pending enrolment
      assertEquals(10, s.confirmTotpEnrollment(attacker, f.totp(secret)).codes().size());
      assertTrue(s.isTotpEnabled(attacker.userId()));
    }
  }

  @Test
  void rightCodeFirst_confirms_andClearsEarlierFailures() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      String right = f.totp(secret);
      String wrong = right.equals("000000") ? "111111" : "000000";
      for (int i = 0; i < THRESHOLD - 1; i++) {
        assertThrows(InvalidCredentialsException.class, () -> s.confirmTotpEnrollment(p, wrong));
      }
      s.confirmTotpEnrollment(p, right);
      assertTrue(s.isTotpEnabled(p.userId()));
      assertFalse(s.operator("ops").findUser("bob").orElseThrow().secondFactorLocked());
    }
  }
}
