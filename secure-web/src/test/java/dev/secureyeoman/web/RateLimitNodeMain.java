package dev.secureyeoman.web;

import java.time.Duration;

/**
 * A second gateway "node" for {@link RedisRateLimiterTest}: takes {@code attempts} requests of {@code key} from a
 * shared limit of {@code max} per day (Redis URL from {@code REDIS_URL}, not argv) and prints {@code allowed=N}.
 */
public final class RateLimitNodeMain {
  private RateLimitNodeMain() {}

  /**
   * Runs the node.
   *
   * @param args key, max, attempts
   */
  public static void main(String[] args) {
    try (RedisBuckets buckets = RedisBuckets.builder().redisUrl(System.getenv("REDIS_URL")).build()) {
      RateLimiter limit =
          RedisRateLimiter.builder(buckets)
              .maxRequests(Integer.parseInt(args[1]))
              .window(Duration.ofDays(1))
              .onFailure(RedisRateLimiter.OnFailure.DENY)
              .build();
      int allowed = 0;
      for (int i = 0; i < Integer.parseInt(args[2]); i++) {
        allowed += limit.tryAcquire(args[0]).allowed() ? 1 : 0;
      }
      System.out.println("allowed=" + allowed);
    }
  }
}
