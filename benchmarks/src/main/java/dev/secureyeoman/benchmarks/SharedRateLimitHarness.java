package dev.secureyeoman.benchmarks;

import dev.secureyeoman.testkit.RedisServer;
import dev.secureyeoman.web.RateLimitPolicy;
import dev.secureyeoman.web.RateLimiter;
import dev.secureyeoman.web.RedisBuckets;
import dev.secureyeoman.web.RedisRateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Question: what does one HTTP rate-limit check cost with the limit shared through Redis ({@link RedisRateLimiter} over
 * {@link RedisBuckets}, Bucket4j compare-and-swap over Lettuce) against the in-memory {@link RateLimitPolicy}, on
 * loopback to a throwaway {@code redis-server} (secure-testkit)? And what happens to the shared check when several
 * threads hit the same key (every CAS that loses a race is retried)?
 *
 * <p>Each check is timed alone ({@code System.nanoTime} around {@code tryAcquire}); the variants run interleaved in
 * rounds so load drifts hit them alike. Keys rotate over 1 000 clients whose budget never runs out, so every check is
 * an allowed one (the common case). Prints p50/p90/p99/max in microseconds.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.SharedRateLimitHarness 10000}
 */
public final class SharedRateLimitHarness {
  private SharedRateLimitHarness() {}

  /**
   * Runs the harness.
   *
   * @param args optional number of timed checks per variant (default 10 000)
   * @throws Exception when Redis fails
   */
  public static void main(String[] args) throws Exception {
    int checks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    try (RedisServer redis = RedisServer.start();
        RedisBuckets buckets = RedisBuckets.builder().redisUrl(redis.uri().toString()).build()) {
      RateLimiter memory =
          RateLimitPolicy.builder().maxRequests(1_000_000).window(Duration.ofMinutes(1)).build();
      RateLimiter shared =
          RedisRateLimiter.builder(buckets)
              .maxRequests(1_000_000)
              .window(Duration.ofMinutes(1))
              .onFailure(RedisRateLimiter.OnFailure.DENY)
              .build();
      // warm-up: JIT, the connection, the first bucket of every key
      for (int i = 0; i < 5_000; i++) {
        memory.tryAcquire("ip:10.0." + (i % 1000));
        shared.tryAcquire("ip:10.0." + (i % 1000));
      }
      long[] mem = new long[checks];
      long[] red = new long[checks];
      for (int i = 0; i < checks; i++) {
        String key = "ip:10.0." + (i % 1000);
        long t0 = System.nanoTime();
        memory.tryAcquire(key);
        long t1 = System.nanoTime();
        shared.tryAcquire(key);
        long t2 = System.nanoTime();
        mem[i] = t1 - t0;
        red[i] = t2 - t1;
      }
      print("in-memory RateLimitPolicy, 1 thread", mem);
      print("RedisRateLimiter (loopback Redis), 1 thread", red);
      for (int threads : new int[] {4, 8}) {
        print("RedisRateLimiter, " + threads + " threads, distinct keys", contended(shared, threads, checks / 4, false));
        print("RedisRateLimiter, " + threads + " threads, one hot key", contended(shared, threads, checks / 10, true));
      }
    }
  }

  private static long[] contended(RateLimiter limiter, int threads, int perThread, boolean oneKey) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        parts.add(
            pool.submit(
                () -> {
                  long[] times = new long[perThread];
                  for (int i = 0; i < perThread; i++) {
                    String key = oneKey ? "hot" : "ip:10." + id + "." + (i % 1000);
                    long t0 = System.nanoTime();
                    limiter.tryAcquire(key);
                    times[i] = System.nanoTime() - t0;
                  }
                  return times;
                }));
      }
      long[] all = new long[0];
      for (Future<long[]> f : parts) {
        long[] p = f.get();
        long[] merged = Arrays.copyOf(all, all.length + p.length);
        System.arraycopy(p, 0, merged, all.length, p.length);
        all = merged;
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void print(String name, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(
        "%-52s n=%6d  p50 %8.1f us  p90 %8.1f us  p99 %8.1f us  max %9.1f us%n",
        name, s.length, us(s, 0.50), us(s, 0.90), us(s, 0.99), s[s.length - 1] / 1e3);
  }

  private static double us(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e3;
  }
}
