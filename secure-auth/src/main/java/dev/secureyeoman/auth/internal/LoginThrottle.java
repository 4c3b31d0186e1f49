package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.SharedBucketsUnavailableException;
import dev.secureyeoman.auth.SharedLoginBuckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets (Bucket4j) per key, e.g. {@code user:alice} and {@code client:203.0.113.7}, timed by the injected clock.
 * The map is pruned of full (idle) buckets when it grows past {@link #MAX_KEYS}.
 *
 * <p>With {@link SharedLoginBuckets} the buckets live in the shared store instead (keys prefixed {@code login:}), with
 * the same all-or-nothing and refund contract; the in-memory buckets are then never used. A store that does not answer
 * fails the acquire closed with {@link AuthStorageException} (tokens already taken in that acquire are given back, best
 * effort); one WARN line is logged when the store becomes unavailable and one INFO line when it answers again.
 */
final class LoginThrottle {
  static final int MAX_KEYS = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
  static final String SHARED_PREFIX = "login:";

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final long capacity;
  private final Duration refill;
  private final TimeMeter meter;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicLong lastPrune = new java.util.concurrent.atomic.AtomicLong();
  private final @Nullable SharedLoginBuckets shared;
  private final AtomicBoolean sharedAvailable = new AtomicBoolean(true);

  LoginThrottle(long capacity, Duration refill, Clock clock) {
    this(capacity, refill, clock, null);
  }

  /**
   * Creates the throttle.
   *
   * @param shared the cluster's buckets, or null for in-memory buckets
   */
  LoginThrottle(long capacity, Duration refill, Clock clock, @Nullable SharedLoginBuckets shared) {
    this.shared = shared;
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
   * @throws AuthStorageException if the shared buckets do not answer (fail closed)
   */
  Duration tryAcquire(String... keys) throws AuthStorageException {
    SharedLoginBuckets s = shared;
    if (s != null) {
      return tryAcquireShared(s, keys);
    }
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
    return retryAfter(waitNanos);
  }

  private static Duration retryAfter(long waitNanos) {
    return Duration.ofSeconds(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
  }

  private Duration tryAcquireShared(SharedLoginBuckets shared, String... keys) throws AuthStorageException {
    String[] taken = new String[keys.length];
    int n = 0;
    long waitNanos = 0;
    try {
      for (String key : keys) {
        Duration wait = shared.tryConsume(SHARED_PREFIX + key, capacity, refill);
        if (wait.isZero()) {
          taken[n++] = key;
        } else {
          waitNanos = Math.max(waitNanos, Math.max(1, wait.toNanos()));
        }
      }
    } catch (SharedBucketsUnavailableException e) {
      if (sharedAvailable.compareAndSet(true, false)) {
        LOG.warn(
            "login throttle: shared buckets unavailable ({}); every login is refused until they answer",
            e.getMessage());
      }
      giveBack(taken, n);
      throw new AuthStorageException("login throttle unavailable", e);
    }
    if (sharedAvailable.compareAndSet(false, true)) {
      LOG.info("login throttle: shared buckets answer again; logins are throttled across nodes");
    }
    if (waitNanos == 0) {
      return Duration.ZERO;
    }
    giveBack(taken, n);
    return retryAfter(waitNanos);
  }

  private void giveBack(String[] keys, int n) {
    for (int i = 0; i < n; i++) {
      refund(keys[i]);
    }
  }

  /**
   * Gives back a token after a success, so legitimate users are not penalised for their own logins. With shared
   * buckets a store that does not answer loses the refund (the user is charged one attempt), never the login.
   */
  void refund(String key) {
    if (shared != null) {
      try {
        shared.refund(SHARED_PREFIX + key, capacity, refill);
      } catch (SharedBucketsUnavailableException e) {
        LOG.debug("login throttle: refund lost, shared buckets unavailable");
      }
      return;
    }
    Bucket b = buckets.get(key);
    if (b != null) {
      b.addTokens(1);
    }
  }
}
