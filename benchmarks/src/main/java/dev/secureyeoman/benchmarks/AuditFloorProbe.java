package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.Callable;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Question: the same three ratios as {@code AuditVerifyBenchmark}, {@code AuditAppendBenchmark} and
 * {@code AuditRetentionBenchmark} (SDK vs its raw-SQLite floor), measured so that a loaded, shared machine does not
 * decide them: the SDK and the floor alternate round by round (ABAB…, so load drift hits both), and each round records
 * wall time and the process's CPU time. Reports the median of the per-round ratios. A cross-check of the JMH figures,
 * not a replacement (JMH runs all iterations of one method before the other).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.AuditFloorProbe [rounds]}
 */
public final class AuditFloorProbe {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private AuditFloorProbe() {}

  /** Wall and CPU nanoseconds of one run. */
  private record Cost(long wall, long cpu) {}

  private static Cost measure(Callable<?> c) throws Exception {
    long cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    c.call();
    return new Cost(System.nanoTime() - t0, OS.getProcessCpuTime() - cpu0);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Alternates a and b; prints the medians; returns nothing (the printout is the result). */
  private static void compare(String what, int rounds, Callable<?> setupA, Callable<?> a, Callable<?> setupB,
      Callable<?> b, boolean higherIsBetter, long units) throws Exception {
    double[] wallA = new double[rounds];
    double[] wallB = new double[rounds];
    double[] rw = new double[rounds];
    double[] rc = new double[rounds];
    for (int i = -2; i < rounds; i++) { // two warm-up rounds
      setupA.call();
      Cost ca = measure(a);
      setupB.call();
      Cost cb = measure(b);
      if (i >= 0) {
        wallA[i] = ca.wall();
        wallB[i] = cb.wall();
        // ratio as "SDK relative to floor": throughput ratio (floor time / SDK time) or time ratio (SDK / floor)
        rw[i] = higherIsBetter ? (double) cb.wall() / ca.wall() : (double) ca.wall() / cb.wall();
        rc[i] = higherIsBetter ? (double) cb.cpu() / ca.cpu() : (double) ca.cpu() / cb.cpu();
      }
    }
    System.out.printf(
        "%s: SDK median %.1f ms (%.0f units/s), floor median %.1f ms (%.0f units/s); median per-round ratio: wall %.2f,"
            + " CPU %.2f (%d rounds)%n",
        what, median(wallA) / 1e6, units / (median(wallA) / 1e9), median(wallB) / 1e6,
        units / (median(wallB) / 1e9), median(rw), median(rc), rounds);
  }

  /**
   * Entry point.
   *
   * @param args optional rounds (default 9)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    String only = args.length > 1 ? args[1] : "all";
    Path dir = Files.createTempDirectory("audit-floor");
    try {
      if (only.equals("all") || only.equals("verify")) {
        verify(dir, rounds);
      }
      if (only.equals("all") || only.equals("append")) {
        append(dir, rounds, false);
        append(dir, rounds, true);
      }
      if (only.equals("all") || only.equals("retention")) {
        retention(dir, Math.max(3, rounds / 2), false);
        retention(dir, Math.max(3, rounds / 2), true);
      }
    } finally {
      AuditBenchSupport.deleteTree(dir);
    }
    System.out.printf("load average at the end: %.2f%n", OS.getSystemLoadAverage());
  }

  private static Mac mac() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(AuditBenchSupport.key().toByteArray(), "HmacSHA256"));
    return mac;
  }

  /** The floor of a verifier: read every column, HMAC the stored bytes (AuditVerifyBenchmark.rawSqliteScanPlusHmac). */
  static long scanHmac(Connection c, Mac mac, String where) throws Exception {
    long x = 0;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash"
                    + " FROM audit_log " + where + " ORDER BY seq")) {
      while (rs.next()) {
        mac.update(java.nio.ByteBuffer.allocate(20).putLong(rs.getLong(1)).putLong(rs.getLong(2))
            .putInt(rs.getInt(9)).array());
        for (int col = 3; col <= 8; col++) {
          String v = rs.getString(col);
          if (v != null) {
            mac.update(v.getBytes(StandardCharsets.UTF_8));
          }
        }
        mac.update(rs.getBytes(10));
        x += mac.doFinal()[0] + rs.getBytes(11)[0];
      }
    }
    return x;
  }

  private static void verify(Path dir, int rounds) throws Exception {
    int n = AuditVerifyBenchmark.ENTRIES;
    Path db = dir.resolve("v.db");
    Mac mac = mac();
    try (AuditStore s = AuditBenchSupport.open(db, false)) {
      for (int i = 0; i < n; i += 10_000) {
        AuditBenchSupport.appendAll(s, i, 10_000);
      }
      Callable<?> none = () -> null;
      compare("verify " + n + " entries", rounds, none, () -> {
        VerificationResult r = s.verify(VerifyOptions.defaults().withoutCheckpoints());
        if (!r.valid()) {
          throw new IllegalStateException(r.summary());
        }
        return r;
      }, none, () -> {
        try (Connection c = AuditBenchSupport.raw(db)) {
          return scanHmac(c, mac, "");
        }
      }, true, n);
    }
  }

  private static void append(Path dir, int rounds, boolean fts) throws Exception {
    int burst = AuditAppendBenchmark.BURST;
    AuditEvent[] events = new AuditEvent[burst];
    for (int i = 0; i < burst; i++) {
      events[i] = AuditBenchSupport.event(i);
    }
    Path sub = Files.createDirectories(dir.resolve("append-" + fts));
    try (AuditStore s = AuditBenchSupport.open(sub.resolve("store.db"), fts);
        Connection raw = AuditBenchSupport.raw(sub.resolve("raw.db"))) {
      AuditAppendBenchmark.createRawTable(raw, fts); // the store's row shape (like-for-like)
      byte[][] hashes = AuditAppendBenchmark.fakeHashes(burst);
      Callable<?> none = () -> null;
      compare("append " + burst + " rows, fts " + fts, rounds * 2, none, () -> {
        AuditBenchSupport.appendAll(s, events);
        return null;
      }, none, () -> {
        AuditAppendBenchmark.rawInsert(raw, events, hashes);
        return null;
      }, true, burst);
    }
  }

  private static void retention(Path dir, int rounds, boolean fts) throws Exception {
    int rows = 100_000;
    Path sub = Files.createDirectories(dir.resolve("retention-" + fts));
    Path template = sub.resolve("template.db");
    try (AuditStore s = AuditBenchSupport.open(template, fts)) {
      for (int i = 0; i < rows; i += 10_000) {
        AuditBenchSupport.appendAll(s, i, 10_000);
      }
    }
    Path work = sub.resolve("work.db");
    long last = rows - rows / 10;
    Mac mac = mac();
    Callable<?> copy = () -> {
      Files.deleteIfExists(sub.resolve("work.db-wal"));
      Files.deleteIfExists(sub.resolve("work.db-shm"));
      Files.copy(template, work, StandardCopyOption.REPLACE_EXISTING);
      return null;
    };
    AuditStore[] open = new AuditStore[1];
    Callable<?> copyClosing = () -> {
      if (open[0] != null) {
        open[0].close();
        open[0] = null;
      }
      return copy.call();
    };
    compare("retention " + last + " of " + rows + ", fts " + fts + " (time ratio: SDK / scan+HMAC+DELETE)", rounds,
        copyClosing, () -> {
          open[0] = AuditBenchSupport.open(work, fts); // closed (space reclaimed) in the next setup, unmeasured
          return open[0].enforceRetention(RetentionPolicy.maxEntries(rows / 10 + 1));
        }, copyClosing, () -> {
          try (Connection c = AuditBenchSupport.raw(work);
              Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            long x = scanHmac(c, mac, "WHERE seq <= " + (last + 1));
            x += st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + last);
            st.execute("COMMIT");
            return x;
          }
        }, false, last);
    compare("retention " + last + " of " + rows + ", fts " + fts + " (time ratio: SDK / bare DELETE)", rounds,
        copyClosing, () -> {
          open[0] = AuditBenchSupport.open(work, fts); // closed (space reclaimed) in the next setup, unmeasured
          return open[0].enforceRetention(RetentionPolicy.maxEntries(rows / 10 + 1));
        }, copyClosing, () -> {
          try (Connection c = AuditBenchSupport.raw(work);
              Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            long x = st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + last);
            st.execute("COMMIT");
            return x;
          }
        }, false, last);
    copyClosing.call();
  }
}
