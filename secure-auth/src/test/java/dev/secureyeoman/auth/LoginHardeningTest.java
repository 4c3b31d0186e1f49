package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.secureyeoman.audit.AuditEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input at login: over-long and malformed passwords (memory bound, Unicode), user names that may be passwords
 * or terminal escapes (audit hygiene), and the smaller items of issue 13 (IPv6 /64 throttling, strict JWTs, user agent,
 * expiry precision).
 */
class LoginHardeningTest {
  @TempDir Path dir;

  @Test
  void tenMillionCharPasswords_refusedBeforeEncodingOrHashing() throws Exception {
    AuthFixture f =
        new AuthFixture(
            dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).loginRateLimit(100, Duration.ofMinutes(1))
                .build());
    LoginThrottlingTest.CountingHasher hasher = new LoginThrottlingTest.CountingHasher();
    f.passwordHasher = hasher;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      hasher.verified.clear();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Class<?>>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          ClientInfo c = ClientInfo.of("192.0.2." + (10 + i));
          results.add(pool.submit(() -> {
            char[] huge = new char[10_000_000];
            Arrays.fill(huge, 'a');
            try {
              s.login("bob", huge, false, c);
              return Object.class;
            } catch (AuthException e) {
              return e.getClass();
            }
          }));
        }
        for (Future<Class<?>> r : results) {
          assertEquals(InvalidCredentialsException.class, r.get(60, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(List.of(), hasher.verified, "no over-long password reached the hasher");
      // a password of exactly the maximum (1 024 code points) is hashed normally
      char[] max = "x".repeat(PasswordPolicy.MAX_LENGTH).toCharArray();
      assertThrows(InvalidCredentialsException.class, () -> s.login("bob", max, false, CLIENT));
      assertEquals(1, hasher.verified.size());
      assertThrows(
          PasswordPolicyException.class,
          () -> s.createUser("carol", "y".repeat(PasswordPolicy.MAX_LENGTH + 1).toCharArray(), Set.of()));
    }
  }

  @Test
  void loneSurrogates_neverLogInAsQuestionMarks_nfkcFormsAreOnePassword() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      s.createUser("q", "?".repeat(32).toCharArray(), Set.of());
      char[] surrogates = new char[32];
      Arrays.fill(surrogates, '\uD800');
      assertThrows(InvalidCredentialsException.class, () -> s.login("q", surrogates, false, CLIENT));
      assertInstanceOf(LoginResult.Authenticated.class, s.login("q", "?".repeat(32).toCharArray(), false, CLIENT));
      assertThrows(PasswordPolicyException.class, () -> s.createUser("r", surrogates, Set.of()));
      // full-width letters and a ligature at enrolment, plain ASCII at login (and the other way round)
      s.createUser("w", "ＦＵＬＬ ＷＩＤＴＨ ﬁne passphrase, long enough".toCharArray(), Set.of());
      assertInstanceOf(
          LoginResult.Authenticated.class,
          s.login("w", "FULL WIDTH fine passphrase, long enough".toCharArray(), false, CLIENT));
      // the policy measures the normalised form: 40 code points that compose to 20 are too short ...
      assertEquals(
          List.of("password must be at least 32 characters"),
          assertThrows(
                  PasswordPolicyException.class,
                  () -> s.createUser("v", "e\u0301".repeat(20).toCharArray(), Set.of()))
              .violations());
      // ... and 11 ligatures that expand to 33 letters are long enough
      s.createUser("l", "ﬃ".repeat(11).toCharArray(), Set.of());
      assertInstanceOf(LoginResult.Authenticated.class, s.login("l", "ffi".repeat(11).toCharArray(), false, CLIENT));
    }
  }

  @Test
  void unknownUserName_storedAsKeyedHash_controlCharactersEscaped_knownUserNamed() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      // a user typed the password into the user name field
      assertThrows(InvalidCredentialsException.class,
          () -> s.login(USER_PASSWORD, USER_PASSWORD.toCharArray(), false, ClientInfo.of("192.0.2.1")));
      assertThrows(InvalidCredentialsException.class,
          () -> s.login("evil\r\nauth.login.success admin\u001b[2J", "x".repeat(40).toCharArray(), false,
              new ClientInfo("192.0.2.2\r\nforged: yes", Optional.of("ua\u202eevil"))));
      assertThrows(InvalidCredentialsException.class,
          () -> s.login("bob", "not bob's password but long enough".toCharArray(), false, CLIENT));
      String dump = f.audit.dump();
      assertFalse(dump.contains(USER_PASSWORD), "the mistyped password is not in the log");
      assertFalse(dump.contains("evil\r"));
      assertFalse(dump.contains("\u001b"));
      assertFalse(dump.contains("\u202e"));
      List<AuditEvent> failures = f.audit.named("auth.login.failure");
      String h1 = (String) failures.get(0).metadata().get("username_hash");
      assertTrue(h1.matches("[0-9a-f]{32}"), h1);
      assertFalse(failures.get(0).metadata().containsKey("username"));
      assertEquals("192.0.2.2\\u000d\\u000aforged: yes", failures.get(1).metadata().get("client"));
      assertEquals("ua\\u202eevil", failures.get(1).metadata().get("user_agent"));
      assertEquals("bob", failures.get(2).metadata().get("username"));
      // the hash is keyed and stable: the same mistake gives the same hash (correlation), another name another one
      assertThrows(InvalidCredentialsException.class,
          () -> s.login(USER_PASSWORD, USER_PASSWORD.toCharArray(), false, ClientInfo.of("192.0.2.3")));
      assertEquals(h1, f.audit.named("auth.login.failure").get(3).metadata().get("username_hash"));
      assertFalse(h1.equals(failures.get(1).metadata().get("username_hash")));
    }
  }

  @Test
  void perClientLimit_keysOnTheIpv6Slash64_andOnCanonicalIpv4() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      // five wrong guesses from five addresses of one /64, against five different names
      for (int i = 0; i < 5; i++) {
        String name = "user" + i;
        ClientInfo c = ClientInfo.of("2001:db8:aa:bb:" + Integer.toHexString(i + 1) + "::1");
        assertThrows(InvalidCredentialsException.class, () -> s.login(name, "x".repeat(40).toCharArray(), false, c));
      }
      // a sixth address of the same /64 (written differently) is throttled even for a correct password
      assertThrows(LoginThrottledException.class,
          () -> s.login("bob", USER_PASSWORD.toCharArray(), false, ClientInfo.of("[2001:DB8:AA:BB:FFFF:0:0:2]")));
      // another /64 is not
      assertInstanceOf(LoginResult.Authenticated.class,
          s.login("bob", USER_PASSWORD.toCharArray(), false, ClientInfo.of("2001:db8:aa:bc::1")));
    }
  }

  @Test
  void jwtWithSurroundingWhitespace_refused() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      String token = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken();
      assertEquals("bob", s.authenticate(token).username());
      for (String t : new String[] {token + " ", token + "\n", " " + token, token + "\t", token.replace(".", ". ")}) {
        assertThrows(InvalidTokenException.class, () -> s.authenticate(t), "[" + t + "]");
      }
    }
  }

  @Test
  void reportedExpiry_equalsTheJwtExp_andUserAgentAudited() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    f.clock.set(Instant.parse("2026-11-24T10:00:00.750Z")); // not a whole second
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      LoginResult.Authenticated a =
          (LoginResult.Authenticated)
              s.login("bob", USER_PASSWORD.toCharArray(), false, new ClientInfo("192.0.2.9", Optional.of("curl/8")));
      Instant exp = SignedJWT.parse(a.tokens().accessToken()).getJWTClaimsSet().getExpirationTime().toInstant();
      assertEquals(exp, a.tokens().accessTokenExpiresAt());
      assertEquals(exp, a.principal().expiresAt());
      assertEquals(exp, s.authenticate(a.tokens().accessToken()).expiresAt());
      assertEquals(Instant.parse("2026-11-24T10:15:00Z"), exp);
      f.advance(Duration.ofMillis(123));
      AuthTokens r = s.refresh(a.tokens().refreshToken(), new ClientInfo("192.0.2.9", Optional.of("curl/8")));
      assertEquals(SignedJWT.parse(r.accessToken()).getJWTClaimsSet().getExpirationTime().toInstant(),
          r.accessTokenExpiresAt());
      assertEquals("curl/8", f.audit.named("auth.login.success").get(0).metadata().get("user_agent"));
      assertEquals("curl/8", f.audit.named("auth.refresh").get(0).metadata().get("user_agent"));
    }
  }
}
