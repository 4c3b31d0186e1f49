package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 18): the PostgreSQL JDBC URL may carry the password itself ({@code ?password=…}, a documented
 * pgjdbc form that the driver honours). {@code security.storage.url} accepts any {@code jdbc:postgresql:} URL and the
 * gateway logs the pool at start ({@code auth storage: …}), so the pool's {@code toString()} and every exception of a
 * refused or malformed URL must not show it.
 */
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresUrlSecretTest {
  static final String PASSWORD = "url-pw-5b9c2e-not-for-logs";
  @TempDir Path dir;

  @Test
  void passwordInUrl_usedByTheDriver_neverInToStringOrExceptions() throws Exception {
    try (PostgresServer server = PostgresServer.builder().password(PASSWORD).start()) {
      PostgresDatabase db = server.createDatabase();
      AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
      // legitimate path: the driver takes the password from the URL (the pool's own password is empty)
      String url = db.jdbcUrl() + "?ApplicationName=sy&password=" + PASSWORD;
      try (AuthDataSources.Pooled pool = AuthDataSources.postgres(url, db.user(), new char[0], 2, Duration.ofSeconds(5))) {
        assertFalse(pool.toString().contains(PASSWORD), pool.toString());
        assertTrue(pool.toString().contains(db.jdbcUrl()), pool.toString()); // host, port and database still shown
        f.dataSource = pool;
        try (AuthService s = f.open()) {
          AuthFixture.createBob(s);
          assertEquals("bob", AuthFixture.login(s, "bob", AuthFixture.USER_PASSWORD, false).principal().username());
        }
      }
      // a wrong password in the URL: typed error, the URL's secret in no message
      String wrong = db.jdbcUrl() + "?password=wrong-" + PASSWORD;
      try (AuthDataSources.Pooled pool = AuthDataSources.postgres(wrong, db.user(), new char[0], 1, Duration.ofSeconds(1))) {
        assertFalse(pool.toString().contains(PASSWORD), pool.toString());
        f.dataSource = pool;
        AuthStorageException e = assertThrows(AuthStorageException.class, f::open);
        assertFalse(chain(e).contains(PASSWORD), chain(e));
      }
    }
  }

  @Test
  void malformedUrlWithPassword_refusedWithoutShowingIt() {
    for (String url :
        new String[] {
          "jdbc:postgresql://[::1/db?password=" + PASSWORD, "jdbc:postgresql://h:notaport/db?password=" + PASSWORD,
        }) {
      Exception e =
          assertThrows(
              Exception.class,
              () -> {
                try (AuthDataSources.Pooled p = AuthDataSources.postgres(url, "u", new char[0], 1, Duration.ofMillis(250))) {
                  AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
                  f.dataSource = p;
                  assertFalse(p.toString().contains(PASSWORD), p.toString());
                  f.open().close();
                }
              });
      assertFalse(chain(e).contains(PASSWORD), chain(e));
    }
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
      for (Throwable s : c.getSuppressed()) {
        sb.append("suppressed: ").append(s).append('\n');
      }
    }
    return sb.toString();
  }
}
