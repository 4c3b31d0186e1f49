package dev.secureyeoman.web;

import static dev.secureyeoman.web.RedisRateLimiterTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.CapturedLogs;
import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import dev.secureyeoman.testkit.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fail-closed primitive login throttling will use, against a real Redis. */
@ExtendWith(RedisExtension.class)
class RedisBucketsTest {
  private static final BucketLimit FIVE_PER_MINUTE = new BucketLimit(5, Duration.ofMinutes(1));
  private final TestClock clock = TestClock.create();

  private RedisBuckets open(String url) {
    return RedisBuckets.builder().redisUrl(url).clock(clock).reconnectDelay(Duration.ofMillis(100)).build();
  }

  @Test
  void tryConsume_redisStopped_failsClosed_nothingLocal_recoversAfterRestart(RedisServer redis) {
    try (RedisBuckets node1 = open(redis.uri().toString());
        RedisBuckets node2 = open(redis.uri().toString())) {
      for (int i = 0; i < 4; i++) {
        assertTrue((i % 2 == 0 ? node1 : node2).tryConsume("login:user:alice", FIVE_PER_MINUTE).consumed());
      }
      redis.stop();
      // no fallback: every attempt on every node is refused while the shared state cannot be read
      for (RedisBuckets n : List.of(node1, node2)) {
        for (int i = 0; i < 10; i++) {
          assertThrows(SharedLimitUnavailableException.class, () -> n.tryConsume("login:user:alice", FIVE_PER_MINUTE));
        }
        assertThrows(SharedLimitUnavailableException.class, () -> n.addTokens("login:user:alice", FIVE_PER_MINUTE, 1));
        assertFalse(n.isReachable());
      }
      redis.restart();
      awaitTrue(() -> consumedOrRefused(node1), "node 1 reconnects by itself");
      awaitTrue(() -> consumedOrRefused(node2), "node 2 reconnects by itself");
    }
  }

  @Test
  void tryConsume_keptAcrossRedisRestartWithAof_sharedStateSurvives() {
    try (RedisServer redis = RedisServer.builder().appendOnly().start();
        RedisBuckets node1 = open(redis.uri().toString());
        RedisBuckets node2 = open(redis.uri().toString())) {
      for (int i = 0; i < 5; i++) {
        assertTrue(node1.tryConsume("login:client:203.0.113.7", FIVE_PER_MINUTE).consumed());
      }
      redis.kill();
      redis.restart();
      awaitTrue(() -> consumedOrRefused(node2), "reconnect");
      BucketProbe p = node2.tryConsume("login:client:203.0.113.7", FIVE_PER_MINUTE);
      assertFalse(p.consumed(), "the spent bucket survived the Redis restart");
      assertEquals(Duration.ofSeconds(12), p.refillWait());
    }
  }

  @Test
  void addTokens_refund_neverBeyondCapacity_andKeysAreHashedInRedis(RedisServer redis) {
    try (RedisBuckets node = open(redis.uri().toString())) {
      BucketLimit one = new BucketLimit(1, Duration.ofHours(1));
      assertTrue(node.tryConsume("login:user:alice", one).consumed());
      assertFalse(node.tryConsume("login:user:alice", one).consumed());
      node.addTokens("login:user:alice", one, 1); // refund after a successful login
      assertTrue(node.tryConsume("login:user:alice", one).consumed());
      node.addTokens("login:user:alice", FIVE_PER_MINUTE, 1); // a different limit is a different bucket
      assertEquals(4, node.tryConsume("login:user:alice", FIVE_PER_MINUTE).remaining(), "capped at the capacity");
      assertThrows(IllegalArgumentException.class, () -> node.tryConsume("k", one, 2));
      assertThrows(IllegalArgumentException.class, () -> node.addTokens("k", one, 0));
      assertThrows(IllegalArgumentException.class, () -> node.tryConsume("", one));
      assertThrows(IllegalArgumentException.class, () -> node.tryConsume("k".repeat(513), one));

      RedisClient raw = RedisClient.create(redis.uri().toString());
      try (StatefulRedisConnection<String, String> c = raw.connect()) {
        List<String> keys = c.sync().keys("*");
        assertEquals(3, keys.size(), "two buckets and the connection's warm-up key: " + keys);
        for (String k : keys) {
          assertTrue(k.matches("secureyeoman:(bucket:[0-9a-f]{64}|warmup)"), k);
          assertTrue(c.sync().pttl(k) > 0, "every bucket expires: " + k);
        }
      } finally {
        raw.shutdown(Duration.ZERO, Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void tryConsume_wrongPassword_failsClosed_passwordNeverInMessageOrLog() {
    try (RedisServer redis = RedisServer.builder().password("right-pw-1").start();
        RedisBuckets node = open("redis://:wrong-pw-2@127.0.0.1:" + redis.port())) {
      SharedLimitUnavailableException e =
          assertThrows(SharedLimitUnavailableException.class, () -> node.tryConsume("k", FIVE_PER_MINUTE));
      assertFalse(e.getMessage().contains("wrong-pw-2"), e.getMessage());
      assertEquals("RedisBuckets[redis://127.0.0.1:" + redis.port() + "/0, namespace secureyeoman]", node.toString());
      assertEquals("redis://127.0.0.1:" + redis.port() + "/0", node.address());
      assertFalse(CapturedLogs.lines().stream().anyMatch(l -> l.contains("wrong-pw-2") || l.contains("right-pw-1")));
      // the operator reads why: the server's refusal is in the one WARN line
      assertTrue(
          CapturedLogs.linesOf(RedisBuckets.class, node.address() + " unreachable").stream()
              .anyMatch(l -> l.startsWith("WARN ") && l.contains("WRONGPASS")),
          CapturedLogs.lines().toString());
      assertTrue(e.getMessage().contains("WRONGPASS"), e.getMessage());
    }
  }

  @Test
  void tryConsume_redisNotRunningAtStart_failsClosed_thenConnectsWhenItIsUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RedisBuckets node = open("redis://127.0.0.1:" + port)) {
      assertThrows(SharedLimitUnavailableException.class, () -> node.tryConsume("k", FIVE_PER_MINUTE));
      // within the retry delay the connect is not attempted again: refused at once
      assertThrows(SharedLimitUnavailableException.class, () -> node.tryConsume("k", FIVE_PER_MINUTE));
    }
  }

  @Test
  void builder_validatesWithoutEchoingTheUrl() {
    assertThrows(IllegalStateException.class, () -> RedisBuckets.builder().build());
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> RedisBuckets.builder().redisUrl("http://:pw@host"));
    assertFalse(bad.getMessage().contains("pw"));
    IllegalArgumentException unparsable =
        assertThrows(
            IllegalArgumentException.class,
            () -> RedisBuckets.builder().redisUrl("redis://:topsecret@[bad").build());
    assertFalse(unparsable.getMessage().contains("topsecret"), unparsable.getMessage());
    assertEquals(null, unparsable.getCause());
    assertThrows(IllegalStateException.class, () -> RedisBuckets.builder().redisUrl("redis://a").redisUrl("redis://b"));
    assertThrows(IllegalArgumentException.class, () -> RedisBuckets.builder().namespace("Bad Name"));
    assertThrows(IllegalArgumentException.class, () -> RedisBuckets.builder().timeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RedisBuckets.builder().reconnectDelay(Duration.ofMinutes(1)));
    assertThrows(IllegalStateException.class, () -> RedisBuckets.builder().clock(clock).clock(clock));
    assertThrows(IllegalArgumentException.class, () -> new BucketLimit(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> new BucketLimit(1, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new BucketLimit(1, Duration.ofDays(366)));
    RedisBuckets custom =
        RedisBuckets.builder().redisUrl("rediss://cache.internal:6380/2").namespace("app-1").timeout(Duration.ofSeconds(1)).build();
    try {
      assertEquals("rediss://cache.internal:6380/2", custom.address());
      assertTrue(custom.isReachable(), "nothing tried yet");
    } finally {
      custom.close();
    }
  }

  private static boolean consumedOrRefused(RedisBuckets node) {
    try {
      node.tryConsume("probe", FIVE_PER_MINUTE);
      return true;
    } catch (SharedLimitUnavailableException e) {
      return false;
    }
  }
}
