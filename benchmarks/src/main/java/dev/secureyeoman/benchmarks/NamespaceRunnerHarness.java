package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * Question: same as {@link NamespaceRunnerBenchmark}, measured robustly on a noisy shared machine: the three variants
 * run interleaved (runner, bare bwrap, plain spawn, repeat) so load drifts hit them alike, and medians are reported.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.NamespaceRunnerHarness 300}
 */
public final class NamespaceRunnerHarness {
  private NamespaceRunnerHarness() {}

  /**
   * Runs the harness and prints median, p10 and p90 per variant in milliseconds.
   *
   * @param args optional number of rounds (default 200)
   * @throws Exception when a launch fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    NamespaceRunnerBenchmark b = new NamespaceRunnerBenchmark();
    b.setup();
    try {
      for (int i = 0; i < 20; i++) {
        b.namespaceRunner();
        b.bareBwrap();
        b.plainSpawn();
      }
      long[][] t = new long[3][rounds];
      for (int i = 0; i < rounds; i++) {
        long s = System.nanoTime();
        b.namespaceRunner();
        long m = System.nanoTime();
        b.bareBwrap();
        long e = System.nanoTime();
        b.plainSpawn();
        long f = System.nanoTime();
        t[0][i] = m - s;
        t[1][i] = e - m;
        t[2][i] = f - e;
      }
      String[] names = {"namespaceRunner", "bareBwrap", "plainSpawn"};
      double[] med = new double[3];
      for (int k = 0; k < 3; k++) {
        long[] v = t[k].clone();
        Arrays.sort(v);
        med[k] = v[rounds / 2] / 1e6;
        System.out.printf(
            "%-16s median %7.2f ms  p10 %7.2f  p90 %7.2f%n",
            names[k], med[k], v[rounds / 10] / 1e6, v[rounds * 9 / 10] / 1e6);
      }
      System.out.printf("runner / bare bwrap (medians): %.3f%n", med[0] / med[1]);
    } finally {
      b.tearDown();
    }
  }
}
