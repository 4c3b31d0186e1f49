package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.SharedBucketsUnavailableException;
import dev.secureyeoman.auth.SharedLoginBuckets;
import dev.secureyeoman.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  @Test
  void tryAcquire_allOrNothing_refundAndRefillOnFakeClock() throws Exception {
    TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    LoginThrottle t = new LoginThrottle(2, Duration.ofMinutes(1), clock);
    assertEquals(Duration.ZERO, t.tryAcquire("a", "b"));
    assertEquals(Duration.ZERO, t.tryAcquire("a", "c"));
    // "a" is empty: refused, and "d" keeps its token (all or nothing)
    Duration wait = t.tryAcquire("a", "d");
    assertTrue(wait.compareTo(Duration.ofSeconds(1)) >= 0 && wait.compareTo(Duration.ofSeconds(30)) <= 0, wait.toString());
    assertEquals(Duration.ZERO, t.tryAcquire("d"));
    assertEquals(Duration.ZERO, t.tryAcquire("d"));
    t.refund("a");
    assertEquals(Duration.ZERO, t.tryAcquire("a"));
    assertTrue(t.tryAcquire("a").compareTo(Duration.ZERO) > 0);
    clock.advance(Duration.ofSeconds(30));
    assertEquals(Duration.ZERO, t.tryAcquire("a"), "greedy refill: one token after half the period");
    t.refund("never-seen"); // no-op
  }

  /**
   * A store that fails between the two keys of one acquire (the moment a real Redis cannot be stopped at): the token
   * already taken is given back, the acquire fails closed, and nothing falls back to memory. The real-Redis behaviour
   * is in {@code SharedLoginThrottleRedisTest}.
   */
  @Test
  void tryAcquire_sharedStoreFailsOnSecondKey_firstTokenGivenBack_failsClosed() throws Exception {
    Map<String, Long> tokens = new HashMap<>();
    List<String> log = new ArrayList<>();
    boolean[] down = {false};
    SharedLoginBuckets store =
        new SharedLoginBuckets() {
          @Override
          public Duration tryConsume(String key, long capacity, Duration refillPeriod) {
            if (down[0] && key.startsWith("login:client:")) {
              throw new SharedBucketsUnavailableException("store at redis://127.0.0.1:1/0 unreachable", null);
            }
            long left = tokens.getOrDefault(key, capacity);
            log.add("take " + key);
            if (left == 0) {
              return Duration.ofSeconds(12);
            }
            tokens.put(key, left - 1);
            return Duration.ZERO;
          }

          @Override
          public void refund(String key, long capacity, Duration refillPeriod) {
            if (down[0] && key.startsWith("login:client:")) {
              throw new SharedBucketsUnavailableException("down", null);
            }
            log.add("refund " + key);
            tokens.put(key, Math.min(capacity, tokens.getOrDefault(key, capacity) + 1));
          }
        };
    LoginThrottle t =
        new LoginThrottle(2, Duration.ofMinutes(1), TestClock.at(Instant.parse("2026-01-01T00:00:00Z")), store);
    assertEquals(Duration.ZERO, t.tryAcquire("user:alice", "client:a"));
    assertEquals(1L, tokens.get("login:user:alice"), "keys reach the store with the login: prefix");
    // throttled on the user key: the client token is given back (all or nothing), the wait rounded up to seconds
    assertEquals(Duration.ZERO, t.tryAcquire("user:alice", "client:b"));
    assertEquals(Duration.ofSeconds(12), t.tryAcquire("client:c", "user:alice"));
    assertEquals(2L, tokens.get("login:client:c"));
    down[0] = true;
    AuthStorageException e = assertThrows(AuthStorageException.class, () -> t.tryAcquire("user:bob", "client:a"));
    assertInstanceOf(SharedBucketsUnavailableException.class, e.getCause());
    assertEquals(2L, tokens.get("login:user:bob"), "the token taken before the failure was given back");
    assertThrows(AuthStorageException.class, () -> t.tryAcquire("client:a"), "no fallback to memory");
    t.refund("client:a"); // a lost refund never fails the caller
    down[0] = false;
    assertEquals(Duration.ZERO, t.tryAcquire("client:d"));
    assertEquals("refund login:user:bob", log.get(log.size() - 2));
  }
}
