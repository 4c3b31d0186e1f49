package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A login whose password step ran before another request changed the account's second-factor state: the session (or
 * the challenge) is decided on the state read in the transaction that issues it, never on the one read before the
 * Argon2id verification.
 */
class LoginRaceTest {
  @TempDir Path dir;

  /** Runs {@code hook} once, inside the next password verification (after the user row was read). */
  static final class HookedHasher implements PasswordHasher {
    final PasswordHasher real = PasswordHasher.argon2id(AuthFixture.CHEAP, 2, new java.security.SecureRandom());
    final AtomicReference<ThrowingRunnable> hook = new AtomicReference<>();
    final java.util.concurrent.atomic.AtomicInteger verifications = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String hash(char[] password) throws InterruptedException {
      return real.hash(password);
    }

    @Override
    public boolean needsRehash(String encoded) {
      return real.needsRehash(encoded);
    }

    @Override
    public PasswordHashParameters parameters() {
      return real.parameters();
    }

    @Override
    public boolean verify(char[] password, String encoded) throws InterruptedException {
      verifications.incrementAndGet();
      boolean ok = real.verify(password, encoded);
      ThrowingRunnable h = hook.getAndSet(null);
      if (h != null) {
        try {
          h.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return ok;
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private AuthFixture fixture(HookedHasher hasher) {
    AuthFixture f =
        new AuthFixture(
            dir,
            AuthSettings.builder()
                .hashParameters(AuthFixture.CHEAP)
                .loginRateLimit(100, Duration.ofMinutes(1))
                .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 1000)
                .build());
    f.passwordHasher = hasher;
    return f;
  }

  @Test
  void login_racingTotpConfirmation_yieldsChallengeNotSession() throws Exception {
    HookedHasher hasher = new HookedHasher();
    AuthFixture f = fixture(hasher);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      String code = TotpService.generate(secret, f.clock.instant(), TotpParameters.defaults());
      // the attacker's login (stolen password) verifies the password while bob confirms his authenticator
      hasher.hook.set(() -> s.confirmTotpEnrollment(p, code));
      LoginResult r = s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT);
      assertEquals(true, s.isTotpEnabled(p.userId()), "the confirmation committed during the login");
      // before the fix: LoginResult.Authenticated (a full session without the second factor)
      assertInstanceOf(LoginResult.MfaRequired.class, r);
      // the legitimate path: a login after the confirmation asks for the code, and the code completes it
      f.advance(Duration.ofSeconds(30));
      LoginResult.MfaRequired m =
          assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      String next = TotpService.generate(secret, f.clock.instant(), TotpParameters.defaults());
      assertEquals("bob", s.completeMfa(m.challengeToken(), next, CLIENT).principal().username());
    }
  }

  @Test
  void login_racingPasswordReset_isRefused() throws Exception {
    HookedHasher hasher = new HookedHasher();
    AuthFixture f = fixture(hasher);
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      AuthFixture.createBob(s);
      hasher.hook.set(
          () -> s.operator("ops").resetPassword("bob", "a temporary password set by the admin!!".toCharArray()));
      // the old password was right when it was checked, but the account changed before the session was issued
      assertThrows(
          InvalidCredentialsException.class, () -> s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      assertInstanceOf(
          LoginResult.PasswordChangeRequired.class,
          s.login("bob", "a temporary password set by the admin!!".toCharArray(), false, CLIENT));
    }
  }
}
