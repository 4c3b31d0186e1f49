package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RateLimitPolicyTest {
  private final TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));

  /** A monotonic-style nanosecond reading that follows the test clock (the policy's ticker). */
  private long nanos() {
    Instant n = clock.instant();
    return n.getEpochSecond() * 1_000_000_000L + n.getNano();
  }

  private RateLimitPolicy policy(int max, Duration window) {
    return RateLimitPolicy.builder().maxRequests(max).window(window).ticker(this::nanos).build();
  }

  @Test
  void clientKey_everyLoopbackAddress_oneKey_ipv6ByPrefix() throws Exception {
    String k = RateLimitPolicy.clientKey(InetAddress.getByName("127.0.0.1"));
    assertEquals(k, RateLimitPolicy.clientKey(InetAddress.getByName("127.200.3.4")));
    assertEquals(k, RateLimitPolicy.clientKey(InetAddress.getByName("::1")));
    assertEquals(
        RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:2::1")),
        RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
    assertFalse(
        RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:2::1"))
            .equals(RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:3::1"))));
    assertFalse(k.equals(RateLimitPolicy.clientKey(InetAddress.getByName("10.0.0.1"))));
  }

  @Test
  void keySpray_beyondMaxKeys_limitedClientStaysLimited_newKeysShareOneOverflowBucket() {
    RateLimitPolicy p =
        RateLimitPolicy.builder().maxRequests(3).window(Duration.ofMinutes(1)).maxKeys(100).ticker(this::nanos).build();
    for (int i = 0; i < 3; i++) {
      assertTrue(p.tryAcquire("victim-of-its-own-limit").allowed());
    }
    assertFalse(p.tryAcquire("victim-of-its-own-limit").allowed());
    int allowedSprayed = 0;
    for (int i = 0; i < 100_000; i++) {
      if (p.tryAcquire("spray-" + i).allowed()) {
        allowedSprayed++;
      }
    }
    assertTrue(p.trackedKeys() <= 100, "bounded: " + p.trackedKeys());
    // 99 keys got their own bucket (3 each), the rest shared one bucket of 3
    assertEquals(99 + 3, allowedSprayed, "each of 99 tracked keys got 1 request, the overflow 3");
    assertFalse(p.tryAcquire("victim-of-its-own-limit").allowed(), "spraying does not evict the limited client");
    // a window later the idle buckets expire and new clients get their own again
    clock.advance(Duration.ofMinutes(2));
    assertTrue(p.tryAcquire("newcomer").allowed());
    assertTrue(p.trackedKeys() <= 2, "expired: " + p.trackedKeys());
  }

  @Test
  void tryAcquire_overTheLimit_refusedWithRetryAfterAndHeaders() {
    RateLimitPolicy p = policy(3, Duration.ofMinutes(1));
    for (int i = 0; i < 3; i++) {
      RateLimitDecision d = p.tryAcquire("ip:10.0.0.1");
      assertTrue(d.allowed());
      assertEquals(2 - i, d.remaining());
      assertFalse(d.headers().containsKey("Retry-After"));
    }
    RateLimitDecision refused = p.tryAcquire("ip:10.0.0.1");
    assertFalse(refused.allowed());
    assertEquals("20", refused.headers().get("Retry-After"), "one token refills every 60/3 s");
    assertEquals("3", refused.headers().get("RateLimit-Limit"));
    assertEquals("0", refused.headers().get("RateLimit-Remaining"));
    assertEquals("3;w=60", refused.headers().get("RateLimit-Policy"));
    assertEquals("60", refused.headers().get("RateLimit-Reset"));
  }

  @Test
  void tryAcquire_otherKey_notAffected_andRefillsWithTheClock() {
    RateLimitPolicy p = policy(1, Duration.ofSeconds(10));
    assertTrue(p.tryAcquire("a").allowed());
    assertFalse(p.tryAcquire("a").allowed());
    assertTrue(p.tryAcquire("b").allowed(), "keys are independent");
    clock.advance(Duration.ofSeconds(9));
    assertFalse(p.tryAcquire("a").allowed());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(p.tryAcquire("a").allowed());
  }

  @Test
  void tryAcquire_idleBucketExpired_isFullAgainButNeverMoreThanCapacity() {
    RateLimitPolicy p = policy(2, Duration.ofSeconds(10));
    assertTrue(p.tryAcquire("a").allowed());
    assertTrue(p.tryAcquire("a").allowed());
    clock.advance(Duration.ofHours(1));
    assertTrue(p.tryAcquire("a").allowed());
    assertTrue(p.tryAcquire("a").allowed());
    assertFalse(p.tryAcquire("a").allowed(), "an expired bucket comes back with capacity, not more");
  }

  @Test
  void tryAcquire_concurrentRequestsOfOneKey_neverExceedCapacity() throws Exception {
    RateLimitPolicy p = policy(50, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        calls.add(() -> p.tryAcquire("ip:1.2.3.4").allowed());
      }
      int allowed = 0;
      for (Future<Boolean> f : pool.invokeAll(calls)) {
        allowed += f.get() ? 1 : 0;
      }
      assertEquals(50, allowed);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void clientKey_ipv6_groupsTheSlash64_ipv4_asIs() throws Exception {
    String a = RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:2:aaaa::1"));
    String b = RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:2:bbbb::99"));
    assertEquals("ip6:2001:db8:1:2::/64", a);
    assertEquals(a, b);
    assertFalse(a.equals(RateLimitPolicy.clientKey(InetAddress.getByName("2001:db8:1:3::1"))));
    assertEquals("ip:192.0.2.7", RateLimitPolicy.clientKey(InetAddress.getByName("192.0.2.7")));
  }

  @Test
  void builder_invalidOrRepeatedOptions_throw() {
    assertThrows(IllegalArgumentException.class, () -> RateLimitPolicy.builder().maxRequests(0));
    assertThrows(IllegalArgumentException.class, () -> RateLimitPolicy.builder().window(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RateLimitPolicy.builder().maxKeys(0));
    assertThrows(IllegalStateException.class, () -> RateLimitPolicy.builder().maxRequests(1).maxRequests(2));
    assertThrows(IllegalArgumentException.class, () -> policy(1, Duration.ofSeconds(1)).tryAcquire(""));
    assertThrows(IllegalStateException.class, () -> RateLimitPolicy.builder().ticker(System::nanoTime).ticker(System::nanoTime));
    RateLimitPolicy p = RateLimitPolicy.builder().maxKeys(10).build();
    assertEquals(100, p.maxRequests());
    assertEquals(Duration.ofMinutes(1), p.window());
  }
}
