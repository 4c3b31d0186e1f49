package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AuthDataSources#postgres}: bad arguments refused up front; the password is never shown ({@code toString},
 * exception messages of a refused login); a wrong password is a typed {@link AuthStorageException}.
 */
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresDataSourceTest {
  static final String PASSWORD = "pg-pw-7d1e0c-not-for-logs";
  @TempDir Path dir;

  @Test
  void badArguments_refused() {
    assertThrows(
        IllegalArgumentException.class, () -> AuthDataSources.postgres("jdbc:mysql://h/db", "u", new char[0]));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthDataSources.postgres("jdbc:postgresql://h/db", "u", new char[0], 0, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthDataSources.postgres("jdbc:postgresql://h/db", "u", new char[0], 1001, Duration.ofSeconds(1)));
  }

  @Test
  void passwordProtectedServer_rightPasswordWorks_wrongOneTyped_neverShown() throws Exception {
    try (PostgresServer server = PostgresServer.builder().password(PASSWORD).start()) {
      PostgresDatabase db = server.createDatabase();
      AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
      try (AuthDataSources.Pooled wrong =
          AuthDataSources.postgres(db.jdbcUrl(), db.user(), "wrong-password".toCharArray(), 2, Duration.ofSeconds(1))) {
        f.dataSource = wrong;
        AuthStorageException e = assertThrows(AuthStorageException.class, f::open);
        assertFalse(chain(e).contains("wrong-password"), chain(e));
      }
      char[] pw = PASSWORD.toCharArray();
      try (AuthDataSources.Pooled pool =
          AuthDataSources.postgres(db.jdbcUrl(), db.user(), pw, 2, Duration.ofSeconds(5))) {
        java.util.Arrays.fill(pw, '\0'); // the pool copied it
        assertFalse(pool.toString().contains(PASSWORD), pool.toString());
        assertTrue(pool.toString().contains(db.jdbcUrl()));
        assertTrue(pool.isWrapperFor(DataSource.class));
        assertSame(pool, pool.unwrap(AuthDataSources.Pooled.class));
        assertThrows(SQLException.class, () -> pool.unwrap(String.class));
        assertThrows(SQLException.class, () -> pool.getConnection("other", "user"));
        f.dataSource = pool;
        try (AuthService s = f.open()) {
          AuthFixture.createBob(s);
          assertEquals("bob", AuthFixture.login(s, "bob", AuthFixture.USER_PASSWORD, false).principal().username());
        }
      }
    }
  }

  @Test
  void poolName_distinguishesThePools_inThreadNamesAndOnTheServer_defaultIsAuth_badNameRefused() throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthDataSources.postgres("jdbc:postgresql://h/db", "u", new char[0], 1, Duration.ofSeconds(1), "a b"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AuthDataSources.postgres("jdbc:postgresql://h/db", "u", new char[0], 1, Duration.ofSeconds(1), ""));
    PostgresDatabase db = PostgresServer.shared().createDatabase();
    try (AuthDataSources.Pooled auth =
            AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray(), 2, Duration.ofSeconds(5));
        AuthDataSources.Pooled audit =
            AuthDataSources.postgres(
                db.jdbcUrl(), db.user(), db.password().toCharArray(), 2, Duration.ofSeconds(5), "secureyeoman-audit")) {
      assertEquals(AuthDataSources.DEFAULT_POOL_NAME, applicationName(auth));
      assertEquals("secureyeoman-audit", applicationName(audit));
      assertTrue(auth.toString().startsWith("PostgreSQL pool secureyeoman-auth["), auth.toString());
      assertTrue(audit.toString().startsWith("PostgreSQL pool secureyeoman-audit["), audit.toString());
      java.util.Set<String> threads = new java.util.HashSet<>();
      Thread.getAllStackTraces().keySet().forEach(t -> threads.add(t.getName()));
      assertTrue(threads.contains("secureyeoman-audit:housekeeper"), threads.toString());
      assertTrue(threads.contains("secureyeoman-auth:housekeeper"), threads.toString());
    }
  }

  /** The {@code application_name} the server sees for a connection of the pool. */
  private static String applicationName(DataSource pool) throws SQLException {
    try (java.sql.Connection c = pool.getConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String chain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }
}
