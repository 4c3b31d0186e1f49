package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures what the cross-node revocation check adds to {@code authenticate} (docs/PERFORMANCE.md): the default (an
 * in-memory check, the feed polled at most once per {@code revocation_check_interval} = 1 s) against a database read on
 * every request ({@code revocationCheckInterval(ZERO)}: one indexed range query on the feed), on PostgreSQL over
 * loopback and on SQLite. Real clock and ticker; prints p50/p99 and asserts only that every token was accepted.
 * {@code -Drevocation.cost.n=20000} for the documented run.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
class RevocationCheckCostTest {
  static final int N = Integer.getInteger("revocation.cost.n", 2000);
  @TempDir Path dir;

  @Test
  void authenticate_p50p99_cachedVsPerRequestRead_postgresAndSqlite(PostgresDatabase db) throws Exception {
    try (PostgresRun pg = new PostgresRun(db)) {
      for (Duration interval : new Duration[] {AuthSettings.defaults().revocationCheckInterval(), Duration.ZERO}) {
        AuthFixture f = pg.fixture(dir, settings(interval));
        measure("postgresql", interval, f);
      }
    }
    for (Duration interval : new Duration[] {AuthSettings.defaults().revocationCheckInterval(), Duration.ZERO}) {
      Path d = dir.resolve("sqlite-" + interval.toMillis());
      java.nio.file.Files.createDirectories(d);
      measure("sqlite", interval, new AuthFixture(d, settings(interval)));
    }
  }

  private static AuthSettings settings(Duration interval) {
    return AuthSettings.builder()
        .hashParameters(AuthFixture.CHEAP)
        .loginRateLimit(1000, Duration.ofMinutes(1))
        .revocationCheckInterval(interval)
        .build();
  }

  private static void measure(String engine, Duration interval, AuthFixture f) throws Exception {
    try (AuthService s =
        AuthService.builder()
            .dataSource(f.dataSource())
            .auditSink(f.audit)
            .masterKey(dev.secureyeoman.core.SecretBytes.copyOf(f.masterKey))
            .settings(f.settings)
            .clock(Clock.systemUTC())
            .build()) {
      String user = "bench" + interval.toMillis(); // one user per run: the PostgreSQL database is shared by both runs
      s.createUser(user, USER_PASSWORD.toCharArray(), java.util.Set.of());
      String token = AuthFixture.login(s, user, USER_PASSWORD, false).tokens().accessToken();
      for (int i = 0; i < Math.max(1000, N / 5); i++) {
        s.authenticate(token); // warm-up (JIT, pool)
      }
      long[] ns = new long[N];
      for (int i = 0; i < N; i++) {
        long t0 = System.nanoTime();
        assertEquals(user, s.authenticate(token).username());
        ns[i] = System.nanoTime() - t0;
      }
      Arrays.sort(ns);
      System.out.println(
          String.format(
              Locale.ROOT,
              "REVOCATION-CHECK engine=%s interval=%s n=%d p50=%.1fus p99=%.1fus",
              engine, interval, N, ns[N / 2] / 1000.0, ns[(int) (N * 0.99)] / 1000.0));
    }
  }
}
