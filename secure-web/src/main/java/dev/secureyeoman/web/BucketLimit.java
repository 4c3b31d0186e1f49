package dev.secureyeoman.web;

import java.time.Duration;
import java.util.Objects;

/**
 * The size of a shared token bucket: {@code capacity} tokens, refilled greedily (continuously) at {@code capacity} per
 * {@code refillPeriod}. The limit is part of a bucket's identity in {@link RedisBuckets}: nodes configured with a
 * different limit for the same key use a different bucket (a configuration change starts every client full).
 *
 * @param capacity tokens in a full bucket, 1 to 1 000 000 000
 * @param refillPeriod time to refill an empty bucket, 1 ms to 365 days
 */
public record BucketLimit(long capacity, Duration refillPeriod) {

  /** Validates the limit. */
  public BucketLimit {
    Objects.requireNonNull(refillPeriod, "refillPeriod");
    if (capacity < 1 || capacity > 1_000_000_000L) {
      throw new IllegalArgumentException("capacity must be in [1, 1000000000], got " + capacity);
    }
    if (refillPeriod.toMillis() < 1 || refillPeriod.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("refillPeriod must be between 1 ms and 365 days, got " + refillPeriod);
    }
  }
}
