package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * Question: the same as {@link JwtAuthenticateBenchmark} (SDK {@code authenticate} vs raw nimbus verify), answered on a
 * loaded machine: raw and SDK batches alternate in one JVM, so both see the same load, and the ratio of the medians is
 * reported per revocation interval.
 *
 * <p>Not a JMH benchmark. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.secureyeoman.benchmarks.JwtAuthenticateProbe [rounds] [batch]} (defaults 60 rounds of 20 000 calls each, after 10
 * warm-up rounds).
 */
public final class JwtAuthenticateProbe {
  private JwtAuthenticateProbe() {}

  /**
   * Runs the probe.
   *
   * @param args optional rounds and batch size
   * @throws Exception if setup fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    for (String interval : new String[] {"PT1S", "PT0S"}) {
      JwtAuthenticateBenchmark b = new JwtAuthenticateBenchmark();
      b.revocationCheckInterval = interval;
      b.setup();
      try {
        double[] raw = new double[rounds];
        double[] sdk = new double[rounds];
        long sink = 0;
        for (int r = -10; r < rounds; r++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < batch; i++) {
            sink += b.raw() ? 1 : 0;
          }
          long t1 = System.nanoTime();
          for (int i = 0; i < batch; i++) {
            sink += b.sdk().username().length();
          }
          long t2 = System.nanoTime();
          if (r >= 0) {
            raw[r] = (t1 - t0) / (double) batch;
            sdk[r] = (t2 - t1) / (double) batch;
          }
        }
        double mr = median(raw);
        double ms = median(sdk);
        System.out.printf(
            "revocationCheckInterval=%s raw %.0f ns/op, sdk %.0f ns/op, ratio %.2f (medians of %d rounds x %d; %d)%n",
            interval, mr, ms, ms / mr, rounds, batch, sink % 7);
      } finally {
        b.tearDown();
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
