package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one SQLite file, in two real processes: the test's instance A and a child JVM B ({@link ChildAuth}).
 * What one instance revokes or rotates, the other enforces within {@link AuthSettings#revocationCheckInterval()} (1 s
 * here, on a clock both share), and tokens one instance issues after a reset or rotation are accepted by the other at
 * once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiInstanceTest {
  static final String NEW_PASSWORD = "the new passphrase chosen on instance B";
  static final Duration BOUND = AuthSettings.defaults().revocationCheckInterval();
  @TempDir Path dir;
  static ChildAuth b;

  @BeforeAll
  static void startChild() throws Exception {
    b = ChildAuth.start();
  }

  @AfterAll
  static void stopChild() throws Exception {
    b.close();
  }

  @Test
  void logoutOnB_rejectedOnA_withinTheBound() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    // a frozen monotonic ticker: only the fake clock moves A's poll schedule, so the "still accepted within the bound"
    // step below does not depend on how long the child JVM takes (the poll is also due after 1 s of real time)
    f.ticker = () -> 0L;
    try (AuthService a = f.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens other = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(t.accessToken()).username()); // A has cached bob's state
      b.open(f);
      assertEquals("bob", b.call("auth", t.accessToken())[0]);
      b.call("logout", t.accessToken());
      // the refresh token dies at once everywhere (refresh always reads the database) ...
      assertThrows(InvalidTokenException.class, () -> a.refresh(t.refreshToken(), CLIENT));
      // ... A may accept the access token for at most the stated bound (it polled less than 1 s ago) ...
      assertEquals("bob", a.authenticate(t.accessToken()).username());
      // ... and rejects it once the bound has passed (before the fix: until A restarted)
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      // the user's other session is untouched on both instances
      assertEquals("bob", a.authenticate(other.accessToken()).username());
      assertEquals("bob", b.call("auth", other.accessToken())[0]);
    }
  }

  @Test
  void intervalZero_logoutOnB_rejectedOnAAtOnce() throws Exception {
    AuthFixture f =
        new AuthFixture(
            dir,
            AuthSettings.builder().hashParameters(AuthFixture.CHEAP).revocationCheckInterval(Duration.ZERO).build());
    try (AuthService a = f.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(t.accessToken()).username());
      b.open(f);
      b.call("logout", t.accessToken());
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()), "no clock advance needed");
    }
  }

  @Test
  void passwordChangeOnB_oldTokensDieOnA_newTokensOfBAcceptedAtOnce() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService a = f.open()) {
      AuthFixture.createBob(a);
      AuthTokens before = AuthFixture.login(a, "bob", USER_PASSWORD, true).tokens();
      assertEquals("bob", a.authenticate(before.accessToken()).username());
      b.open(f);
      String[] onB = b.call("login", "bob", USER_PASSWORD);
      b.call("change", onB[0], USER_PASSWORD, NEW_PASSWORD);
      String[] after = b.call("login", "bob", NEW_PASSWORD);
      // a token issued after the change is newer than A's cache: A re-reads at once instead of rejecting it
      assertEquals("bob", a.authenticate(after[0]).username());
      // and the pre-change token is dead on A (at the latest after the bound; here the re-read already saw it)
      assertThrows(InvalidTokenException.class, () -> a.authenticate(before.accessToken()));
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(before.accessToken()));
      assertThrows(InvalidTokenException.class, () -> a.refresh(before.refreshToken(), CLIENT));
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(a, "bob", USER_PASSWORD, false));
      assertEquals("bob", a.authenticate(AuthFixture.login(a, "bob", NEW_PASSWORD, false).tokens().accessToken())
          .username());
    }
  }

  @Test
  void logoutEverywhereOnB_rejectedOnA_afterTheBound_evenWithoutANewerToken() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService a = f.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(t.accessToken()).username());
      b.open(f);
      b.call("logoutall", b.call("login", "bob", USER_PASSWORD)[0]);
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
    }
  }

  @Test
  void rotationOnB_AacceptsBsTokens_andSignsWithTheNewKey() throws Exception {
    AuthFixture f = new AuthFixture(dir);
    try (AuthService a = f.open()) {
      AuthFixture.createBob(a);
      String oldKid =
          SignedJWT.parse(AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().accessToken())
              .getHeader()
              .getKeyID();
      b.open(f);
      String newKid = b.call("rotate")[0];
      assertNotEquals(oldKid, newKid);
      String fromB = b.call("login", "bob", USER_PASSWORD)[0];
      assertEquals(newKid, SignedJWT.parse(fromB).getHeader().getKeyID());
      // A loads the unknown kid from the database on demand (before the fix: rejected until restart)
      assertEquals("bob", a.authenticate(fromB).username());
      // A signs with the current key from the database, not the one it loaded at start
      String fromA = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().accessToken();
      assertEquals(newKid, SignedJWT.parse(fromA).getHeader().getKeyID());
      assertEquals("bob", b.call("auth", fromA)[0]);
      // a refresh on A also signs with the new key
      AuthTokens r = a.refresh(AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().refreshToken(), CLIENT);
      assertEquals(newKid, SignedJWT.parse(r.accessToken()).getHeader().getKeyID());
    }
  }
}
