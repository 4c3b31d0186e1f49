package dev.secureyeoman.auth;

import static dev.secureyeoman.auth.AuthFixture.USER_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import dev.secureyeoman.web.BucketLimit;
import dev.secureyeoman.web.BucketProbe;
import dev.secureyeoman.web.RedisBuckets;
import dev.secureyeoman.web.SharedLimitUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Login throttling shared by two nodes (two services, each with its own SQLite file and its own Redis connection)
 * through one real {@code redis-server}: one budget for the cluster, and fail closed while Redis is down.
 */
@ExtendWith(RedisExtension.class)
class SharedLoginThrottleRedisTest {
  static final String ALICE_PW = "alice has a very long password indeed!";
  @TempDir Path dir;

  /** The adapter a host writes (the example gateway has the same one): RedisBuckets behind the auth SPI. */
  static final class RedisLoginBuckets implements SharedLoginBuckets {
    final RedisBuckets buckets;

    RedisLoginBuckets(RedisBuckets buckets) {
      this.buckets = buckets;
    }

    @Override
    public Duration tryConsume(String key, long capacity, Duration refillPeriod) {
      try {
        BucketProbe p = buckets.tryConsume(key, new BucketLimit(capacity, refillPeriod));
        return p.consumed() ? Duration.ZERO : p.refillWait();
      } catch (SharedLimitUnavailableException e) {
        throw new SharedBucketsUnavailableException(e.getMessage(), e);
      }
    }

    @Override
    public void refund(String key, long capacity, Duration refillPeriod) {
      try {
        buckets.addTokens(key, new BucketLimit(capacity, refillPeriod), 1);
      } catch (SharedLimitUnavailableException e) {
        throw new SharedBucketsUnavailableException(e.getMessage(), e);
      }
    }
  }

  private static final class Node implements AutoCloseable {
    final AuthFixture fixture;
    final RedisBuckets buckets;
    final AuthService service;

    Node(Path dir, RedisServer redis, Clock redisClock) throws Exception {
      Files.createDirectories(dir);
      this.fixture = new AuthFixture(dir);
      this.buckets =
          RedisBuckets.builder()
              .redisUrl(redis.uri().toString())
              .clock(redisClock)
              .reconnectDelay(Duration.ofMillis(100))
              .build();
      this.service =
          AuthService.builder()
              .dataSource(fixture.dataSource())
              .auditSink(fixture.audit)
              .masterKey(dev.secureyeoman.core.SecretBytes.copyOf(fixture.masterKey))
              .settings(fixture.settings)
              .clock(fixture.clock)
              .sharedLoginBuckets(new RedisLoginBuckets(buckets))
              .build();
      service.createUser("alice", ALICE_PW.toCharArray(), Set.of());
      AuthFixture.createBob(service);
    }

    LoginResult login(String user, String pw, String client) throws AuthException {
      return service.login(user, pw.toCharArray(), false, ClientInfo.of(client));
    }

    @Override
    public void close() throws Exception {
      service.close();
      buckets.close();
    }
  }

  @Test
  void login_fiveWrongPasswordsSpreadOverTwoNodes_nextAttemptThrottledOnEither(RedisServer redis) throws Exception {
    AuthFixture clockSource = new AuthFixture(dir); // one wall clock for the Redis refill of both nodes
    try (Node a = new Node(dir.resolve("a"), redis, clockSource.clock);
        Node b = new Node(dir.resolve("b"), redis, clockSource.clock)) {
      // five guesses from five addresses (the per-client buckets stay full), alternating between the nodes
      for (int i = 0; i < 5; i++) {
        Node n = i % 2 == 0 ? a : b;
        String client = "203.0.113." + (10 + i);
        assertThrows(InvalidCredentialsException.class, () -> n.login("alice", "wrong guess padded long", client));
      }
      // the sixth attempt is refused on both nodes before the password is checked, even with the right password
      for (Node n : List.of(a, b)) {
        LoginThrottledException e =
            assertThrows(LoginThrottledException.class, () -> n.login("alice", ALICE_PW, "192.0.2.1"));
        assertTrue(e.retryAfter().compareTo(Duration.ofSeconds(1)) >= 0, e.retryAfter().toString());
      }
      assertEquals(
          5, a.fixture.audit.named("auth.login.failure").size() + b.fixture.audit.named("auth.login.failure").size(),
          "one budget for the cluster: only five guesses reached a password check");
      // a per-node throttle would have let each node check five more
      assertEquals(3, a.fixture.audit.named("auth.login.failure").size());
      // the legitimate path: bob logs in far more often than the capacity (each success refunds its tokens) ...
      for (int i = 0; i < 12; i++) {
        assertInstanceOf(
            LoginResult.Authenticated.class, (i % 2 == 0 ? a : b).login("bob", USER_PASSWORD, "198.51.100.7"));
      }
      // ... and alice gets in once the shared bucket has refilled by the clock
      clockSource.advance(Duration.ofMinutes(1));
      a.fixture.advance(Duration.ofMinutes(1));
      b.fixture.advance(Duration.ofMinutes(1));
      assertInstanceOf(LoginResult.Authenticated.class, b.login("alice", ALICE_PW, "192.0.2.1"));
    }
  }

  @Test
  void login_redisStopped_failsClosedWithTypedError_worksAgainAfterRestart(RedisServer redis) throws Exception {
    AuthFixture clockSource = new AuthFixture(dir);
    try (Node a = new Node(dir.resolve("a"), redis, clockSource.clock);
        Node b = new Node(dir.resolve("b"), redis, clockSource.clock)) {
      assertInstanceOf(LoginResult.Authenticated.class, a.login("bob", USER_PASSWORD, "198.51.100.7"));
      redis.stop();
      for (Node n : List.of(a, b)) {
        for (int i = 0; i < 3; i++) {
          // the right password and a wrong one get the same refusal: nothing is checked, nothing is guessed
          for (String pw : List.of(USER_PASSWORD, "wrong guess padded long")) {
            AuthStorageException e =
                assertThrows(AuthStorageException.class, () -> n.login("bob", pw, "198.51.100.7"));
            assertInstanceOf(SharedBucketsUnavailableException.class, e.getCause());
            assertFalse(e.getMessage().contains(redis.uri().getHost() + ":" + redis.port() + "@"));
          }
        }
        assertTrue(n.fixture.audit.named("auth.login.failure").isEmpty(), "no password was checked");
        assertEquals(
            1, n.fixture.audit.named("auth.throttle.unavailable").size(), "audited once per client and window");
      }
      assertEquals(1, a.fixture.audit.named("auth.login.success").size(), "only the login before the outage");
      redis.restart();
      for (Node n : List.of(a, b)) {
        awaitLogin(n);
      }
    }
  }

  /** Lettuce reconnects by itself (backoff 100 ms here); no restart of the service is needed. */
  private static void awaitLogin(Node n) throws AuthException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        assertInstanceOf(LoginResult.Authenticated.class, n.login("bob", USER_PASSWORD, "198.51.100.7"));
        return;
      } catch (AuthStorageException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("login did not recover within 30 s", e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }
}
