package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLifetimeTest {
  @TempDir Path dir;

  /** The fixture of every test here; {@code *PostgresTest} runs the same tests on PostgreSQL by overriding it. */
  AuthFixture newFixture(Path dir, AuthSettings settings) {
    return new AuthFixture(dir, settings);
  }

  @Test
  void login_rememberMe_sessionLasts30DaysAndSurvivesRefreshes() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Instant start = f.clock.instant();
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, true).tokens();
      assertTrue(t.rememberMe());
      assertEquals(start.plus(Duration.ofDays(30)), t.sessionExpiresAt());
      assertEquals(start.plus(Duration.ofMinutes(15)), t.accessTokenExpiresAt(), "access TTL is independent");
      for (int i = 0; i < 5; i++) {
        f.advance(Duration.ofDays(2));
        t = s.refresh(t.refreshToken(), CLIENT);
        assertEquals(start.plus(Duration.ofDays(30)), t.sessionExpiresAt(), "fixed at login, kept across refreshes");
        assertTrue(t.rememberMe(), "flag kept across refreshes");
        assertEquals(f.clock.instant().plus(Duration.ofMinutes(15)), t.accessTokenExpiresAt());
      }
      // 12 days later a refresh still works (past 24 h), proving the 30-day lifetime is really enforced
      f.advance(Duration.ofDays(12));
      t = s.refresh(t.refreshToken(), CLIENT);
      // and after day 30 it does not
      f.advance(Duration.ofDays(8));
      String last = t.refreshToken();
      assertThrows(InvalidTokenException.class, () -> s.refresh(last, CLIENT));
    }
  }

  @Test
  void login_withoutRememberMe_sessionLasts24Hours() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      Instant start = f.clock.instant();
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      assertFalse(t.rememberMe());
      assertEquals(start.plus(Duration.ofHours(24)), t.sessionExpiresAt());
      f.advance(Duration.ofHours(23).plusMinutes(50));
      t = s.refresh(t.refreshToken(), CLIENT);
      assertEquals(start.plus(Duration.ofHours(24)), t.sessionExpiresAt());
      assertFalse(t.rememberMe());
      // the access token never outlives the session
      assertEquals(start.plus(Duration.ofHours(24)), t.accessTokenExpiresAt());
      f.advance(Duration.ofMinutes(10));
      String rt = t.refreshToken();
      assertThrows(InvalidTokenException.class, () -> s.refresh(rt, CLIENT));
      assertEquals("expired", f.audit.named("auth.refresh.failure").get(0).metadata().get("reason"));
    }
  }

  @Test
  void refresh_afterAccessTokenExpired_works_andOldAccessTokenStaysDead() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", s.authenticate(t.accessToken()).username());
      f.advance(Duration.ofMinutes(16));
      String expired = t.accessToken();
      assertThrows(InvalidTokenException.class, () -> s.authenticate(expired));
      AuthTokens n = s.refresh(t.refreshToken(), CLIENT);
      assertNotEquals(t.refreshToken(), n.refreshToken(), "rotated on every use");
      assertEquals("bob", s.authenticate(n.accessToken()).username());
      assertEquals(1, f.audit.named("auth.refresh").size());
    }
  }

  @Test
  void refresh_reusedToken_rejectedAndWholeFamilyRevoked() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens first = AuthFixture.login(s, "bob", USER_PASSWORD, true).tokens();
      AuthTokens second = s.refresh(first.refreshToken(), CLIENT);
      // attacker replays the stolen, already-rotated token
      assertThrows(InvalidTokenException.class, () -> s.refresh(first.refreshToken(), CLIENT));
      // the legitimate holder's newer tokens of the same family are dead too
      assertThrows(InvalidTokenException.class, () -> s.refresh(second.refreshToken(), CLIENT));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(second.accessToken()));
      assertEquals(1, f.audit.named("auth.refresh.reuse").size());
      // another session of the same user is not affected
      AuthTokens other = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", s.authenticate(other.accessToken()).username());
      s.refresh(other.refreshToken(), CLIENT);
    }
  }

  @Test
  void refresh_garbageOrForeignToken_rejected() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    try (AuthService s = f.open()) {
      assertThrows(InvalidTokenException.class, () -> s.refresh("syrt_doesnotexist", CLIENT));
      assertThrows(InvalidTokenException.class, () -> s.refresh("garbage", CLIENT));
      assertThrows(InvalidTokenException.class, () -> s.refresh(null, CLIENT));
    }
  }

  @Test
  void logout_endsSession_logoutEverywhere_endsAll() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    AuthTokens a;
    AuthTokens b;
    AuthTokens c;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      a = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      b = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      s.logout(s.authenticate(a.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(a.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.refresh(a.refreshToken(), CLIENT));
      Principal pb = s.authenticate(b.accessToken());
      c = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      s.logoutEverywhere(pb);
      assertThrows(InvalidTokenException.class, () -> s.authenticate(b.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.authenticate(c.accessToken()));
      assertThrows(InvalidTokenException.class, () -> s.refresh(c.refreshToken(), CLIENT));
      assertEquals(1, f.audit.named("auth.logout").size());
      assertEquals(1, f.audit.named("auth.logout.everywhere").size());
    }
    // revoked sessions stay revoked after a restart: every access token and every unused refresh token of a, b and c
    try (AuthService s = f.open()) {
      for (AuthTokens t : new AuthTokens[] {a, b, c}) {
        assertThrows(InvalidTokenException.class, () -> s.authenticate(t.accessToken()));
      }
      assertThrows(InvalidTokenException.class, () -> s.refresh(b.refreshToken(), CLIENT));
      // control: a fresh login works, so the rejections above are not a broken service
      AuthTokens fresh = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", s.authenticate(fresh.accessToken()).username());
      s.refresh(fresh.refreshToken(), CLIENT);
    }
  }

  @Test
  void logout_survivesRestart() throws Exception {
    AuthFixture f = newFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    AuthTokens a;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      a = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      s.logout(s.authenticate(a.accessToken()));
    }
    try (AuthService s = f.open()) {
      assertThrows(InvalidTokenException.class, () -> s.authenticate(a.accessToken()));
    }
  }
}
