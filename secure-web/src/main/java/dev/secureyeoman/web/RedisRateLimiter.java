package dev.secureyeoman.web;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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
  private final int maxRequests;
  private final Duration window;
  private final BucketLimit limit;
  private final OnFailure onFailure;
  private final @Nullable RateLimitPolicy fallback;
  private final String policyHeader;

  /** What the HTTP limit does while Redis is unreachable. */
  public enum OnFailure {
    /** Fall back to a per-node in-memory limit of the same size (default). */
    LOCAL,
    /** Refuse: {@link RateLimiter#tryAcquire} throws {@link SharedLimitUnavailableException} (HTTP 503). */
    DENY
  }

  private RedisRateLimiter(Builder b) {
    this.buckets = b.buckets;
    this.maxRequests = b.maxRequests;
    this.window = b.window;
    this.onFailure = b.onFailure;
    this.limit = new BucketLimit(maxRequests, window);
    this.fallback =
        onFailure == OnFailure.LOCAL
            ? RateLimitPolicy.builder().maxRequests(maxRequests).window(window).build()
            : null;
    this.policyHeader = maxRequests + ";w=" + Math.max(1, window.toSeconds());
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
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > 256) {
      throw new IllegalArgumentException("key must be 1-256 chars, got " + key.length());
    }
    BucketProbe probe;
    try {
      probe = buckets.tryConsume("http:" + key, limit);
    } catch (SharedLimitUnavailableException e) {
      if (fallback == null) {
        throw e;
      }
      return fallback.tryAcquire(key);
    }
    Duration reset = ceilSeconds(probe.resetWait());
    if (probe.consumed()) {
      return new RateLimitDecision(true, maxRequests, probe.remaining(), reset, Duration.ZERO, policyHeader);
    }
    Duration retryAfter = ceilSeconds(probe.refillWait());
    if (retryAfter.isZero()) {
      retryAfter = Duration.ofSeconds(1);
    }
    return new RateLimitDecision(false, maxRequests, 0, reset, retryAfter, policyHeader);
  }

  @Override
  public int maxRequests() {
    return maxRequests;
  }

  @Override
  public Duration window() {
    return window;
  }

  /**
   * What this limiter does while Redis is unreachable.
   *
   * @return the failure mode
   */
  public OnFailure onFailure() {
    return onFailure;
  }

  private static Duration ceilSeconds(Duration d) {
    long nanos = d.toNanos();
    if (nanos <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofSeconds((nanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Builder for {@link RedisRateLimiter}; each option may be set once. */
  public static final class Builder {
    private final RedisBuckets buckets;
    private int maxRequests = 100;
    private Duration window = Duration.ofMinutes(1);
    private OnFailure onFailure = OnFailure.LOCAL;
    private final Set<String> set = new HashSet<>();

    private Builder(RedisBuckets buckets) {
      this.buckets = buckets;
    }

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * Sets the requests allowed per window for the whole cluster ({@code security.http.rate_limit.max_requests}).
     *
     * @param maxRequests 1 to 1 000 000
     * @return this builder
     */
    public Builder maxRequests(int maxRequests) {
      once("maxRequests");
      if (maxRequests < 1 || maxRequests > 1_000_000) {
        throw new IllegalArgumentException("maxRequests must be in [1, 1000000], got " + maxRequests);
      }
      this.maxRequests = maxRequests;
      return this;
    }

    /**
     * Sets the window ({@code security.http.rate_limit.window_ms}).
     *
     * @param window 1 ms to 1 day
     * @return this builder
     */
    public Builder window(Duration window) {
      once("window");
      Objects.requireNonNull(window, "window");
      if (window.toMillis() < 1 || window.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("window must be between 1 ms and 1 day, got " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * Sets what happens while Redis is unreachable ({@code security.cache.rate_limit_on_failure}).
     *
     * @param onFailure {@link OnFailure#LOCAL} (default) or {@link OnFailure#DENY}
     * @return this builder
     */
    public Builder onFailure(OnFailure onFailure) {
      once("onFailure");
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
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
