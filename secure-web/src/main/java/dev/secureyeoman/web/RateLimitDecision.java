package dev.secureyeoman.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of {@link RateLimitPolicy#tryAcquire}.
 *
 * @param allowed whether the request may proceed
 * @param limit requests allowed per window
 * @param remaining requests left in the bucket after this one
 * @param reset time until the bucket is full again (whole seconds, rounded up)
 * @param retryAfter when refused, time until one more request is allowed (at least 1 s); zero when allowed
 * @param policy the {@code RateLimit-Policy} value, e.g. {@code 100;w=60}
 */
public record RateLimitDecision(
    boolean allowed, long limit, long remaining, Duration reset, Duration retryAfter, String policy) {

  /** Validates the fields. */
  public RateLimitDecision {
    Objects.requireNonNull(reset, "reset");
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(policy, "policy");
  }

  /**
   * The response headers: {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (seconds),
   * {@code RateLimit-Policy} (IETF httpapi-ratelimit-headers draft) and, when refused, {@code Retry-After} (seconds,
   * RFC 9110).
   *
   * @return header name to value, in a stable order
   */
  public Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("RateLimit-Limit", Long.toString(limit));
    h.put("RateLimit-Remaining", Long.toString(remaining));
    h.put("RateLimit-Reset", Long.toString(reset.toSeconds()));
    h.put("RateLimit-Policy", policy);
    if (!allowed) {
      h.put("Retry-After", Long.toString(retryAfter.toSeconds()));
    }
    return h;
  }
}
