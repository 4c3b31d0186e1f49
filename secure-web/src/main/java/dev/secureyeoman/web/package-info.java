/**
 * Framework-neutral HTTP hardening policies from the production security guide, applied by a host to every request.
 *
 * <ul>
 *   <li>{@link dev.secureyeoman.web.RateLimitPolicy}: token buckets per client key (Bucket4j), expiring when idle, a
 *       bounded number of keys (an overflow bucket beyond it), monotonic time, with {@code RateLimit-*} and
 *       {@code Retry-After} headers; the default {@link dev.secureyeoman.web.RateLimiter}.
 *   <li>{@link dev.secureyeoman.web.RedisRateLimiter} over {@link dev.secureyeoman.web.RedisBuckets}: the same limit
 *       shared by every node using one Redis ({@code security.cache.redis_url}), with a per-node fallback or 503 while
 *       Redis is unreachable; {@code RedisBuckets} alone is the fail-closed primitive for login throttling.
 *   <li>{@link dev.secureyeoman.web.SecurityHeaders}: the OWASP secure-headers set (2024 values), a configurable CSP
 *       that must be an explicit allow-list (no {@code 'unsafe-inline'}, {@code 'unsafe-eval'}, wildcards or
 *       scheme-only sources).
 *   <li>{@link dev.secureyeoman.web.TrustedProxies}: {@code X-Forwarded-For}/{@code -Proto} honoured only from
 *       configured proxies.
 *   <li>{@link dev.secureyeoman.web.HostAllowlist}: the {@code Host} names a server answers to (DNS rebinding).
 *   <li>{@link dev.secureyeoman.web.RequestIds}: a request id per request (a well-formed {@code X-Request-ID} is kept,
 *       anything else replaced) and the W3C {@code traceparent}, put into the SLF4J MDC.
 *   <li>{@link dev.secureyeoman.web.CorsPolicy}: an exact-origin allowlist with preflight handling.
 *   <li>{@link dev.secureyeoman.web.RequestBodies}: strict JSON binding plus Bean Validation, every problem listed as
 *       {@code path: message} for the {@link dev.secureyeoman.web.ApiError} body.
 *   <li>{@link dev.secureyeoman.web.SecurityMetrics}: Micrometer counters of security events.
 * </ul>
 *
 * <p>The persisted kill switch lives in {@code dev.secureyeoman.core.killswitch} because hosts that serve no HTTP (the
 * chat bots) must honour it too.
 *
 * <p>Non-goals: TLS termination, authentication (see {@code dev.secureyeoman.auth}), and Redis Cluster or Sentinel for
 * the shared limits.
 */
@NullMarked
package dev.secureyeoman.web;

import org.jspecify.annotations.NullMarked;
