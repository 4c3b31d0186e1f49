package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.CapturedLogs;
import dev.secureyeoman.testkit.ChildJvm;
import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import dev.secureyeoman.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP limit shared through a real Redis (a throwaway {@code redis-server} per test, from secure-testkit): each
 * "node" is its own {@link RedisBuckets} with its own Lettuce client, one node also in a child JVM.
 */
@ExtendWith(RedisExtension.class)
class RedisRateLimiterTest {
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private final TestClock clock = TestClock.create();
  private final List<RedisBuckets> opened = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    opened.forEach(RedisBuckets::close);
  }

  private RedisBuckets node(String url) {
    RedisBuckets b = RedisBuckets.builder().redisUrl(url).clock(clock).reconnectDelay(Duration.ofMillis(100)).build();
    opened.add(b);
    return b;
  }

  private static RedisRateLimiter limiter(RedisBuckets b, int max, RedisRateLimiter.OnFailure mode) {
    return RedisRateLimiter.builder(b).maxRequests(max).window(WINDOW).onFailure(mode).build();
  }

  @Test
  void tryAcquire_twoNodesOneRedis_oneBudgetForBoth_refilledByTheClock(RedisServer redis) {
    RateLimiter a = limiter(node(redis.uri().toString()), 10, RedisRateLimiter.OnFailure.LOCAL);
    RateLimiter b = limiter(node(redis.uri().toString()), 10, RedisRateLimiter.OnFailure.LOCAL);
    int allowed = 0;
    for (int i = 0; i < 20; i++) {
      RateLimitDecision d = (i % 2 == 0 ? a : b).tryAcquire("ip:192.0.2.1");
      if (d.allowed()) {
        allowed++;
        assertEquals(10 - allowed, d.remaining(), "the remaining count is the cluster's");
      }
    }
    assertEquals(10, allowed, "10 in total across both nodes, not 10 per node");
    RateLimitDecision refused = b.tryAcquire("ip:192.0.2.1");
    assertFalse(refused.allowed());
    assertEquals("6", refused.headers().get("Retry-After"), "one token per 60/10 s");
    assertEquals("10;w=60", refused.headers().get("RateLimit-Policy"));
    assertTrue(a.tryAcquire("ip:192.0.2.2").allowed(), "other keys have their own budget");
    // the shared bucket refills by the injected clock, for both nodes
    clock.advance(Duration.ofSeconds(6));
    assertTrue(a.tryAcquire("ip:192.0.2.1").allowed());
    assertFalse(b.tryAcquire("ip:192.0.2.1").allowed());
    clock.advance(WINDOW);
    assertEquals(9, b.tryAcquire("ip:192.0.2.1").remaining(), "full again after a window");
  }

  @Test
  void tryAcquire_concurrentOnTwoNodes_neverMoreThanTheBudget(RedisServer redis) throws Exception {
    RateLimiter a = limiter(node(redis.uri().toString()), 50, RedisRateLimiter.OnFailure.DENY);
    RateLimiter b = limiter(node(redis.uri().toString()), 50, RedisRateLimiter.OnFailure.DENY);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        RateLimiter node = t % 2 == 0 ? a : b;
        tasks.add(
            () -> {
              int n = 0;
              for (int i = 0; i < 25; i++) {
                n += node.tryAcquire("loopback").allowed() ? 1 : 0;
              }
              return n;
            });
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        total += f.get();
      }
      assertEquals(50, total, "200 attempts on two nodes, 50 allowed in total");
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void tryAcquire_nodeInAnotherJvm_sharesTheBudget(RedisServer redis) throws Exception {
    // the child uses the system clock: a budget of 20 per day refills one token every 72 minutes
    RedisBuckets here = RedisBuckets.builder().redisUrl(redis.uri().toString()).build();
    opened.add(here);
    RateLimiter local =
        RedisRateLimiter.builder(here).maxRequests(20).window(Duration.ofDays(1)).build();
    for (int i = 0; i < 7; i++) {
      assertTrue(local.tryAcquire("ip:198.51.100.9").allowed());
    }
    try (ChildJvm node2 =
        ChildJvm.builder(RateLimitNodeMain.class)
            .env("REDIS_URL", redis.uri().toString())
            .args("ip:198.51.100.9", "20", "30")
            .start()) {
      MatchResult done = node2.awaitStdout(Pattern.compile("allowed=(\\d+)"), Duration.ofSeconds(60));
      assertEquals(13, Integer.parseInt(done.group(1)), "the other JVM got what this one left: 20 - 7");
      assertEquals(0, node2.waitFor(Duration.ofSeconds(30)).exitCode());
    }
    assertFalse(local.tryAcquire("ip:198.51.100.9").allowed(), "and the budget is spent here too");
  }

  @Test
  void tryAcquire_redisStopped_localFallbackLogsOnceWithoutPassword_sharedAgainAfterRestart() {
    String password = "s3cret-Redis-pw";
    try (RedisServer redis = RedisServer.builder().password(password).start()) {
      RedisBuckets buckets = node(redis.uri().toString());
      RateLimiter limit = limiter(buckets, 3, RedisRateLimiter.OnFailure.LOCAL);
      assertTrue(limit.tryAcquire("loopback").allowed());
      String address = "redis://127.0.0.1:" + redis.port() + "/0";
      int warnsBefore = CapturedLogs.linesOf(RedisBuckets.class, address).size();

      redis.stop();
      // per-node fallback: still limited, at this node's own budget of 3
      int allowed = 0;
      for (int i = 0; i < 5; i++) {
        allowed += limit.tryAcquire("loopback").allowed() ? 1 : 0;
      }
      assertEquals(3, allowed, "while Redis is down each node enforces the limit alone");
      assertFalse(buckets.isReachable());
      List<String> warns = CapturedLogs.linesOf(RedisBuckets.class, address);
      assertEquals(warnsBefore + 1, warns.size(), "one line per outage, not one per request: " + warns);
      String warn = warns.get(warns.size() - 1);
      assertTrue(warn.startsWith("WARN ") && warn.contains("unreachable"), warn);
      assertFalse(
          CapturedLogs.lines().stream().anyMatch(l -> l.contains(password)), "the password is never logged");

      redis.restart(); // empty (no AOF): the shared bucket starts full
      // the local fallback is spent, so an allowed request proves the shared bucket answers again
      awaitTrue(() -> limit.tryAcquire("loopback").allowed(), "shared limit back without a restart of the node");
      assertTrue(buckets.isReachable());
      assertEquals(1, CapturedLogs.linesOf(RedisBuckets.class, address + " answers again").size());
    }
  }

  @Test
  void tryAcquire_denyMode_redisStopped_throwsUnavailable_thenRecovers(RedisServer redis) {
    RedisBuckets buckets = node(redis.uri().toString());
    RedisRateLimiter limit = limiter(buckets, 2, RedisRateLimiter.OnFailure.DENY);
    assertSame(RedisRateLimiter.OnFailure.DENY, limit.onFailure());
    assertTrue(limit.tryAcquire("loopback").allowed());
    redis.stop();
    SharedLimitUnavailableException e =
        assertThrows(SharedLimitUnavailableException.class, () -> limit.tryAcquire("loopback"));
    assertTrue(e.getMessage().contains("redis://127.0.0.1:" + redis.port() + "/0"), e.getMessage());
    redis.restart();
    awaitTrue(() -> reachable(limit), "DENY mode recovers by itself");
    assertTrue(limit.tryAcquire("loopback").allowed());
  }

  @Test
  void builder_validatesAndRefusesSecondValues(RedisServer redis) {
    RedisBuckets b = node(redis.uri().toString());
    assertThrows(IllegalArgumentException.class, () -> RedisRateLimiter.builder(b).maxRequests(0));
    assertThrows(IllegalArgumentException.class, () -> RedisRateLimiter.builder(b).window(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RedisRateLimiter.builder(b).window(Duration.ofDays(2)));
    assertThrows(IllegalStateException.class, () -> RedisRateLimiter.builder(b).maxRequests(1).maxRequests(2));
    assertThrows(
        IllegalStateException.class,
        () -> RedisRateLimiter.builder(b).onFailure(RedisRateLimiter.OnFailure.DENY).onFailure(null));
    RedisRateLimiter l = RedisRateLimiter.builder(b).build();
    assertEquals(100, l.maxRequests());
    assertEquals(Duration.ofMinutes(1), l.window());
    assertSame(RedisRateLimiter.OnFailure.LOCAL, l.onFailure());
    assertThrows(IllegalArgumentException.class, () -> l.tryAcquire(""));
    assertThrows(IllegalArgumentException.class, () -> l.tryAcquire("x".repeat(257)));
  }

  private static boolean reachable(RateLimiter limit) {
    try {
      limit.tryAcquire("probe");
      return true;
    } catch (SharedLimitUnavailableException e) {
      return false;
    }
  }

  /** Waits for an outside process (a restarted Redis, the client's reconnect); 30 s at most. */
  static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within 30 s: " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
