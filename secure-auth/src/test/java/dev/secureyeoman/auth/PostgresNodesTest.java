package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.RecoveryCodes;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two "nodes" on one PostgreSQL database: two services, each with its own HikariCP pool, sharing nothing but the
 * database (and, as a cluster would, the master key and here a fake clock). What must be atomic across nodes is raced
 * from two threads, one per node; what one node revokes the other enforces within {@link
 * AuthSettings#revocationCheckInterval()} (the monotonic tickers are frozen, so only the fake clock moves the poll).
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresNodesTest {
  static final Duration BOUND = AuthSettings.defaults().revocationCheckInterval();
  static final String NEW_PASSWORD = "the new passphrase chosen on node A";
  static final int ROUNDS = 8;

  @TempDir Path dir;
  PostgresRun pg;
  AuthFixture f;

  @BeforeEach
  void database(PostgresDatabase db) {
    pg = new PostgresRun(db);
    f =
        pg.fixture(
            dir,
            AuthSettings.builder()
                .hashParameters(AuthFixture.CHEAP)
                .loginRateLimit(1000, Duration.ofMinutes(1))
                .mfaBruteForceProtection(Duration.ZERO, Duration.ZERO, 1000)
                .build());
    f.ticker = () -> 0L;
  }

  @AfterEach
  void closePools() {
    pg.close();
  }

  /** A node: a service on its own pool of the shared database. */
  private AuthService node() throws AuthException {
    DataSource own = pg.pool();
    DataSource before = f.dataSource;
    f.dataSource = own;
    try {
      return f.open();
    } finally {
      f.dataSource = before;
    }
  }

  private String code(byte[] secret) {
    return TotpService.generate(secret, f.clock.instant(), TotpParameters.defaults());
  }

  private static String challenge(AuthService s) throws Exception {
    return assertInstanceOf(
            LoginResult.MfaRequired.class, s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT))
        .challengeToken();
  }

  private RecoveryCodes enroll(AuthService s) throws Exception {
    Principal p = s.authenticate(AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken());
    byte[] secret = Base32.decode(s.beginTotpEnrollment(p, USER_PASSWORD.toCharArray()).manualEntryKey());
    RecoveryCodes rc = s.confirmTotpEnrollment(p, code(secret));
    f.advance(Duration.ofSeconds(30));
    this.secret = secret;
    return rc;
  }

  private byte[] secret;

  /** Runs the tasks at once (one thread each) and returns how many succeeded. */
  @SafeVarargs
  private static int race(Callable<?>... tasks) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(tasks.length);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (Callable<?> t : tasks) {
        fs.add(
            ex.submit(
                () -> {
                  start.await();
                  try {
                    t.call();
                    return true;
                  } catch (InvalidCredentialsException | InvalidTokenException e) {
                    return false;
                  }
                }));
      }
      start.countDown();
      int ok = 0;
      for (Future<Boolean> fu : fs) {
        ok += fu.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      return ok;
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void sameTotpCode_onTwoNodesConcurrently_acceptedExactlyOnce_everyRound() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      enroll(a);
      for (int round = 0; round < ROUNDS; round++) {
        String chA = challenge(a);
        String chB = challenge(b);
        String c = code(secret);
        assertEquals(
            1, race(() -> a.completeMfa(chA, c, CLIENT), () -> b.completeMfa(chB, c, CLIENT)), "round " + round);
        f.advance(Duration.ofSeconds(30)); // the legitimate path: the next period's code works on either node
      }
      String next = code(secret);
      b.completeMfa(challenge(b), next, CLIENT);
      assertThrows(InvalidCredentialsException.class, () -> a.completeMfa(challenge(a), next, CLIENT));
    }
  }

  @Test
  void serverDefaultSerializable_writesStillReadCommittedUnderTheLock_sameCodeExactlyOnce() throws Exception {
    try (Connection c =
            java.sql.DriverManager.getConnection(
                pg.database().jdbcUrl(), pg.database().user(), pg.database().password());
        Statement st = c.createStatement()) {
      // a snapshot taken before the wait for the lock would miss the other node's commit
      st.execute("ALTER DATABASE \"" + pg.database().name() + "\" SET default_transaction_isolation = 'serializable'");
    }
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      enroll(a);
      for (int round = 0; round < ROUNDS; round++) {
        String chA = challenge(a);
        String chB = challenge(b);
        String c = code(secret);
        assertEquals(
            1, race(() -> a.completeMfa(chA, c, CLIENT), () -> b.completeMfa(chB, c, CLIENT)), "round " + round);
        f.advance(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void sameRecoveryCode_onTwoNodesConcurrently_acceptedExactlyOnce() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      RecoveryCodes rc = enroll(a);
      for (int i = 0; i < 4; i++) {
        String one = rc.codes().get(i);
        String chA = challenge(a);
        String chB = challenge(b);
        assertEquals(
            1,
            race(
                () -> a.completeMfaWithRecoveryCode(chA, one, CLIENT),
                () -> b.completeMfaWithRecoveryCode(chB, one, CLIENT)),
            "code " + i);
        assertThrows(
            InvalidCredentialsException.class, () -> a.completeMfaWithRecoveryCode(challenge(a), one, CLIENT));
      }
    }
  }

  @Test
  void sameChallenge_onTwoNodesConcurrently_withTwoValidCodes_usedExactlyOnce() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      RecoveryCodes rc = enroll(a);
      for (int i = 0; i < 4; i++) {
        String ch = challenge(a);
        String c1 = rc.codes().get(2 * i);
        String c2 = rc.codes().get(2 * i + 1);
        assertEquals(
            1,
            race(
                () -> a.completeMfaWithRecoveryCode(ch, c1, CLIENT),
                () -> b.completeMfaWithRecoveryCode(ch, c2, CLIENT)),
            "challenge " + i);
      }
    }
  }

  @Test
  void sameRefreshToken_onTwoNodesConcurrently_oneRotation_thenReuseKillsTheFamily() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      for (int i = 0; i < ROUNDS; i++) {
        AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
        AuthTokens[] won = new AuthTokens[2];
        assertEquals(
            1,
            race(
                () -> won[0] = a.refresh(t.refreshToken(), CLIENT),
                () -> won[1] = b.refresh(t.refreshToken(), CLIENT)),
            "round " + i);
        AuthTokens winner = won[0] != null ? won[0] : won[1];
        // the loser presented a used token: reuse detected, the whole family (the winner's rotation too) is dead
        assertThrows(InvalidTokenException.class, () -> a.refresh(winner.refreshToken(), CLIENT));
        assertThrows(InvalidTokenException.class, () -> b.refresh(winner.refreshToken(), CLIENT));
      }
      // control: an uncontested rotation on one node is accepted by the other
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens r = b.refresh(t.refreshToken(), CLIENT);
      assertEquals("bob", a.authenticate(a.refresh(r.refreshToken(), CLIENT).accessToken()).username());
    }
  }

  @Test
  void logoutOnA_tokensFailOnB_withinTheBound() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens other = AuthFixture.login(b, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", b.authenticate(t.accessToken()).username()); // B has cached bob
      a.logout(a.authenticate(t.accessToken()));
      assertThrows(InvalidTokenException.class, () -> b.refresh(t.refreshToken(), CLIENT), "refresh reads the db");
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> b.authenticate(t.accessToken()));
      assertEquals("bob", b.authenticate(other.accessToken()).username());
      assertEquals("bob", a.authenticate(other.accessToken()).username());
    }
  }

  @Test
  void logoutEverywhereOnA_tokensFailOnB_withinTheBound() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      AuthTokens t = AuthFixture.login(b, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", b.authenticate(t.accessToken()).username());
      a.logoutEverywhere(a.authenticate(AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().accessToken()));
      assertThrows(InvalidTokenException.class, () -> b.refresh(t.refreshToken(), CLIENT));
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> b.authenticate(t.accessToken()));
      // a fresh login after the revocation works on both nodes
      String fresh = AuthFixture.login(b, "bob", USER_PASSWORD, false).tokens().accessToken();
      assertEquals("bob", a.authenticate(fresh).username());
    }
  }

  @Test
  void passwordResetOnA_tokensFailOnB_withinTheBound_newPasswordWorksOnB() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createAdmin(a);
      String pw = AuthFixture.ADMIN_PASSWORD;
      AuthTokens t = AuthFixture.login(b, "admin", pw, true).tokens();
      assertEquals("admin", b.authenticate(t.accessToken()).username());
      Principal onA = a.authenticate(AuthFixture.login(a, "admin", pw, false).tokens().accessToken());
      a.resetPassword(onA, pw.toCharArray(), NEW_PASSWORD.toCharArray());
      assertThrows(InvalidTokenException.class, () -> b.refresh(t.refreshToken(), CLIENT));
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> b.authenticate(t.accessToken()));
      assertThrows(InvalidCredentialsException.class, () -> AuthFixture.login(b, "admin", pw, false));
      assertEquals(
          "admin", b.authenticate(AuthFixture.login(b, "admin", NEW_PASSWORD, false).tokens().accessToken()).username());
    }
  }

  @Test
  void rolledBackRevocation_leavesNoGapInTheFeed_andTheNextOneReachesTheOtherNode() throws Exception {
    try (AuthService a = node();
        AuthService b = node()) {
      AuthFixture.createBob(a);
      AuthTokens t1 = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      AuthTokens t2 = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", b.authenticate(t1.accessToken()).username());
      Principal p1 = a.authenticate(t1.accessToken());
      f.audit.setFailing(true); // the logout's audit event fails before COMMIT: the whole logout rolls back
      assertThrows(AuthStorageException.class, () -> a.logout(p1));
      f.audit.setFailing(false);
      f.advance(BOUND);
      assertEquals("bob", b.authenticate(t1.accessToken()).username(), "nothing was revoked");
      a.logout(p1);
      a.logout(a.authenticate(t2.accessToken()));
      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> b.authenticate(t1.accessToken()));
      assertThrows(InvalidTokenException.class, () -> b.authenticate(t2.accessToken()));
      List<Long> seqs = new ArrayList<>();
      try (Connection c = pg.pool().getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT seq FROM revocations ORDER BY seq")) {
        while (rs.next()) {
          seqs.add(rs.getLong("seq"));
        }
      }
      for (int i = 0; i < seqs.size(); i++) {
        assertEquals(seqs.get(0) + i, seqs.get(i), "dense feed " + seqs);
      }
    }
  }

  @Test
  void twoNodesMigratingAFreshDatabaseAtOnce_bothStart_oneSchema() throws Exception {
    AuthService[] nodes = new AuthService[2];
    assertEquals(2, race(() -> nodes[0] = node(), () -> nodes[1] = node()));
    try (AuthService a = nodes[0];
        AuthService b = nodes[1]) {
      AuthFixture.createBob(a);
      assertEquals("bob", b.authenticate(AuthFixture.login(b, "bob", USER_PASSWORD, false).tokens().accessToken())
          .username());
      try (Connection c = pg.pool().getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) AS n, max(version) AS v FROM auth_schema")) {
        rs.next();
        assertEquals(2, rs.getInt("n"));
        assertEquals(2, rs.getInt("v"));
      }
    }
  }
}
