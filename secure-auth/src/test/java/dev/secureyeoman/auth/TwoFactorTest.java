package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpEnrollment;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoFactorTest {
  @TempDir Path dir;

  /** The fixture of every test here; {@code *PostgresTest} runs the same tests on PostgreSQL by overriding it. */
  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return new AuthFixture(dir, settings);
  }

  /**
   * Generous throttling and no failure delay or lockout within reach, so the concurrency tests measure replay protection
   * and the per-challenge cap, not the rate limits ({@link MfaBruteForceTest} covers those).
   */
  AuthFixture fixture() {
    return newFixture(
        dir,
        AuthSettings.builder()
            .hashParameters(AuthFixture.CHEAP)
            .loginRateLimit(100, Duration.ofMinutes(1))
            .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 1000)
            .build());
  }

  /** Enrolls bob and returns his raw secret; the clock is moved one period past the confirmation code. */
  private static byte[] enroll(AuthFixture f, AuthService s, String user, String pw) throws Exception {
    Principal p = s.authenticate(AuthFixture.login(s, user, pw, false).tokens().accessToken());
    TotpEnrollment e = s.beginTotpEnrollment(p, pw.toCharArray());
    byte[] secret = Base32.decode(e.manualEntryKey());
    assertTrue(e.otpauthUri().contains("secret=" + e.manualEntryKey()));
    assertFalse(e.toString().contains(e.manualEntryKey()));
    RecoveryCodes rc = s.confirmTotpEnrollment(p, code(f, secret));
    assertEquals(10, rc.codes().size());
    assertTrue(s.isTotpEnabled(p.userId()));
    f.advance(Duration.ofSeconds(30));
    return secret;
  }

  private static String code(AuthFixture f, byte[] secret) {
    return TotpService.generate(secret, f.clock.instant(), TotpParameters.defaults());
  }

  private static String challenge(AuthService s, String user, String pw, boolean rememberMe) throws Exception {
    LoginResult r = s.login(user, pw.toCharArray(), rememberMe, CLIENT);
    return assertInstanceOf(LoginResult.MfaRequired.class, r).challengeToken();
  }

  @Test
  void login_with2fa_requiresChallengeAndCode_rememberMeCarriedThrough() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      String ch = challenge(s, "bob", USER_PASSWORD, true);
      LoginResult.Authenticated a = s.completeMfa(ch, code(f, secret), CLIENT);
      assertTrue(a.tokens().rememberMe());
      assertEquals(f.clock.instant().plus(Duration.ofDays(30)), a.tokens().sessionExpiresAt());
      assertEquals("bob", s.authenticate(a.tokens().accessToken()).username());
      assertEquals("totp", f.audit.named("auth.login.success").get(1).metadata().get("factor"));
    }
  }

  @Test
  void totpCodeAlone_orChallengeWithoutCode_orBadChallenge_neverYieldsTokens() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      String valid = code(f, secret);
      // a valid code with a made-up or missing challenge (no password step)
      for (String fake : new String[] {null, "", "symc_forged", "symc_" + "A".repeat(43), "x".repeat(500)}) {
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(fake, valid, CLIENT));
      }
      // a real challenge without a code
      String ch = challenge(s, "bob", USER_PASSWORD, false);
      for (String missing : new String[] {null, "", "      "}) {
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, missing, CLIENT));
      }
      // the password step alone gives no tokens: the result is only a challenge
      assertInstanceOf(LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      // and the real challenge still works with a real code (3 failed attempts < 5)
      s.completeMfa(ch, valid, CLIENT);
    }
  }

  @Test
  void challenge_expiredOrReused_rejected() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      String ch = challenge(s, "bob", USER_PASSWORD, false);
      s.completeMfa(ch, code(f, secret), CLIENT);
      f.advance(Duration.ofSeconds(30));
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, code(f, secret), CLIENT), "reused");
      String ch2 = challenge(s, "bob", USER_PASSWORD, false);
      f.advance(Duration.ofMinutes(5));
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch2, code(f, secret), CLIENT), "expired");
      String ch3 = challenge(s, "bob", USER_PASSWORD, false);
      s.completeMfa(ch3, code(f, secret), CLIENT); // control: a fresh one works
    }
  }

  @Test
  void challenge_diesAfterMaxWrongCodes() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      String ch = challenge(s, "bob", USER_PASSWORD, false);
      String good = code(f, secret);
      String wrong = good.equals("000000") ? "111111" : "000000";
      for (int i = 0; i < 5; i++) {
        assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, wrong, CLIENT));
      }
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, good, CLIENT));
    }
  }

  @Test
  void challenge_32ConcurrentWrongCodes_onlyMaxAttemptsChecked_thenDead() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      String ch = challenge(s, "bob", USER_PASSWORD, false);
      String good = code(f, secret);
      String wrong = good.equals("000000") ? "111111" : "000000";
      assertEquals(0, race(java.util.Collections.nCopies(32, ch), c -> s.completeMfa(c, wrong, CLIENT)));
      // the cap is taken in the database before a code is checked: exactly 5 of the 32 codes were compared
      assertEquals(5, reasons(f, "wrong_code"), "codes checked");
      assertEquals(27, reasons(f, "challenge_attempts_exhausted"), "refused before checking");
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(ch, good, CLIENT));
      // control: a new challenge with the right code works
      s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), good, CLIENT);
    }
  }

  private static long reasons(AuthFixture f, String reason) {
    return f.audit.named("auth.mfa.failure").stream().filter(e -> reason.equals(e.metadata().get("reason"))).count();
  }

  @Test
  void replay_sameCodeTwice_secondRejected_andEnrollmentCodeCountsAsUsed() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      String first = code(f, secret);
      s.confirmTotpEnrollment(p, first);
      // the confirmation code cannot log in
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), first, CLIENT));
      f.advance(Duration.ofSeconds(30));
      String c = code(f, secret);
      s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), c, CLIENT);
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), c, CLIENT));
      // an older code still inside the window (previous step) is also refused once a later step was accepted
      String previous = TotpService.generate(secret, f.clock.instant().minusSeconds(30), TotpParameters.defaults());
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), previous, CLIENT));
      assertFalse(f.audit.named("auth.mfa.failure").isEmpty());
    }
  }

  @Test
  void replay_16ThreadsSameCode_exactlyOneAccepted() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      List<String> challenges = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        challenges.add(challenge(s, "bob", USER_PASSWORD, false));
      }
      String c = code(f, secret);
      int ok = race(challenges, ch -> s.completeMfa(ch, c, CLIENT));
      assertEquals(1, ok);
    }
  }

  @Test
  void recoveryCode_worksOnce_16ConcurrentUses_exactlyOne_regenerationInvalidatesOld() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      RecoveryCodes rc = s.confirmTotpEnrollment(p, code(f, secret));
      for (String code : rc.codes()) {
        assertTrue(code.matches("[A-Z2-7]{4}(-[A-Z2-7]{4}){5}"), code); // 24 Base32 chars = 120 bits
      }
      assertEquals(10, Set.copyOf(rc.codes()).size());
      assertFalse(rc.toString().contains(rc.codes().get(0)));

      String one = rc.codes().get(0);
      // lower case and without dashes is accepted (normalised), once
      s.completeMfaWithRecoveryCode(
          challenge(s, "bob", USER_PASSWORD, false), one.toLowerCase().replace("-", ""), CLIENT);
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfaWithRecoveryCode(challenge(s, "bob", USER_PASSWORD, false), one, CLIENT));

      List<String> challenges = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        challenges.add(challenge(s, "bob", USER_PASSWORD, false));
      }
      String two = rc.codes().get(1);
      assertEquals(1, race(challenges, ch -> s.completeMfaWithRecoveryCode(ch, two, CLIENT)));

      // codes made up by a client are never trusted, however well-formed
      assertThrows(
          InvalidCredentialsException.class,
          () ->
              s.completeMfaWithRecoveryCode(
                  challenge(s, "bob", USER_PASSWORD, false), "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", CLIENT));
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfaWithRecoveryCode(challenge(s, "bob", USER_PASSWORD, false), "not a code", CLIENT));

      f.advance(Duration.ofSeconds(30));
      RecoveryCodes fresh = s.regenerateRecoveryCodes(p, code(f, secret));
      String three = rc.codes().get(2);
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfaWithRecoveryCode(challenge(s, "bob", USER_PASSWORD, false), three, CLIENT));
      s.completeMfaWithRecoveryCode(challenge(s, "bob", USER_PASSWORD, false), fresh.codes().get(0), CLIENT);
      assertFalse(f.audit.dump().contains(fresh.codes().get(0)));
      assertFalse(f.audit.dump().contains(one));
    }
  }

  @Test
  void storedSecret_encrypted_andSwappingTwoUsersSecretsBreaksBoth() throws Exception {
    AuthFixture f = fixture();
    byte[] bobSecret;
    byte[] aliceSecret;
    String alicePw = "alice also has a long enough password";
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      s.createUser("alice", alicePw.toCharArray(), Set.of());
      bobSecret = enroll(f, s, "bob", USER_PASSWORD);
      aliceSecret = enroll(f, s, "alice", alicePw);
    }
    if (f.onSqlite()) {
      byte[] db = Files.readAllBytes(f.dbFile);
      String dbText = new String(db, StandardCharsets.ISO_8859_1);
      assertFalse(dbText.contains(Base32.encode(bobSecret)), "no Base32 secret in the file");
      assertFalse(contains(db, bobSecret), "no raw secret in the file");
    }
    try (Connection c = f.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT totp_secret FROM users WHERE username_key = 'bob'")) {
      rs.next();
      byte[] stored = rs.getBytes(1);
      assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(Base32.encode(bobSecret)));
      assertFalse(contains(stored, bobSecret));
    }
    try (AuthService s = f.open()) {
      // control: before the swap both log in
      s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, bobSecret), CLIENT);
      s.completeMfa(challenge(s, "alice", alicePw, false), code(f, aliceSecret), CLIENT);
      f.advance(Duration.ofSeconds(30));
      swapSecrets(f);
      for (byte[] secret : new byte[][] {bobSecret, aliceSecret}) {
        assertThrows(
            InvalidCredentialsException.class,
            () -> s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT));
        assertThrows(
            InvalidCredentialsException.class,
            () -> s.completeMfa(challenge(s, "alice", alicePw, false), code(f, secret), CLIENT));
      }
      assertEquals(4, f.audit.named("auth.totp.secret_undecryptable").size());
    }
  }

  private static void swapSecrets(AuthFixture f) throws Exception {
    try (Connection c = f.dataSource().getConnection()) {
      byte[] b;
      byte[] a;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT username_key, totp_secret FROM users ORDER BY username_key")) {
        rs.next();
        a = rs.getBytes(2);
        rs.next();
        b = rs.getBytes(2);
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET totp_secret = ? WHERE username_key = ?")) {
        ps.setBytes(1, b);
        ps.setString(2, "alice");
        ps.executeUpdate();
        ps.setBytes(1, a);
        ps.setString(2, "bob");
        ps.executeUpdate();
      }
    }
  }

  @Test
  void hostSecretStore_isUsed_andAnotherStoreCannotOpenTheSecrets() throws Exception {
    AuthFixture f = fixture();
    byte[] hostKey = new byte[32];
    hostKey[0] = 42;
    f.secretStore = SecretStores.withKey(SecretBytes.copyOf(hostKey));
    byte[] secret;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      secret = enroll(f, s, "bob", USER_PASSWORD);
      s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT);
    }
    f.advance(Duration.ofSeconds(30));
    f.secretStore = null; // default store (derived from the master key) cannot open envelopes sealed by the host's
    try (AuthService s = f.open()) {
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT));
      assertEquals(1, f.audit.named("auth.totp.secret_undecryptable").size());
    }
  }

  @Test
  void enrollment_expiresAfter10Minutes_andWrongFirstCodeRejected() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
      TotpEnrollment e = s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray());
      assertEquals(f.clock.instant().plus(Duration.ofMinutes(10)), e.expiresAt());
      byte[] secret = Base32.decode(e.manualEntryKey());
      String good = code(f, secret);
      assertThrows(
          InvalidCredentialsException.class, () -> s.confirmTotpEnrollment(p, good.equals("123456") ? "654321" : "123456"));
      assertFalse(s.isTotpEnabled(p.userId()));
      f.advance(Duration.ofMinutes(10));
      assertThrows(InvalidCredentialsException.class, () -> s.confirmTotpEnrollment(p, code(f, secret)));
      assertFalse(s.isTotpEnabled(p.userId()));
      // without 2FA the login still returns tokens directly
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      // a new enrollment works, and a second one while enabled is refused
      TotpEnrollment e2 = s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray());
      assertNotEquals(e.manualEntryKey(), e2.manualEntryKey());
      s.confirmTotpEnrollment(p, code(f, Base32.decode(e2.manualEntryKey())));
      assertThrows(AuthException.class, () -> s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()));
      assertEquals(1, f.audit.named("auth.totp.enabled").size());
    }
  }

  @Test
  void enrollment_stolenAccessTokenAlone_cannotEnrol_andEnablingEndsOtherSessions() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens victimElsewhere = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      AuthTokens stolen = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal attacker = s.authenticate(stolen.accessToken());
      // the attacker holds a valid access token but not the password: no authenticator can be enrolled
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.beginTotpEnrollment(attacker, "a guess at bob's password, long".toCharArray()));
      assertThrows(InvalidCredentialsException.class, () -> s.confirmTotpEnrollment(attacker, "123456"));
      assertFalse(s.isTotpEnabled(attacker.userId()));
      assertEquals("wrong_current_password",
          f.audit.named("auth.totp.enrollment_failed").get(0).metadata().get("reason"));
      // the user, re-authenticated by password, enrols; every other session ends, the current one stays
      AuthTokens mine = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(mine.accessToken());
      byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
      s.confirmTotpEnrollment(p, code(f, secret));
      for (AuthTokens t : new AuthTokens[] {victimElsewhere, stolen}) {
        assertThrows(InvalidTokenException.class, () -> s.authenticate(t.accessToken()));
        assertThrows(InvalidTokenException.class, () -> s.refresh(t.refreshToken(), CLIENT));
      }
      assertEquals("bob", s.authenticate(mine.accessToken()).username());
      assertEquals(2L, f.audit.named("auth.totp.enabled").get(0).metadata().get("sessions_ended"));
    }
  }

  @Test
  void disable_endsOtherSessions_keepsTheCurrentOne() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      AuthTokens other = s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT).tokens();
      f.advance(Duration.ofSeconds(30));
      AuthTokens mine = s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT).tokens();
      f.advance(Duration.ofSeconds(30));
      s.disableTotp(s.authenticate(mine.accessToken()), USER_PASSWORD.toCharArray(), code(f, secret));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(other.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.refresh(other.refreshToken(), CLIENT));
      assertEquals("bob", s.authenticate(mine.accessToken()).username());
    }
  }

  @Test
  void disable_needsPasswordAndCurrentCode() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      byte[] secret = enroll(f, s, "bob", USER_PASSWORD);
      Principal p =
          s.authenticate(
              s.completeMfa(challenge(s, "bob", USER_PASSWORD, false), code(f, secret), CLIENT).tokens().accessToken());
      f.advance(Duration.ofSeconds(30));
      assertThrows(
          InvalidCredentialsException.class,
          () -> s.disableTotp(p, "wrong password but long enough....".toCharArray(), code(f, secret)));
      assertThrows(InvalidCredentialsException.class, () -> s.disableTotp(p, USER_PASSWORD.toCharArray(), "000000x"));
      assertTrue(s.isTotpEnabled(p.userId()));
      s.disableTotp(p, USER_PASSWORD.toCharArray(), code(f, secret));
      assertFalse(s.isTotpEnabled(p.userId()));
      assertInstanceOf(LoginResult.Authenticated.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      assertEquals(1, f.audit.named("auth.totp.disabled").size());
    }
  }

  @Test
  void passwordReset_killsOutstandingChallenge() throws Exception {
    AuthFixture f = fixture();
    try (AuthService s = f.open()) {
      AuthFixture.createAdmin(s);
      byte[] secret = enroll(f, s, "admin", AuthFixture.ADMIN_PASSWORD);
      String pending = challenge(s, "admin", AuthFixture.ADMIN_PASSWORD, false);
      Principal admin =
          s.authenticate(
              s.completeMfa(challenge(s, "admin", AuthFixture.ADMIN_PASSWORD, false), code(f, secret), CLIENT)
                  .tokens()
                  .accessToken());
      s.resetPassword(
          admin, AuthFixture.ADMIN_PASSWORD.toCharArray(), "the new admin passphrase is long!".toCharArray());
      f.advance(Duration.ofSeconds(30));
      assertThrows(InvalidCredentialsException.class, () -> s.completeMfa(pending, code(f, secret), CLIENT));
    }
  }

  @Test
  void mfaAttempts_throttledPerUser() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build()); // default limit: 5 per minute
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      enroll(f, s, "bob", USER_PASSWORD);
      int throttled = 0;
      for (int i = 0; i < 4; i++) {
        String ch = challenge(s, "bob", USER_PASSWORD, false);
        for (int j = 0; j < 3; j++) {
          try {
            s.completeMfa(ch, "999999", CLIENT);
          } catch (LoginThrottledException e) {
            throttled++;
          } catch (InvalidCredentialsException e) {
            // wrong code
          }
        }
      }
      assertTrue(throttled >= 6, "throttled " + throttled);
      assertFalse(f.audit.named("auth.mfa.throttled").isEmpty());
    }
  }

  @FunctionalInterface
  interface Attempt {
    Object run(String challenge) throws Exception;
  }

  /** Runs one attempt per challenge on 16 threads released at once; returns how many succeeded. */
  private static int race(List<String> challenges, Attempt attempt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(challenges.size());
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (String ch : challenges) {
        Callable<Boolean> task =
            () -> {
              start.await();
              try {
                attempt.run(ch);
                return true;
              } catch (InvalidCredentialsException e) {
                return false;
              }
            };
        fs.add(pool.submit(task));
      }
      start.countDown();
      int ok = 0;
      for (Future<Boolean> fu : fs) {
        if (fu.get(60, TimeUnit.SECONDS)) {
          ok++;
        }
      }
      return ok;
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
