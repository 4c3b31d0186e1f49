package dev.secureyeoman.benchmarks;

/**
 * Question: same as {@link PluginLoadBenchmark}, measured robustly on a noisy shared machine: the variants run
 * interleaved (SDK loader, plain loader, plain + sha256, repeat) so load drifts hit them alike; medians are reported.
 *
 * <p>Run (repository root): {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.PluginLoadHarness 200}
 */
public final class PluginLoadHarness {
  private PluginLoadHarness() {}

  /** One interleaved round; the loaders are closed between variants, outside the timed part. */
  private static long[] round(PluginLoadBenchmark b, long[] t) throws Exception {
    long s = System.nanoTime();
    b.pluginLoader();
    t[0] = System.nanoTime() - s;
    b.closeLoaders();
    s = System.nanoTime();
    b.urlClassLoaderServiceLoader();
    t[1] = System.nanoTime() - s;
    b.closeLoaders();
    s = System.nanoTime();
    b.urlClassLoaderServiceLoaderSha256();
    t[2] = System.nanoTime() - s;
    b.closeLoaders();
    return t;
  }

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
        round(b, new long[3]);
      }
      long[][] t = new long[3][rounds];
      for (int i = 0; i < rounds; i++) {
        long[] r = round(b, new long[3]);
        for (int k = 0; k < 3; k++) {
          t[k][i] = r[k];
        }
      }
      double sdk = PluginBenchSupport.report("pluginLoader", t[0]);
      double plain = PluginBenchSupport.report("urlClassLoader+ServiceLoader", t[1]);
      double sha = PluginBenchSupport.report("urlClassLoader+ServiceLoader+sha256", t[2]);
      System.out.printf("pluginLoader / plain (medians): %.3f; / plain+sha256: %.3f%n", sdk / plain, sdk / sha);
    } finally {
      b.closeLoaders();
      b.tearDown();
    }
  }
}
