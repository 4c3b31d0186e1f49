package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * Question: same as {@link NamespaceRunnerBenchmark}, measured robustly on a noisy shared machine: the variants run
 * interleaved (runner, bare bwrap, plain spawn, and both with the CLI's default limits; repeat) so load drifts hit them
 * alike, and medians are reported.
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
    String[] names = {
      "namespaceRunner", "bareBwrap", "plainSpawn", "runnerUntrustedDefaults", "bareUntrustedDefaults"
    };
    Variant[] variants = {
      b::namespaceRunner, b::bareBwrap, b::plainSpawn, b::namespaceRunnerUntrustedDefaults, b::bareBwrapUntrustedDefaults
    };
    for (int i = 0; i < 20; i++) {
      for (Variant v : variants) {
        v.run();
      }
    }
    long[][] t = new long[variants.length][rounds];
    for (int i = 0; i < rounds; i++) {
      for (int k = 0; k < variants.length; k++) {
        long s = System.nanoTime();
        variants[k].run();
        t[k][i] = System.nanoTime() - s;
      }
    }
    double[] med = new double[variants.length];
    for (int k = 0; k < variants.length; k++) {
      long[] v = t[k].clone();
      Arrays.sort(v);
      med[k] = v[rounds / 2] / 1e6;
      System.out.printf(
          "%-24s median %7.2f ms  p10 %7.2f  p90 %7.2f%n",
          names[k], med[k], v[rounds / 10] / 1e6, v[rounds * 9 / 10] / 1e6);
    }
    System.out.printf("runner / bare bwrap (medians): %.3f%n", med[0] / med[1]);
    System.out.printf("with untrusted defaults, runner / bare (medians): %.3f%n", med[3] / med[4]);
  }

  /** One benchmark method. */
  @FunctionalInterface
  private interface Variant {
    int run() throws Exception;
  }
}
