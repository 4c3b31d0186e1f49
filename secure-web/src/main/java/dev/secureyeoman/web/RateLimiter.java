package dev.secureyeoman.web;

import java.time.Duration;

/**
 * A request rate limit per client key, as the host's HTTP layer sees it: one call per request, the decision carries the
 * {@code RateLimit-*} and {@code Retry-After} headers. Two implementations, switched by configuration only:
 *
 * <ul>
 *   <li>{@link RateLimitPolicy}: buckets in this process (the default; needs nothing installed);
 *   <li>{@link RedisRateLimiter}: buckets in Redis ({@code security.cache.redis_url}), one budget for every node that
 *       shares the Redis, with a documented behaviour when Redis is unreachable.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface RateLimiter {

  /**
   * Takes one request from the key's bucket.
   *
   * @param key the client key, e.g. from {@link RateLimitPolicy#clientKey(java.net.InetAddress)}; 1–256 chars
   * @return whether the request is allowed, with the headers to send either way
   * @throws SharedLimitUnavailableException only from a shared limiter configured to fail closed, when its store is
   *     unreachable: the host answers 503 (an unhandled one fails the request, which is also closed)
   */
  RateLimitDecision tryAcquire(String key);

  /**
   * The configured maximum per window.
   *
   * @return requests per window
   */
  int maxRequests();

  /**
   * The configured window.
   *
   * @return the window
   */
  Duration window();
}
