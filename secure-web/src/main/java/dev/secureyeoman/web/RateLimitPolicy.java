package dev.secureyeoman.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A request rate limit per client key: at most {@code maxRequests} per {@code window}, as a Bucket4j token bucket of
 * capacity {@code maxRequests} refilled greedily over the window (so a client cannot double its rate at a window
 * boundary, as fixed windows allow). Buckets live in a Caffeine cache that drops a bucket once it has been idle for a
 * whole window — by then it is full again, so expiry never forgives a client anything.
 *
 * <pre>{@code
 * RateLimitPolicy limit = RateLimitPolicy.builder().maxRequests(100).window(Duration.ofMinutes(1)).build();
 * RateLimitDecision d = limit.tryAcquire(RateLimitPolicy.clientKey(peerAddress));
 * d.headers().forEach(response::setHeader);      // RateLimit-Limit/-Remaining/-Reset/-Policy (+ Retry-After)
 * if (!d.allowed()) { respond 429 }
 * }</pre>
 *
 * <p><b>Security guarantees.</b> Each key is limited independently and atomically (concurrent requests of one key
 * never get more than the bucket holds). The number of tracked keys is bounded ({@code maxKeys}): beyond it, new keys
 * share one overflow bucket instead of evicting anyone, so a flood of distinct keys gets one client's budget in total
 * and never resets a limited client. Time is monotonic ({@link System#nanoTime} by default): wall-clock steps neither
 * refill nor freeze buckets. <b>Non-goals:</b> limits shared between processes (that is {@link RedisRateLimiter}),
 * and choosing the key: the host must derive it from what it trusts (the socket peer, or a proxy header only from its
 * own proxies, see {@link TrustedProxies}). During a key flood, new legitimate clients share the overflow bucket.
 *
 * <p>Thread-safe.
 */
public final class RateLimitPolicy implements RateLimiter {
  private final int maxRequests;
  private final Duration window;
  private final Cache<String, Bucket> buckets;
  private final long maxKeys;
  private final Bucket overflow;
  private final TimeMeter meter;
  private final String policyHeader;

  private RateLimitPolicy(Builder b) {
    this.maxRequests = b.maxRequests;
    this.window = b.window;
    this.maxKeys = b.maxKeys;
    LongSupplier ticker = b.ticker;
    this.meter =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return ticker.getAsLong();
          }

          @Override
          public boolean isWallClockBased() {
            return false;
          }
        };
    this.buckets =
        Caffeine.newBuilder()
            .expireAfterAccess(window.toNanos(), TimeUnit.NANOSECONDS)
            .ticker(ticker::getAsLong)
            .executor(Runnable::run)
            .build();
    this.overflow = newBucket();
    this.policyHeader = maxRequests + ";w=" + Math.max(1, window.toSeconds());
  }

  /**
   * Starts a builder (defaults: 100 requests per minute, 100 000 keys, {@link System#nanoTime}).
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes one request from the key's bucket.
   *
   * @param key the client key, e.g. from {@link #clientKey(InetAddress)}; 1–256 chars
   * @return whether the request is allowed, with the headers to send either way
   */
  @Override
  public RateLimitDecision tryAcquire(String key) {
    checkKey(key);
    Bucket bucket = buckets.getIfPresent(key);
    if (bucket == null) {
      if (buckets.estimatedSize() >= maxKeys) {
        buckets.cleanUp(); // drop expired buckets first
      }
      bucket = buckets.estimatedSize() >= maxKeys ? overflow : buckets.get(key, k -> newBucket());
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return decision(
        probe.isConsumed(), probe.getRemainingTokens(), probe.getNanosToWaitForReset(), probe.getNanosToWaitForRefill());
  }

  /** The key rule of {@link RateLimiter#tryAcquire}, for this policy and {@link RedisRateLimiter}. */
  static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > 256) {
      throw new IllegalArgumentException("key must be 1-256 chars, got " + key.length());
    }
  }

  /**
   * The decision for one probe of a bucket of this size (also {@link RedisRateLimiter}'s): waits rounded up to whole
   * seconds, a refused request told to retry after at least one second.
   */
  RateLimitDecision decision(boolean consumed, long remaining, long nanosToReset, long nanosToRefill) {
    Duration reset = ceilSeconds(nanosToReset);
    if (consumed) {
      return new RateLimitDecision(true, maxRequests, remaining, reset, Duration.ZERO, policyHeader);
    }
    Duration retryAfter = ceilSeconds(nanosToRefill);
    if (retryAfter.isZero()) {
      retryAfter = Duration.ofSeconds(1);
    }
    return new RateLimitDecision(false, maxRequests, 0, reset, retryAfter, policyHeader);
  }

  /**
   * How many keys have a bucket of their own now (at most {@code maxKeys}, plus the few a concurrent burst adds).
   *
   * @return the number of tracked keys
   */
  public long trackedKeys() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  /**
   * The configured maximum per window.
   *
   * @return requests per window
   */
  @Override
  public int maxRequests() {
    return maxRequests;
  }

  /**
   * The configured window.
   *
   * @return the window
   */
  @Override
  public Duration window() {
    return window;
  }

  /**
   * A rate-limit key for a client address: IPv4 as is, IPv6 by its /64 prefix (one subscriber usually holds a whole
   * /64, so per-address keys would let it rotate addresses freely), and every loopback address ({@code 127.0.0.0/8},
   * {@code ::1}) as one key: a local client can use any of the 16 million addresses of 127/8 as its source.
   *
   * @param address the peer address
   * @return {@code loopback}, {@code ip:<address>} or {@code ip6:<first 64 bits in hex>::/64}
   */
  public static String clientKey(InetAddress address) {
    Objects.requireNonNull(address, "address");
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address instanceof Inet6Address) {
      byte[] a = address.getAddress();
      StringBuilder sb = new StringBuilder("ip6:");
      for (int i = 0; i < 8; i += 2) {
        sb.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
      }
      return sb.append(":/64").toString();
    }
    return "ip:" + address.getHostAddress();
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(l -> l.capacity(maxRequests).refillGreedy(maxRequests, window))
        .withCustomTimePrecision(meter)
        .build();
  }

  private static Duration ceilSeconds(long nanos) {
    if (nanos <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofSeconds((nanos + 999_999_999L) / 1_000_000_000L);
  }

  /** Builder for {@link RateLimitPolicy}; each option may be set once. */
  public static final class Builder {
    private int maxRequests = 100;
    private Duration window = Duration.ofMinutes(1);
    private long maxKeys = 100_000;
    private LongSupplier ticker = System::nanoTime;
    private final java.util.Set<String> set = new java.util.HashSet<>();

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * Sets the requests allowed per window ({@code security.http.rate_limit.max_requests}).
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
     * Sets how many keys get a bucket of their own; while that many are tracked, requests of any further key share
     * one overflow bucket (of the same size), so spraying keys can neither exhaust memory nor evict a limited
     * client's bucket nor get more than one client's budget.
     *
     * @param maxKeys 1 to 10 000 000
     * @return this builder
     */
    public Builder maxKeys(long maxKeys) {
      once("maxKeys");
      if (maxKeys < 1 || maxKeys > 10_000_000) {
        throw new IllegalArgumentException("maxKeys must be in [1, 10000000], got " + maxKeys);
      }
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * Sets the time source in nanoseconds (default {@link System#nanoTime}). It must be monotonic: a wall clock that
     * steps back or forward (NTP, an operator) would freeze or refill every bucket. Tests inject a fake one.
     *
     * @param ticker nanoseconds from an arbitrary origin, never decreasing
     * @return this builder
     */
    public Builder ticker(LongSupplier ticker) {
      once("ticker");
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public RateLimitPolicy build() {
      return new RateLimitPolicy(this);
    }
  }
}
