package dev.secureyeoman.auth.internal;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets (Bucket4j) per key, e.g. {@code user:alice} and {@code client:203.0.113.7}, timed by the injected clock.
 * The map is pruned of full (idle) buckets when it grows past {@link #MAX_KEYS}.
 */
final class LoginThrottle {
  static final int MAX_KEYS = 100_000;

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final long capacity;
  private final Duration refill;
  private final TimeMeter meter;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicLong lastPrune = new java.util.concurrent.atomic.AtomicLong();

  LoginThrottle(long capacity, Duration refill, Clock clock) {
    this.capacity = capacity;
    this.refill = refill;
    this.clock = clock;
    this.meter =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return clock.millis() * 1_000_000L;
          }

          @Override
          public boolean isWallClockBased() {
            return true;
          }
        };
  }

  private Bucket bucket(String key) {
    if (buckets.size() > MAX_KEYS) {
      // prune idle (full) buckets at most once per second, so a key flood cannot make every call O(n)
      long now = clock.millis();
      long last = lastPrune.get();
      if (now - last >= 1000 && lastPrune.compareAndSet(last, now)) {
        buckets.values().removeIf(b -> b.getAvailableTokens() >= capacity);
      }
    }
    return buckets.computeIfAbsent(
        key,
        k ->
            Bucket.builder()
                .addLimit(l -> l.capacity(capacity).refillGreedy(capacity, refill))
                .withCustomTimePrecision(meter)
                .build());
  }

  /**
   * Takes one token from each key's bucket, all or nothing.
   *
   * @return {@link Duration#ZERO} if allowed, else the wait until one more attempt is possible (at least 1 s)
   */
  Duration tryAcquire(String... keys) {
    Bucket[] taken = new Bucket[keys.length];
    long waitNanos = 0;
    int n = 0;
    for (String key : keys) {
      Bucket b = bucket(key);
      ConsumptionProbe probe = b.tryConsumeAndReturnRemaining(1);
      if (probe.isConsumed()) {
        taken[n++] = b;
      } else {
        waitNanos = Math.max(waitNanos, probe.getNanosToWaitForRefill());
      }
    }
    if (waitNanos == 0) {
      return Duration.ZERO;
    }
    for (int i = 0; i < n; i++) {
      taken[i].addTokens(1);
    }
    return Duration.ofSeconds(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
  }

  /** Gives back a token after a success, so legitimate users are not penalised for their own logins. */
  void refund(String key) {
    Bucket b = buckets.get(key);
    if (b != null) {
      b.addTokens(1);
    }
  }
}
