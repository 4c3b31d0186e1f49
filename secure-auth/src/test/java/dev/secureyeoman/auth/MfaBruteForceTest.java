package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4226 §7.3 brute-force protection of the second factor: a persisted per-user failure count with a doubling delay
 * and a lockout that only an administrator lifts, charged before a code is checked so concurrent guesses count too.
 * Without it, an attacker who knows the password could try 5 codes a minute forever (about 48 % success in 30 days at
 * a ±1 window), and a restart reset the limit.
 */
class MfaBruteForceTest {
  @TempDir Path dir;

  /** Default brute-force settings (1 s doubling to 5 min, lock at 10); generous login buckets for many challenges. */
  private AuthFixture fixture() {
    return new AuthFixture(
        dir,
        AuthSettings.builder().hashParameters(AuthFixture.CHEAP).loginRateLimit(1000, Duration.ofMinutes(1)).build());
  }

  private static byte[] enrollBob(AuthFixture f, AuthService s) throws Exception {
    AuthFixture.createBob(s);
    Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
    byte[] secret = f.enrollTotp(s, p, USER_PASSWORD);
    f.advance(Duration.ofSeconds(30));
    return secret;
  }

  private static String code(AuthFixture f, byte[] secret) {
    return f.totp(secret);
  }

  private static List<String> challenges(AuthService s, int n) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(challenge(s));
    }
    return out;
  }

  private static String wrong(AuthFixture f, byte[] secret) {
    String good = code(f, secret);
    return good.equals("000000") ? "111111" : "000000";
  }

  private static String challenge(AuthService s) throws Exception {
    return assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT))
        .challengeToken();
  }

  @Test
  void wrongCodes_delayDoubles_lockAtTenFailures_survivesRestart_onlyAdminUnlocks() throws Exception {
    AuthFixture f = fixture();
    byte[] secret;
    try (AuthService s = f.open()) {
      secret = enrollBob(f, s);
      for (int k = 1; k <= 10; k++) {
        String ch = challenge(s);
        String bad = wrong(f, secret);
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, bad, CLIENT), "failure " + k);
        if (k < 10) {
          // the next attempt, even with the right code, must wait 2^(k-1) s (capped at 5 min): no code is checked
          String good = code(f, secret);
          LoginThrottledException t =
              assertThrows(LoginThrottledException.class, () -> s.completeMfa(challenge(s), good, CLIENT));
          long expected = Math.min(300, 1L << (k - 1));
          assertEquals(Duration.ofSeconds(expected), t.retryAfter(), "delay after failure " + k);
          f.advance(Duration.ofSeconds(expected));
        }
      }
      assertEquals(1, f.audit.named("auth.mfa.locked").size());
      f.advance(Duration.ofHours(1));
      String good = code(f, secret);
      assertThrows(AccountLockedException.class, () -> s.completeMfa(challenge(s), good, CLIENT));
    }
    // the lock is persisted: a restart does not lift it
    f.advance(Duration.ofSeconds(30));
    try (AuthService s = f.open()) {
      String good = code(f, secret);
      assertThrows(AccountLockedException.class, () -> s.completeMfa(challenge(s), good, CLIENT));
      assertTrue(s.operator("ops").findUser("bob").orElseThrow().secondFactorLocked());
      s.operator("ops").unlockSecondFactor("bob");
      assertEquals("operator:ops", f.audit.named("auth.mfa.unlocked").get(0).actor());
      assertEquals("bob", s.authenticate(s.completeMfa(challenge(s), good, CLIENT).tokens().accessToken()).username());
    }
  }

  @Test
  void correctCode_clearsTheCount() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      byte[] secret = enrollBob(f, s);
      for (int k = 1; k <= 3; k++) {
        String bad = wrong(f, secret);
        String ch = challenge(s);
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, bad, CLIENT));
        f.advance(Duration.ofSeconds(1L << (k - 1)));
      }
      s.completeMfa(challenge(s), code(f, secret), CLIENT);
      f.advance(Duration.ofSeconds(30));
      String bad = wrong(f, secret);
      String ch = challenge(s);
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, bad, CLIENT));
      LoginThrottledException t =
          assertThrows(LoginThrottledException.class, () -> s.completeMfa(challenge(s), code(f, secret), CLIENT));
      assertEquals(Duration.ofSeconds(1), t.retryAfter(), "the count restarted at 1 after the success");
    }
  }

  @Test
  void wrongCodesThroughAStolenAccessToken_countToo() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      byte[] secret = enrollBob(f, s);
      Principal stolen =
          s.authenticate(s.completeMfa(challenge(s), code(f, secret), CLIENT).tokens().accessToken());
      f.advance(Duration.ofSeconds(30));
      // regenerating recovery codes needs only a code: guessing it is guessing the second factor
      String bad = wrong(f, secret);
      assertThrows(InvalidCredentialsException.class, () -> s.regenerateRecoveryCodes(stolen, bad));
      assertThrows(LoginThrottledException.class, () -> s.regenerateRecoveryCodes(stolen, code(f, secret)));
      assertThrows(LoginThrottledException.class, () -> s.completeMfa(challenge(s), code(f, secret), CLIENT));
      f.advance(Duration.ofSeconds(1));
      s.regenerateRecoveryCodes(stolen, code(f, secret)); // control: after the delay the right code works
    }
  }

  @Test
  void thirtyTwoConcurrentWrongCodes_withoutDelay_atMostTheThresholdChecked_thenLocked() throws Exception {
    AuthFixture f =
        new AuthFixture(
            dir,
            AuthSettings.builder()
                .hashParameters(AuthFixture.CHEAP)
                .loginRateLimit(1000, Duration.ofMinutes(1))
                .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 10)
                .build());
    try (AuthService s = f.open()) {
      byte[] secret = enrollBob(f, s);
      String bad = wrong(f, secret);
      Map<String, Integer> outcomes = race(challenges(s, 32), ch -> s.completeMfa(ch, bad, CLIENT));
      long checked =
          f.audit.named("auth.mfa.failure").stream().filter(e -> "wrong_code".equals(e.metadata().get("reason"))).count();
      assertEquals(10, checked, "charged before checking: never more codes than the threshold; " + outcomes);
      assertEquals(32, outcomes.values().stream().mapToInt(Integer::intValue).sum());
      assertThrows(AccountLockedException.class, () -> s.completeMfa(challenge(s), code(f, secret), CLIENT));
    }
  }

  @Test
  void thirtyTwoConcurrentWrongCodes_withTheDefaultDelay_oneChecked() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      byte[] secret = enrollBob(f, s);
      String bad = wrong(f, secret);
      Map<String, Integer> outcomes = race(challenges(s, 32), ch -> s.completeMfa(ch, bad, CLIENT));
      assertEquals(Map.of("InvalidCredentialsException", 1, "LoginThrottledException", 31), outcomes);
    }
  }

  @FunctionalInterface
  interface Attempt {
    Object run(String challenge) throws Exception;
  }

  /** Runs one attempt per challenge on as many threads released at once; counts the outcomes by exception type. */
  private static Map<String, Integer> race(List<String> challenges, Attempt attempt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(challenges.size());
    CountDownLatch start = new CountDownLatch(1);
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (String ch : challenges) {
        Callable<Object> task =
            () -> {
              start.await();
              String outcome;
              try {
                attempt.run(ch);
                outcome = "accepted";
              } catch (AuthException e) {
                outcome = e.getClass().getSimpleName();
              }
              outcomes.merge(outcome, 1, Integer::sum);
              return null;
            };
        fs.add(pool.submit(task));
      }
      start.countDown();
      for (Future<?> fu : fs) {
        fu.get(60, TimeUnit.SECONDS);
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }
}
