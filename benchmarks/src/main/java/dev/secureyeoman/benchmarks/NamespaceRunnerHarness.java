package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * Question: same as {@link NamespaceRunnerBenchmark}, measured robustly on a noisy shared machine: each comparison runs
 * its two variants back to back (runner and bare bwrap, alternating which goes first), so load drifts hit both alike,
 * and reports the medians and the median of the per-pair ratios; likewise with the CLI's default limits.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.NamespaceRunnerHarness 300 [warm-up
 * pairs, default 200]}. The warm-up lets the JIT compile the runner's path (a few hundred runs); with only a few
 * warm-up runs the measured pairs include interpreted code and compiler threads competing with bwrap for the CPUs,
 * which is the first minutes of a JVM, not a long-lived host.
 */
public final class NamespaceRunnerHarness {
  private NamespaceRunnerHarness() {}

  private static int warmUp = 200;

  /**
   * Runs the harness and prints median, p10 and p90 per variant in milliseconds, the per-pair ratios (median, p25,
   * p75) and the load average at start, between the comparisons and at the end.
   *
   * @param args optional number of rounds (default 200) and of warm-up pairs per comparison (default 200)
   * @throws Exception when a launch fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    System.out.printf("%s, %d rounds after %d warm-up pairs, %d CPUs, load average at start: %s%n",
        java.time.Instant.now(), rounds, warmUp, Runtime.getRuntime().availableProcessors(), loadAverage());
    NamespaceRunnerBenchmark b = new NamespaceRunnerBenchmark();
    b.setup();
    pair("namespaceRunner", b::namespaceRunner, "bareBwrap", b::bareBwrap, rounds);
    System.out.printf("load average: %s%n", loadAverage());
    pair("runnerUntrustedDefaults", b::namespaceRunnerUntrustedDefaults, "bareUntrustedDefaults",
        b::bareBwrapUntrustedDefaults, rounds);
    time("plainSpawn", b::plainSpawn, rounds);
    System.out.printf("load average at end: %s%n", loadAverage());
  }

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}. */
  private static String loadAverage() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * Runs two variants back to back, alternating which goes first, and reports their medians and the median of the
   * per-pair ratios (robust against load that drifts between pairs).
   */
  private static void pair(String nameA, Variant a, String nameB, Variant bv, int rounds) throws Exception {
    for (int i = 0; i < warmUp; i++) {
      a.run();
      bv.run();
    }
    long[] ta = new long[rounds];
    long[] tb = new long[rounds];
    double[] ratio = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      boolean aFirst = i % 2 == 0;
      long s = System.nanoTime();
      if (aFirst) {
        a.run();
      } else {
        bv.run();
      }
      long m = System.nanoTime();
      if (aFirst) {
        bv.run();
      } else {
        a.run();
      }
      long e = System.nanoTime();
      ta[i] = aFirst ? m - s : e - m;
      tb[i] = aFirst ? e - m : m - s;
      ratio[i] = (double) ta[i] / tb[i];
    }
    print(nameA, ta);
    print(nameB, tb);
    Arrays.sort(ratio);
    System.out.printf("%s / %s: median of per-pair ratios %.3f (p25 %.3f, p75 %.3f), ratio of medians %.3f%n",
        nameA, nameB, ratio[rounds / 2], ratio[rounds / 4], ratio[rounds * 3 / 4], median(ta) / median(tb));
  }

  private static void time(String name, Variant v, int rounds) throws Exception {
    long[] t = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long s = System.nanoTime();
      v.run();
      t[i] = System.nanoTime() - s;
    }
    print(name, t);
  }

  private static double median(long[] t) {
    long[] v = t.clone();
    Arrays.sort(v);
    return v[v.length / 2] / 1e6;
  }

  private static void print(String name, long[] t) {
    long[] v = t.clone();
    Arrays.sort(v);
    System.out.printf(
        "%-24s median %7.2f ms  p10 %7.2f  p90 %7.2f%n",
        name, v[v.length / 2] / 1e6, v[v.length / 10] / 1e6, v[v.length * 9 / 10] / 1e6);
  }

  /** One benchmark method. */
  @FunctionalInterface
  private interface Variant {
    int run() throws Exception;
  }
}
