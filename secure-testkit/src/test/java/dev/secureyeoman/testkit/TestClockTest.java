package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestClockTest {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123Z");

  @Test
  void create_default_startsAtDefaultStartInUtc() {
    TestClock clock = TestClock.create();
    assertEquals(Instant.parse("2026-01-01T00:00:00Z"), clock.instant());
    assertEquals(ZoneOffset.UTC, clock.getZone());
  }

  @Test
  void advance_positiveAndNegative_movesAndReturnsNewInstant() {
    TestClock clock = TestClock.at(T0);
    assertEquals(T0.plusSeconds(90), clock.advance(Duration.ofSeconds(90)));
    assertEquals(T0.plusSeconds(90), clock.instant());
    assertEquals(T0.plusSeconds(90).toEpochMilli(), clock.millis());
    assertEquals(T0.minusSeconds(10), clock.advance(Duration.ofSeconds(-100)));
  }

  @Test
  void set_earlierInstant_clockStepsBack() {
    TestClock clock = TestClock.at(T0);
    clock.set(T0.minus(Duration.ofDays(1)));
    assertEquals(T0.minus(Duration.ofDays(1)), clock.instant());
  }

  @Test
  void instant_readThroughClockApi_seesAdvances() {
    Clock clock = TestClock.at(T0);
    Instant before = Instant.now(clock);
    ((TestClock) clock).advance(Duration.ofMinutes(15));
    assertEquals(Duration.ofMinutes(15), Duration.between(before, Instant.now(clock)));
  }

  @Test
  void withZone_otherZone_sharesTimeAndReportsZone() {
    TestClock utc = TestClock.at(T0);
    ZoneId paris = ZoneId.of("Europe/Paris");
    TestClock inParis = utc.withZone(paris);
    assertEquals(paris, inParis.getZone());
    utc.advance(Duration.ofHours(2));
    assertEquals(T0.plus(Duration.ofHours(2)), inParis.instant());
    inParis.advance(Duration.ofHours(1));
    assertEquals(T0.plus(Duration.ofHours(3)), utc.instant());
    assertEquals(ZonedDateTime.ofInstant(T0.plus(Duration.ofHours(3)), paris), ZonedDateTime.now(inParis));
    assertSame(utc, utc.withZone(ZoneOffset.UTC));
  }

  @Test
  void equals_sameSourceAndZone_equalOtherwiseNot() {
    TestClock a = TestClock.at(T0);
    TestClock b = TestClock.at(T0);
    assertNotEquals(a, b);
    assertEquals(a, a.withZone(ZoneId.of("Asia/Tokyo")).withZone(ZoneOffset.UTC));
    assertEquals(a.hashCode(), a.withZone(ZoneId.of("Asia/Tokyo")).withZone(ZoneOffset.UTC).hashCode());
    assertNotEquals(a, a.withZone(ZoneId.of("Asia/Tokyo")));
    assertNotEquals(a, Clock.fixed(T0, ZoneOffset.UTC));
    assertTrue(a.toString().contains(T0.toString()));
  }

  @Test
  void advance_concurrentThreads_noAdvanceLost() throws Exception {
    TestClock clock = TestClock.at(T0);
    int threads = 8;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  Instant last = Instant.MIN;
                  for (int i = 0; i < perThread; i++) {
                    Instant now = clock.advance(Duration.ofMillis(1));
                    // each thread sees time only move forward while everybody advances
                    assertTrue(now.isAfter(last));
                    last = now;
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(T0.plusMillis((long) threads * perThread), clock.instant());
  }

  @Test
  void nullArguments_rejected() {
    TestClock clock = TestClock.create();
    assertThrows(NullPointerException.class, () -> TestClock.at(null));
    assertThrows(NullPointerException.class, () -> clock.advance(null));
    assertThrows(NullPointerException.class, () -> clock.set(null));
    assertThrows(NullPointerException.class, () -> clock.withZone(null));
  }
}
