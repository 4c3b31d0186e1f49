package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.CLIENT;
import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 18): a PostgreSQL server that stops answering without closing its connections (a hung host, a
 * network path that drops packets; here the test's own postmaster and its backends frozen with SIGSTOP). The docs say
 * requests that need the database fail with {@link AuthStorageException}: a request on a connection the pool already
 * holds must fail too, not wait forever (holding the revocation poll's lock, so every later request of the node waits
 * behind it). The bound checked is a liveness bound (60 s), far above the pool's timeouts, not a performance number.
 */
@EnabledIf(value = "dev.secureyeoman.auth.PostgresRun#available", disabledReason = PostgresRun.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresHungServerTest {
  static final long LIVENESS_SECONDS = 60;
  @TempDir Path dir;

  @Test
  void serverFrozen_requestsOnPooledConnectionsFailInsteadOfHanging_thenRecover() throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(2);
    List<Long> frozen = new ArrayList<>();
    try (PostgresServer server = PostgresServer.start()) {
      AuthFixture f = new AuthFixture(dir, AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build());
      f.ticker = () -> 0L;
      dev.secureyeoman.testkit.PostgresDatabase db = server.createDatabase();
      try (AuthDataSources.Pooled pool =
          AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray(), 1, Duration.ofSeconds(3))) {
        f.dataSource = pool;
        try (AuthService s = f.open()) {
          AuthFixture.createBob(s);
          String access = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken();
          assertEquals("bob", s.authenticate(access).username());
          f.advance(AuthSettings.defaults().revocationCheckInterval()); // the next check polls the feed
          freeze(server.pid(), frozen);
          Future<?> check = ex.submit(() -> s.authenticate(access));
          Future<?> login = ex.submit(() -> s.login("bob", USER_PASSWORD.toCharArray(), false, CLIENT));
          assertInstanceOf(AuthStorageException.class, failure(check), "fail closed (503, not 401), in bounded time");
          assertInstanceOf(AuthStorageException.class, failure(login), "503, and in bounded time");
          resume(frozen);
          // recovery without manual steps: the pool replaces the connections that timed out
          String again = null;
          for (int i = 0; i < 50 && again == null; i++) {
            try {
              again = AuthFixture.login(s, "bob", USER_PASSWORD, false).tokens().accessToken();
            } catch (AuthStorageException e) {
              Thread.sleep(200);
            }
          }
          assertEquals("bob", s.authenticate(again).username());
        }
      }
    } finally {
      resume(frozen);
      ex.shutdownNow();
    }
  }

  private static Throwable failure(Future<?> f) throws InterruptedException {
    try {
      f.get(LIVENESS_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("succeeded against a frozen server");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("still waiting for the frozen server after " + LIVENESS_SECONDS + " s");
    }
  }

  /** SIGSTOPs the postmaster first (it forks nothing more), then every descendant: this test's own server only. */
  private static void freeze(long postmaster, List<Long> frozen) throws Exception {
    signal("STOP", postmaster);
    frozen.add(postmaster);
    List<Long> todo = new ArrayList<>(List.of(postmaster));
    while (!todo.isEmpty()) {
      long parent = todo.remove(0);
      for (long child : children(parent)) {
        signal("STOP", child);
        frozen.add(child);
        todo.add(child);
      }
    }
    assertTrue(frozen.size() > 1, "postmaster and backends frozen: " + frozen);
  }

  private static void resume(List<Long> frozen) throws Exception {
    for (long pid : frozen) {
      signal("CONT", pid);
    }
    frozen.clear();
  }

  private static List<Long> children(long parent) throws IOException {
    List<Long> out = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) dirs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (Long.parseLong(rest[1]) == parent) {
          out.add(Long.parseLong(name));
        }
      }
    }
    return out;
  }

  private static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor();
  }
}
