package dev.secureyeoman.benchmarks;

import java.util.Arrays;

/**
 * Question: same as {@link PluginLoadBenchmark}, measured robustly on a noisy shared machine: the variants run
 * interleaved (SDK loader, plain loader, plain + sha256, repeat) so load drifts hit them alike; medians are reported.
 *
 * <p>Run (repository root): {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.PluginLoadHarness 200}
 */
public final class PluginLoadHarness {
  private PluginLoadHarness() {}

  /**
   * Runs the harness and prints median, p10 and p90 per variant in milliseconds.
   *
   * @param args optional number of rounds (default 100)
   * @throws Exception when loading fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    PluginLoadBenchmark b = new PluginLoadBenchmark();
    b.plugins = 20;
    b.setup();
    try {
      for (int i = 0; i < 30; i++) {
        b.pluginLoader();
        b.closeLoaders();
        b.urlClassLoaderServiceLoader();
        b.closeLoaders();
        b.urlClassLoaderServiceLoaderSha256();
        b.closeLoaders();
      }
      long[][] t = new long[3][rounds];
      for (int i = 0; i < rounds; i++) {
        long s = System.nanoTime();
        b.pluginLoader();
        long m = System.nanoTime();
        b.closeLoaders();
        long m2 = System.nanoTime();
        b.urlClassLoaderServiceLoader();
        long e = System.nanoTime();
        b.closeLoaders();
        long e2 = System.nanoTime();
        b.urlClassLoaderServiceLoaderSha256();
        long f = System.nanoTime();
        b.closeLoaders();
        t[0][i] = m - s;
        t[1][i] = e - m2;
        t[2][i] = f - e2;
      }
      String[] names = {"pluginLoader", "urlClassLoader+ServiceLoader", "  + sha256"};
      double[] med = new double[3];
      for (int k = 0; k < 3; k++) {
        long[] v = t[k].clone();
        Arrays.sort(v);
        med[k] = v[rounds / 2] / 1e6;
        System.out.printf("%-30s median %7.2f ms  p10 %7.2f  p90 %7.2f%n", names[k], med[k], v[rounds / 10] / 1e6,
            v[rounds * 9 / 10] / 1e6);
      }
      System.out.printf("pluginLoader / plain (medians): %.3f; / plain+sha256: %.3f%n", med[0] / med[1],
          med[0] / med[2]);
    } finally {
      b.closeLoaders();
      b.tearDown();
    }
  }
}
