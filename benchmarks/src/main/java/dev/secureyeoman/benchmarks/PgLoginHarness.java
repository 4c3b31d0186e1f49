package dev.secureyeoman.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurement of {@link PgLoginBenchmark} interleaved, for a shared noisy machine: a 1-node and a 3-node set-up
 * (each on its own testkit PostgreSQL), then rounds of {@value PgLoginBenchmark#TOTAL} logins and as many raw Argon2id
 * hashes per variant, the order alternating every round. Prints median logins/s (p10–p90) per variant and the
 * per-round scaling factors 3 nodes / 1 node for the SDK and for raw Argon2id.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.PgLoginHarness 15}
 */
public final class PgLoginHarness {
  private PgLoginHarness() {}

  private interface Op {
    void run() throws Exception;
  }

  /**
   * Runs the harness.
   *
   * @param args optional number of timed rounds (default 15)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    PgLoginBenchmark one = new PgLoginBenchmark();
    one.nodes = 1;
    PgLoginBenchmark three = new PgLoginBenchmark();
    three.nodes = 3;
    one.setup();
    three.setup();
    try {
      Map<String, Op> variants = new LinkedHashMap<>();
      variants.put("login 1 node", one::login);
      variants.put("raw argon2id 1 thread", one::rawArgon2id);
      variants.put("login 3 nodes", three::login);
      variants.put("raw argon2id 3 threads", three::rawArgon2id);
      List<String> names = new ArrayList<>(variants.keySet());
      for (Op op : variants.values()) {
        op.run(); // warm-up
      }
      Map<String, double[]> rate = new LinkedHashMap<>();
      names.forEach(n -> rate.put(n, new double[rounds]));
      for (int r = 0; r < rounds; r++) {
        List<String> order = new ArrayList<>(names);
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (String n : order) {
          long t0 = System.nanoTime();
          variants.get(n).run();
          rate.get(n)[r] = PgLoginBenchmark.TOTAL * 1e9 / (System.nanoTime() - t0);
        }
      }
      System.out.printf(
          "PG-LOGIN rounds=%d logins/round=%d load=%s%n",
          rounds, PgLoginBenchmark.TOTAL, java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
      for (String n : names) {
        double[] v = rate.get(n).clone();
        Arrays.sort(v);
        System.out.printf(
            "PG-LOGIN %-24s median %6.2f /s (p10 %6.2f, p90 %6.2f)%n", n, pct(v, 50), pct(v, 10), pct(v, 90));
      }
      ratio(rate, "login 3 nodes", "login 1 node", rounds);
      ratio(rate, "raw argon2id 3 threads", "raw argon2id 1 thread", rounds);
      ratio(rate, "login 1 node", "raw argon2id 1 thread", rounds);
      ratio(rate, "login 3 nodes", "raw argon2id 3 threads", rounds);
    } finally {
      one.tearDown();
      three.tearDown();
    }
  }

  private static void ratio(Map<String, double[]> rate, String a, String b, int rounds) {
    double[] q = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      q[r] = rate.get(a)[r] / rate.get(b)[r];
    }
    Arrays.sort(q);
    System.out.printf(
        "PG-LOGIN ratio %s / %s: per-round median %.3f (p25 %.3f, p75 %.3f)%n", a, b, pct(q, 50), pct(q, 25), pct(q, 75));
  }

  private static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.round((sorted.length - 1) * p / 100.0))];
  }
}
