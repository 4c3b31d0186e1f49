package dev.secureyeoman.web;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP rate limit shared by every gateway node that uses the same Redis ({@code security.cache.redis_url}): at
 * most {@code maxRequests} per {@code window} per client key for the whole cluster, as one token bucket per key in
 * {@link RedisBuckets} (same greedy refill, same headers as {@link RateLimitPolicy}).
 *
 * <pre>{@code
 * RedisBuckets shared = RedisBuckets.builder().redisUrl(url).build();
 * RateLimiter limit = RedisRateLimiter.builder(shared).maxRequests(100).window(Duration.ofMinutes(1)).build();
 * }</pre>
 *
 * <p><b>When Redis is unreachable</b> ({@link OnFailure}, {@code security.cache.rate_limit_on_failure}):
 *
 * <ul>
 *   <li>{@link OnFailure#LOCAL} (default): each node falls back to its own in-memory {@link RateLimitPolicy} of the same
 *       size, so the API stays up and every client is still limited, to at most N × the budget over N nodes. This is
 *       what gateway operators expect from a rate limit (Envoy's global rate limit, for one, fails open by default): a
 *       cache outage must not become an API outage, and the per-node limit still stops a single flood.
 *   <li>{@link OnFailure#DENY}: {@link #tryAcquire} throws {@link SharedLimitUnavailableException}; the host answers 503
 *       with {@code Retry-After}. For deployments where N × the budget is unacceptable.
 * </ul>
 *
 * Either way {@link RedisBuckets} logs one WARN line (redacted address) when Redis goes away and one INFO line when it
 * answers again; the shared limit resumes by itself, without a restart. The local fallback's buckets are separate from
 * the shared ones: a client keeps whatever it used locally during the outage only while the outage lasts.
 *
 * <p>Login throttling does not use this class: it must fail closed (see {@code docs/scale-out.md}).
 *
 * <p>Thread-safe. Does not own the {@link RedisBuckets} (the host closes it).
 */
public final class RedisRateLimiter implements RateLimiter {
  private final RedisBuckets buckets;
  private final BucketLimit limit;
  private final OnFailure onFailure;
  /** The same limit in memory: it validated the options, shapes every decision and is the LOCAL fallback. */
  private final RateLimitPolicy local;

  /** What the HTTP limit does while Redis is unreachable. */
  public enum OnFailure {
    /** Fall back to a per-node in-memory limit of the same size (default). */
    LOCAL,
    /** Refuse: {@link RateLimiter#tryAcquire} throws {@link SharedLimitUnavailableException} (HTTP 503). */
    DENY
  }

  private RedisRateLimiter(Builder b) {
    this.buckets = b.buckets;
    this.onFailure = b.onFailure;
    this.local = b.policy.build();
    this.limit = new BucketLimit(local.maxRequests(), local.window());
  }

  /**
   * Starts a builder over shared buckets (defaults: 100 requests per minute, {@link OnFailure#LOCAL}).
   *
   * @param buckets the shared buckets
   * @return a builder
   */
  public static Builder builder(RedisBuckets buckets) {
    return new Builder(Objects.requireNonNull(buckets, "buckets"));
  }

  @Override
  public RateLimitDecision tryAcquire(String key) {
    RateLimitPolicy.checkKey(key);
    BucketProbe probe;
    try {
      probe = buckets.tryConsume("http:" + key, limit);
    } catch (SharedLimitUnavailableException e) {
      if (onFailure == OnFailure.DENY) {
        throw e;
      }
      return local.tryAcquire(key);
    }
    return local.decision(
        probe.consumed(), probe.remaining(), probe.resetWait().toNanos(), probe.refillWait().toNanos());
  }

  @Override
  public int maxRequests() {
    return local.maxRequests();
  }

  @Override
  public Duration window() {
    return local.window();
  }

  /**
   * What this limiter does while Redis is unreachable.
   *
   * @return the failure mode
   */
  public OnFailure onFailure() {
    return onFailure;
  }

  /** Builder for {@link RedisRateLimiter}; each option may be set once. */
  public static final class Builder {
    private final RedisBuckets buckets;
    private final RateLimitPolicy.Builder policy = RateLimitPolicy.builder();
    private OnFailure onFailure = OnFailure.LOCAL;
    private boolean onFailureSet;

    private Builder(RedisBuckets buckets) {
      this.buckets = buckets;
    }

    /**
     * Sets the requests allowed per window for the whole cluster ({@code security.http.rate_limit.max_requests}).
     *
     * @param maxRequests 1 to 1 000 000 (checked as by {@link RateLimitPolicy.Builder#maxRequests})
     * @return this builder
     */
    public Builder maxRequests(int maxRequests) {
      policy.maxRequests(maxRequests);
      return this;
    }

    /**
     * Sets the window ({@code security.http.rate_limit.window_ms}).
     *
     * @param window 1 ms to 1 day (checked as by {@link RateLimitPolicy.Builder#window})
     * @return this builder
     */
    public Builder window(Duration window) {
      policy.window(window);
      return this;
    }

    /**
     * Sets what happens while Redis is unreachable ({@code security.cache.rate_limit_on_failure}).
     *
     * @param onFailure {@link OnFailure#LOCAL} (default) or {@link OnFailure#DENY}
     * @return this builder
     */
    public Builder onFailure(OnFailure onFailure) {
      if (onFailureSet) {
        throw new IllegalStateException("onFailure was already set");
      }
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      onFailureSet = true;
      return this;
    }

    /**
     * Builds the limiter.
     *
     * @return the limiter
     */
    public RedisRateLimiter build() {
      return new RedisRateLimiter(this);
    }
  }
}
