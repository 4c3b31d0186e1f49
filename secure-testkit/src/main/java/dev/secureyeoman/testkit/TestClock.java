package dev.secureyeoman.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests move by hand: inject it where the code under test takes a {@code Clock}, then {@link
 * #advance} it instead of sleeping. Expiry, throttling windows and retention become deterministic and instant.
 *
 * <p>Thread-safe: the current instant is one atomic value, so {@link #advance} from a test thread is seen at once by
 * every thread reading the clock, and concurrent advances add up (none is lost). Views made by {@link #withZone} share
 * that value: advancing any of them advances all.
 *
 * <p>Time may be moved backwards ({@link #set} to an earlier instant, or a negative {@link #advance}) to test how code
 * copes with a clock step, as NTP can cause on a real host.
 */
public final class TestClock extends Clock {
  /** A fixed, readable default start: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private TestClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * A clock at {@link #DEFAULT_START}, in UTC.
   *
   * @return a new clock
   */
  public static TestClock create() {
    return at(DEFAULT_START);
  }

  /**
   * A clock at {@code start}, in UTC.
   *
   * @param start the first instant the clock reports
   * @return a new clock
   */
  public static TestClock at(Instant start) {
    return new TestClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /**
   * Moves the clock by {@code amount} (negative moves it back) and returns the new instant.
   *
   * @param amount how far to move
   * @return the instant after the move
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    return now.updateAndGet(i -> i.plus(amount));
  }

  /**
   * Sets the clock to {@code instant}.
   *
   * @param instant the instant the clock reports from now on
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return Objects.requireNonNull(now.get(), "set() and the factory never store null");
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** Returns a view in {@code zone} that shares this clock's time: moving either moves both. */
  @Override
  public TestClock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new TestClock(now, zone);
  }

  /** Two test clocks are equal when they share the same time source and zone. */
  @Override
  public boolean equals(Object other) {
    return other instanceof TestClock that && that.now == now && that.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(now) * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return "TestClock[" + now.get() + ", " + zone + "]";
  }
}
