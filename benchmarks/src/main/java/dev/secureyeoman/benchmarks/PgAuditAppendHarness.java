package dev.secureyeoman.benchmarks;

import dev.secureyeoman.testkit.PostgresServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurement of {@link PgAuditAppendBenchmark} interleaved, for a shared noisy machine: one PostgreSQL server, a
 * 1-node and a 3-node {@link PgAuditRig} on two databases, and rounds of bursts (store, raw, raw serialised; 1 node,
 * then 3 nodes; the order alternates every round) so load drifts hit every variant alike. Prints each variant's median
 * rows/s (p10–p90) and the median of the per-round ratios store / raw.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.PgAuditAppendHarness 30}
 */
public final class PgAuditAppendHarness {
  private PgAuditAppendHarness() {}

  private interface Burst {
    void run() throws Exception;
  }

  /**
   * Runs the harness.
   *
   * @param args optional number of timed rounds (default 30) and rows per burst (default 3000)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int burst = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    try (PostgresServer server = PostgresServer.start();
        PgAuditRig one = new PgAuditRig(server, "one", 1, burst);
        PgAuditRig three = new PgAuditRig(server, "three", 3, burst)) {
      Map<String, Burst> variants = new LinkedHashMap<>();
      variants.put("store 1 node", one::storeBurst);
      variants.put("raw 1 writer", () -> one.rawBurst(false));
      variants.put("store 3 nodes", three::storeBurst);
      variants.put("raw 3 writers", () -> three.rawBurst(false));
      variants.put("raw 3 writers serialized", () -> three.rawBurst(true));
      List<String> names = new ArrayList<>(variants.keySet());
      for (int w = 0; w < 3; w++) { // warm-up: JIT, pools, first pages
        for (Burst b : variants.values()) {
          b.run();
        }
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
          rate.get(n)[r] = burst * 1e9 / (System.nanoTime() - t0);
        }
      }
      System.out.printf("PG-AUDIT-APPEND rounds=%d burst=%d load=%s%n", rounds, burst, load());
      for (String n : names) {
        double[] v = rate.get(n).clone();
        Arrays.sort(v);
        System.out.printf(
            "PG-AUDIT-APPEND %-26s median %8.0f rows/s (p10 %8.0f, p90 %8.0f)%n",
            n, pct(v, 50), pct(v, 10), pct(v, 90));
      }
      ratio(rate, "store 1 node", "raw 1 writer", rounds);
      ratio(rate, "store 3 nodes", "raw 3 writers", rounds);
      ratio(rate, "store 3 nodes", "raw 3 writers serialized", rounds);
      ratio(rate, "store 3 nodes", "store 1 node", rounds);
      ratio(rate, "raw 3 writers", "raw 1 writer", rounds);
    }
  }

  private static void ratio(Map<String, double[]> rate, String a, String b, int rounds) {
    double[] q = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      q[r] = rate.get(a)[r] / rate.get(b)[r];
    }
    Arrays.sort(q);
    System.out.printf(
        "PG-AUDIT-APPEND ratio %s / %s: per-round median %.3f (p25 %.3f, p75 %.3f)%n",
        a, b, pct(q, 50), pct(q, 25), pct(q, 75));
  }

  private static double pct(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.round((sorted.length - 1) * p / 100.0))];
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
