package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL server goes away under a running service (its own testkit server, stopped and restarted): requests
 * that need the database fail with the typed {@link AuthStorageException} (a gateway answers 503), nothing is half
 * written, and the same service works again once the server is back, with no manual step.
 */
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresOutageTest {
  @TempDir Path dir;
  PostgresServer server;
  AuthDataSources.Pooled pool;

  @BeforeEach
  void start() {
    server = PostgresServer.start();
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close();
    }
    server.close();
  }

  @Test
  void serverStopped_typedFailure_noPartialWrite_recoversAfterRestart() throws Exception {
    PostgresDatabase db = server.createDatabase();
    pool = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray(), 4, Duration.ofSeconds(1));
    AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    f.dataSource = pool;
    try (AuthService s = f.open()) {
      AuthFixture.createBob(s);
      AuthTokens t = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens();
      Principal p = s.authenticate(t.accessToken());

      server.stop();
      // a token check that must read the revocation feed: not accepted, and not called invalid either (503, not 401)
      f.advance(AuthSettings.defaults().revocationCheckInterval());
      assertThrows(AuthStorageException.class, () -> s.authenticate(t.accessToken()));
      AuthStorageException login =
          assertThrows(AuthStorageException.class, () -> s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
      assertFalse(String.valueOf(login.getMessage()).contains(USER_PASSWORD));
      assertThrows(AuthStorageException.class, () -> s.refresh(t.refreshToken(), CLIENT));
      assertThrows(AuthStorageException.class, () -> s.logout(p));
      assertThrows(
          AuthStorageException.class, () -> s.createUser("carol", USER_PASSWORD.toCharArray(), Set.of()));

      server.restart();
      awaitRecovery(s, p.userId());
      // the failed logout changed nothing: the session is alive, its refresh token rotates once
      AuthTokens r = s.refresh(t.refreshToken(), CLIENT);
      assertEquals("bob", s.authenticate(r.accessToken()).username());
      assertEquals("bob", AuthFixture.login(s, "bob", USER_PASSWORD, false).principal().username());
      // and the failed user creation left no row
      try (Connection c = pool.getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) AS n FROM users WHERE username_key = 'carol'")) {
        assertTrue(rs.next());
        assertEquals(0, rs.getInt("n"));
      }
      s.createUser("carol", USER_PASSWORD.toCharArray(), Set.of());
    }
  }

  /**
   * The pool reconnects on its own (HikariCP retries with a backoff of at most 5 s); this waits for the first read that
   * succeeds, without any action on the service or the pool.
   */
  private static void awaitRecovery(AuthService s, String userId) throws Exception {
    for (int i = 0; ; i++) {
      try {
        s.isTotpEnabled(userId);
        return;
      } catch (AuthStorageException e) {
        if (i >= 30) {
          throw e;
        }
      }
    }
  }

  @Test
  void serviceBuiltWhileServerDown_typedFailure_thenBuildsAfterStart() throws Exception {
    PostgresDatabase db = server.createDatabase();
    pool = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray(), 2, Duration.ofSeconds(1));
    AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
    f.dataSource = pool;
    server.stop();
    assertThrows(AuthStorageException.class, f::open);
    server.restart();
    AuthService built = null;
    for (int i = 0; built == null; i++) { // the pool reconnects on its own, within its backoff (at most 5 s)
      try {
        built = f.open();
      } catch (AuthStorageException e) {
        if (i >= 30) {
          throw e;
        }
      }
    }
    try (AuthService s = built) {
      AuthFixture.createBob(s);
      assertEquals("bob", AuthFixture.login(s, "bob", USER_PASSWORD, false).principal().username());
    }
  }
}
