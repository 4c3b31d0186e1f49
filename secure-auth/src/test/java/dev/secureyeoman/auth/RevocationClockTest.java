package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation feed between two processes (the test's instance A and a child JVM B, {@link ChildAuth}) when wall
 * clocks misbehave: A's clock stepped back, A's clock glitching forward and back, B's clock behind A's, and feed rows
 * pruned before A read them. A's revocation poll runs on a fake monotonic ticker that the test advances; the wall
 * clocks are fake too. Nothing sleeps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RevocationClockTest {
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

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private AuthFixture instanceA() {
    AuthFixture f = new AuthFixture(dir);
    f.ticker = nanos::get;
    return f;
  }

  private void tick(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void wallClockSteppedBack_revocationOnB_stillEnforcedOnA_withinTheBound() throws Exception {
    AuthFixture fa = instanceA();
    try (AuthService a = fa.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens other = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(t.accessToken()).username());
      fa.clock.set(fa.clock.instant().minus(Duration.ofHours(1))); // NTP steps A's clock back an hour
      b.open(new AuthFixture(dir)); // B's clock is right
      b.call("logout", t.accessToken());
      tick(BOUND);
      // before the fix A scheduled its next poll on the wall clock and polled again only an hour later
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      assertEquals("bob", a.authenticate(other.accessToken()).username());
    }
  }

  @Test
  void wallClockGlitchesForwardAndBack_revokedSessionNotForgotten() throws Exception {
    AuthFixture fa = instanceA();
    try (AuthService a = fa.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens other = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      b.open(new AuthFixture(dir));
      b.call("logout", t.accessToken());
      tick(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      // A's clock jumps two days ahead for a moment (past the session's expiry) while requests keep coming ...
      java.time.Instant right = fa.clock.instant();
      fa.clock.set(right.plus(Duration.ofDays(2)));
      tick(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      // ... and comes back: the token's exp is in the future again, and the revocation must still be known
      fa.clock.set(right.plusSeconds(2));
      tick(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      assertEquals("bob", a.authenticate(other.accessToken()).username());
    }
  }

  @Test
  void rowWrittenByAnInstanceWhoseClockIsBehind_isApplied() throws Exception {
    AuthFixture fa = instanceA();
    try (AuthService a = fa.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens u = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      a.logout(a.authenticate(u.accessToken())); // A wrote a feed row at its time
      AuthFixture fb = new AuthFixture(dir);
      fb.clock.set(fa.clock.instant().minus(Duration.ofMinutes(10))); // B's clock is ten minutes behind
      b.open(fb);
      b.call("logout", t.accessToken()); // a feed row with an older timestamp than the one A saw last
      tick(BOUND);
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
    }
  }

  @Test
  void feedRowsPrunedBeforeARead_AReloadsInsteadOfMissingThem() throws Exception {
    AuthFixture fa = instanceA();
    try (AuthService a = fa.open()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens other = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens third = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(t.accessToken()).username());
      b.open(new AuthFixture(dir));
      b.call("logout", t.accessToken());
      b.call("logout", third.accessToken());
      // what the age-based prune of an instance whose clock runs weeks ahead does: every row but the newest goes
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + fa.dbFile);
          Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM revocations WHERE seq < (SELECT max(seq) FROM revocations)");
      }
      tick(BOUND);
      // before the fix A read the rows after its position, found only the newest and never learned of t's logout
      assertThrows(InvalidTokenException.class, () -> a.authenticate(third.accessToken()));
      assertThrows(InvalidTokenException.class, () -> a.authenticate(t.accessToken()));
      assertEquals("bob", a.authenticate(other.accessToken()).username());
    }
  }
}
