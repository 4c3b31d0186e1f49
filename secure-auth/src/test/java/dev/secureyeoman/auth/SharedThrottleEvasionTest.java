package dev.secureyeoman.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import dev.secureyeoman.web.RedisBuckets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (issue 18), attacks on the shared login throttle that did not work, kept as regression tests: spreading
 * guesses over two nodes <em>and</em> over spellings of one user name, or over addresses of one IPv6 /64, still spends
 * one budget in Redis; a Redis that stops answering without closing the connection (SIGSTOP) fails logins closed in
 * bounded time (the 250 ms command timeout), and logins work again when it answers.
 */
@ExtendWith(RedisExtension.class)
class SharedThrottleEvasionTest {
  static final String ALICE_PW = "alice has a very long password indeed!";
  static final String WRONG = "wrong guess padded to be long enough";
  @TempDir Path dir;

  private static final class Node implements AutoCloseable {
    final RedisBuckets buckets;
    final AuthService service;

    Node(Path dir, RedisServer redis, Clock redisClock) throws Exception {
      Files.createDirectories(dir);
      AuthFixture f = new AuthFixture(dir);
      buckets =
          RedisBuckets.builder().redisUrl(redis.uri().toString()).clock(redisClock)
              .reconnectDelay(Duration.ofMillis(100)).build();
      service =
          AuthService.builder()
              .dataSource(f.dataSource())
              .auditSink(f.audit)
              .masterKey(dev.secureyeoman.core.SecretBytes.copyOf(f.masterKey))
              .settings(AuthSettings.builder().hashParameters(AuthFixture.CHEAP).build())
              .clock(f.clock)
              .sharedLoginBuckets(new SharedLoginThrottleRedisTest.RedisLoginBuckets(buckets))
              .build();
      service.createUser("alice", ALICE_PW.toCharArray(), Set.of());
      for (int i = 0; i < 6; i++) {
        service.createUser("user" + i, ALICE_PW.toCharArray(), Set.of());
      }
    }

    LoginResult login(String user, String pw, String client) throws AuthException {
      return service.login(user, pw.toCharArray(), false, ClientInfo.of(client));
    }

    @Override
    public void close() {
      service.close();
      buckets.close();
    }
  }

  @Test
  void guessesSpreadOverNodesAndNameSpellings_oneBudget(RedisServer redis) throws Exception {
    AuthFixture clock = new AuthFixture(dir);
    try (Node a = new Node(dir.resolve("a"), redis, clock.clock);
        Node b = new Node(dir.resolve("b"), redis, clock.clock)) {
      // legitimate path: every spelling logs alice in (names are unique ignoring case)
      assertInstanceOf(LoginResult.Authenticated.class, b.login("ALICE", ALICE_PW, "198.51.100.1"));
      String[] spellings = {"alice", "ALICE", "Alice", "aLiCe", "alicE"};
      for (int i = 0; i < spellings.length; i++) {
        Node n = i % 2 == 0 ? a : b;
        String name = spellings[i];
        String client = "203.0.113." + (10 + i); // fresh per-client buckets: only the per-user one counts
        assertThrows(InvalidCredentialsException.class, () -> n.login(name, WRONG, client));
      }
      for (Node n : List.of(a, b)) {
        for (String name : List.of("alice", "ALIce")) {
          assertThrows(LoginThrottledException.class, () -> n.login(name, ALICE_PW, "192.0.2.77"));
        }
      }
    }
  }

  @Test
  void guessesSpreadOverNodesAndAddressesOfOneIpv6Network_oneClientBudget(RedisServer redis) throws Exception {
    AuthFixture clock = new AuthFixture(dir);
    try (Node a = new Node(dir.resolve("a"), redis, clock.clock);
        Node b = new Node(dir.resolve("b"), redis, clock.clock)) {
      String[] sameNetwork = {
        "2001:db8:1:2::1", "2001:DB8:1:2:ffff:ffff:ffff:fffe", "[2001:db8:1:2::3]", "2001:db8:1:2:0:0:0:4",
        "2001:0db8:0001:0002::5"
      };
      for (int i = 0; i < sameNetwork.length; i++) {
        Node n = i % 2 == 0 ? a : b;
        String user = "user" + i; // a fresh per-user bucket each time: only the per-client one counts
        String client = sameNetwork[i];
        assertThrows(InvalidCredentialsException.class, () -> n.login(user, WRONG, client));
      }
      for (Node n : List.of(a, b)) {
        assertThrows(LoginThrottledException.class, () -> n.login("user5", ALICE_PW, "2001:db8:1:2:abcd::9"));
      }
      // another /64 is another client
      assertInstanceOf(LoginResult.Authenticated.class, a.login("user5", ALICE_PW, "2001:db8:1:3::1"));
    }
  }

  @Test
  void redisFrozen_loginFailsClosedInBoundedTime_thenWorksAgain(RedisServer redis) throws Exception {
    AuthFixture clock = new AuthFixture(dir);
    ExecutorService ex = Executors.newSingleThreadExecutor();
    boolean frozen = false;
    try (Node a = new Node(dir.resolve("a"), redis, clock.clock)) {
      assertInstanceOf(LoginResult.Authenticated.class, a.login("alice", ALICE_PW, "198.51.100.1"));
      signal("STOP", redis.pid());
      frozen = true;
      Future<LoginResult> attempt = ex.submit(() -> a.login("alice", ALICE_PW, "198.51.100.1"));
      Throwable t;
      try {
        attempt.get(30, TimeUnit.SECONDS);
        throw new AssertionError("a login passed while the shared buckets could not be read");
      } catch (ExecutionException e) {
        t = e.getCause();
      } catch (TimeoutException e) {
        throw new AssertionError("login still waiting for a frozen Redis after 30 s");
      }
      AuthStorageException closed = assertInstanceOf(AuthStorageException.class, t);
      assertInstanceOf(SharedBucketsUnavailableException.class, closed.getCause());
      signal("CONT", redis.pid());
      frozen = false;
      LoginResult back = null;
      for (int i = 0; i < 100 && back == null; i++) {
        try {
          back = a.login("alice", ALICE_PW, "198.51.100.1");
        } catch (AuthStorageException stillDown) {
          Thread.sleep(100);
        }
      }
      assertInstanceOf(LoginResult.Authenticated.class, back);
      assertEquals("alice", ((LoginResult.Authenticated) back).principal().username());
    } finally {
      if (frozen) {
        signal("CONT", redis.pid());
      }
      ex.shutdownNow();
    }
  }

  private static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor();
  }
}
