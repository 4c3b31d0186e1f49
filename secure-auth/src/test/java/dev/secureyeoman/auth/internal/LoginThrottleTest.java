package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  @Test
  void tryAcquire_allOrNothing_refundAndRefillOnFakeClock() {
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
}
