package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.auth.SharedBucketsUnavailableException;
import dev.secureyeoman.auth.SharedLoginBuckets;
import dev.secureyeoman.web.BucketLimit;
import dev.secureyeoman.web.BucketProbe;
import dev.secureyeoman.web.RedisBuckets;
import dev.secureyeoman.web.SharedLimitUnavailableException;
import java.time.Duration;
import java.util.Objects;

/**
 * Login throttling shared through Redis: adapts secure-web's {@link RedisBuckets} (the instance that already carries
 * the HTTP rate limit) to secure-auth's {@link SharedLoginBuckets}, so neither library depends on the other. A Redis
 * failure becomes {@link SharedBucketsUnavailableException} (the login fails closed, 503); its message is the redacted
 * one of {@link SharedLimitUnavailableException} ({@code redis://host:port/db}, never the password).
 */
public final class RedisLoginBuckets implements SharedLoginBuckets {
  private final RedisBuckets buckets;

  /**
   * Creates the adapter.
   *
   * @param buckets the shared buckets (not closed by this adapter)
   */
  public RedisLoginBuckets(RedisBuckets buckets) {
    this.buckets = Objects.requireNonNull(buckets, "buckets");
  }

  @Override
  public Duration tryConsume(String key, long capacity, Duration refillPeriod) {
    try {
      BucketProbe p = buckets.tryConsume(key, new BucketLimit(capacity, refillPeriod));
      return p.consumed() ? Duration.ZERO : p.refillWait();
    } catch (SharedLimitUnavailableException e) {
      throw new SharedBucketsUnavailableException(e.getMessage(), e);
    }
  }

  @Override
  public void refund(String key, long capacity, Duration refillPeriod) {
    try {
      buckets.addTokens(key, new BucketLimit(capacity, refillPeriod), 1);
    } catch (SharedLimitUnavailableException e) {
      throw new SharedBucketsUnavailableException(e.getMessage(), e);
    }
  }
}
