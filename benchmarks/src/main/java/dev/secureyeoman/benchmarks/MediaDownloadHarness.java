package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * The {@link MediaDownloadBenchmark} question, measured interleaved (handler, bare, handler, bare, …) so that load spikes
 * on a shared machine hit both sides alike; reports medians and the p10–p90 range.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.MediaDownloadHarness 200 8388608}
 * (rounds, file size in bytes).
 */
public final class MediaDownloadHarness {
  private MediaDownloadHarness() {}

  /**
   * Runs the rounds and prints one line.
   *
   * @param args rounds and file size
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    MediaDownloadBenchmark b = new MediaDownloadBenchmark();
    b.size = args.length > 1 ? Integer.parseInt(args[1]) : 1 << 20;
    b.setup();
    try {
      for (int i = 0; i < 20; i++) { // warm-up
        b.mediaHandler();
        b.bareHttpClient();
      }
      long[] handler = new long[rounds];
      long[] bare = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        long t0 = System.nanoTime();
        b.mediaHandler();
        long t1 = System.nanoTime();
        b.bareHttpClient();
        long t2 = System.nanoTime();
        handler[i] = t1 - t0;
        bare[i] = t2 - t1;
      }
      Arrays.sort(handler);
      Arrays.sort(bare);
      System.out.printf(
          "size=%d rounds=%d mediaHandler median %.2f ms (p10 %.2f, p90 %.2f) | bareHttpClient median %.2f ms"
              + " (p10 %.2f, p90 %.2f) | throughput ratio handler/bare = %.2f%n",
          b.size, rounds, ms(handler, 50), ms(handler, 10), ms(handler, 90), ms(bare, 50), ms(bare, 10), ms(bare, 90),
          ms(bare, 50) / ms(handler, 50));
    } finally {
      b.tearDown();
    }
  }

  private static double ms(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
  }
}
