package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 18): a node's token-version cache must not keep a version that another node revoked while this node
 * was reading it. Node B reads bob's token version (1) from the real PostgreSQL database for a request; before it
 * caches that value, node A logs bob out everywhere (version 2) and B's poll applies A's feed row. The stale read must
 * not win: once the bound has passed, bob's old access token fails on B, and keeps failing.
 *
 * <p>The only artifice is a data source around B's real HikariCP pool that holds one chosen query's (already read)
 * result until the test lets it go, which makes the interleaving deterministic instead of timing-dependent.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RevocationCacheRaceTest {
  static final Duration BOUND = AuthSettings.defaults().revocationCheckInterval();
  static final String TOKEN_VERSION_QUERY = "SELECT token_version FROM users WHERE id = ?";

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
                .build());
    f.ticker = () -> 0L; // only the fake wall clock moves the poll
  }

  @AfterEach
  void closePools() {
    pg.close();
  }

  private AuthService node(DataSource ds) throws AuthException {
    DataSource before = f.dataSource;
    f.dataSource = ds;
    try {
      return f.open();
    } finally {
      f.dataSource = before;
    }
  }

  @Test
  void logoutEverywhereOnA_whileBReadsTheOldTokenVersion_oldTokenStillDiesOnB() throws Exception {
    HoldingDataSource heldB = new HoldingDataSource(pg.pool(), TOKEN_VERSION_QUERY);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (AuthService a = node(pg.pool());
        AuthService b = node(heldB)) {
      AuthFixture.createBob(a);
      AuthFixture.createAdmin(a);
      String adminOnB = AuthFixture.login(b, "admin", AuthFixture.ADMIN_PASSWORD, false).tokens().accessToken();
      assertEquals("admin", b.authenticate(adminOnB).username());
      // bob logs in on A only: B has never seen bob's token version
      String bobs = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().accessToken();

      heldB.arm();
      Future<Principal> inFlight = ex.submit(() -> b.authenticate(bobs)); // B reads version 1 ...
      assertTrue(heldB.read.await(30, TimeUnit.SECONDS), "B read bob's token version");
      a.logoutEverywhere(a.authenticate(bobs)); // ... A commits version 2 ...
      f.advance(BOUND);
      assertEquals("admin", b.authenticate(adminOnB).username()); // ... B polls the feed (bob's row) ...
      heldB.release.countDown(); // ... and only then caches what it read
      try {
        inFlight.get(30, TimeUnit.SECONDS); // a request in flight during the revocation may pass, or not
      } catch (java.util.concurrent.ExecutionException e) {
        assertInstanceOf(InvalidTokenException.class, e.getCause());
      }

      f.advance(BOUND);
      assertThrows(InvalidTokenException.class, () -> b.authenticate(bobs), "bob's old token on B after the bound");
      f.advance(Duration.ofMinutes(5));
      assertThrows(InvalidTokenException.class, () -> b.authenticate(bobs), "and later");
      // legitimate path: a fresh login after the revocation works on both nodes
      String fresh = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens().accessToken();
      assertEquals("bob", b.authenticate(fresh).username());
    } finally {
      heldB.release.countDown();
      ex.shutdownNow();
    }
  }

  @Test
  void logoutOnA_racingRefreshOnB_whicheverWins_noTokenOfTheSessionSurvives() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (AuthService a = node(pg.pool());
        AuthService b = node(pg.pool())) {
      AuthFixture.createBob(a);
      // both orders occur (one run here: the refresh won 1 of 6 rounds); either way nothing of the session survives
      for (int round = 0; round < 6; round++) {
        AuthTokens t = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
        Principal p = a.authenticate(t.accessToken());
        CountDownLatch go = new CountDownLatch(1);
        Future<?> logout = pool.submit(() -> { go.await(); a.logout(p); return null; });
        Future<AuthTokens> refresh = pool.submit(() -> { go.await(); return b.refresh(t.refreshToken(), AuthFixture.CLIENT); });
        go.countDown();
        logout.get(30, TimeUnit.SECONDS);
        AuthTokens next = null;
        try {
          next = refresh.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          assertInstanceOf(InvalidTokenException.class, e.getCause());
        }
        f.advance(BOUND);
        for (AuthService n : new AuthService[] {a, b}) {
          assertThrows(InvalidTokenException.class, () -> n.authenticate(t.accessToken()));
          if (next != null) {
            String access = next.accessToken();
            assertThrows(InvalidTokenException.class, () -> n.authenticate(access), "refreshed before the logout");
          }
        }
        if (next != null) {
          String rt = next.refreshToken();
          assertThrows(InvalidTokenException.class, () -> a.refresh(rt, AuthFixture.CLIENT));
        }
      }
      // legitimate path: bob still logs in and refreshes across nodes
      AuthTokens fresh = AuthFixture.login(a, "bob", USER_PASSWORD, false).tokens();
      assertEquals("bob", a.authenticate(b.refresh(fresh.refreshToken(), AuthFixture.CLIENT).accessToken()).username());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Around a real data source: the first execution of {@code heldSql} after {@link #arm()} runs against the database,
   * then waits (result already read) until {@link #release}.
   */
  static final class HoldingDataSource implements DataSource {
    private final DataSource real;
    private final String heldSql;
    private final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch read = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HoldingDataSource(DataSource real, String heldSql) {
      this.real = real;
      this.heldSql = heldSql;
    }

    void arm() {
      armed.set(true);
    }

    @Override
    public Connection getConnection() throws java.sql.SQLException {
      Connection c = real.getConnection();
      return (Connection)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, m, args) -> {
                Object r = invoke(c, m, args);
                if (m.getName().equals("prepareStatement") && args != null && heldSql.equals(args[0])) {
                  return holding((PreparedStatement) r);
                }
                return r;
              });
    }

    private PreparedStatement holding(PreparedStatement ps) {
      InvocationHandler h =
          (proxy, m, args) -> {
            Object r = invoke(ps, m, args);
            if (m.getName().equals("executeQuery") && armed.compareAndSet(true, false)) {
              read.countDown();
              release.await(60, TimeUnit.SECONDS);
            }
            return r;
          };
      return (PreparedStatement)
          Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class}, h);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    @Override
    public Connection getConnection(String user, String password) throws java.sql.SQLException {
      throw new java.sql.SQLFeatureNotSupportedException();
    }

    @Override
    public java.io.PrintWriter getLogWriter() throws java.sql.SQLException {
      return real.getLogWriter();
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) throws java.sql.SQLException {
      real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws java.sql.SQLException {
      real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws java.sql.SQLException {
      return real.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
      return real.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws java.sql.SQLException {
      return real.isWrapperFor(iface);
    }
  }
}
