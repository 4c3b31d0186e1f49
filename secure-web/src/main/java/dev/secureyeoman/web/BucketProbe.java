package dev.secureyeoman.web;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link RedisBuckets#tryConsume}.
 *
 * @param consumed whether the tokens were taken
 * @param remaining tokens left in the bucket afterwards
 * @param refillWait when not consumed, time until enough tokens are back (zero when consumed)
 * @param resetWait time until the bucket is full again
 */
public record BucketProbe(boolean consumed, long remaining, Duration refillWait, Duration resetWait) {

  /** Validates the fields. */
  public BucketProbe {
    Objects.requireNonNull(refillWait, "refillWait");
    Objects.requireNonNull(resetWait, "resetWait");
  }
}
