package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Question: at the specification's size (1 000 000 entries, FTS on, checkpoints configured), how long do a full
 * verification, an incremental one from the newest checkpoint (1 000 entries after it), full-text searches (p50/p99)
 * and a 900 000-entry purge take — the purge against the floor of a verified purge (scan + HMAC of the deleted range +
 * DELETE with the same FTS triggers) and against a bare DELETE, each on its own copy of the same database? One shot
 * each (a JMH fork per figure would rebuild the 1 M-entry database every time).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.AuditMillionProbe [entries]}
 */
public final class AuditMillionProbe {
  private AuditMillionProbe() {}

  /**
   * Entry point.
   *
   * @param args optional number of entries (default 1 000 000)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("audit-million");
    try {
      run(dir, entries);
    } finally {
      AuditBenchSupport.deleteTree(dir);
    }
  }

  private static AuditStoreOptions.Builder options(Path db, Path cp, KeyPair keys) {
    AuditStoreOptions.Builder b = AuditStoreOptions.builder(db).macKey(AuditBenchSupport.key()).fullTextSearch(true);
    return cp == null ? b : b.checkpoints(CheckpointSinks.appendOnlyFile(cp), keys);
  }

  private static void run(Path dir, int entries) throws Exception {
    Path db = dir.resolve("db/audit.db");
    Path cp = dir.resolve("cp/audit.cp");
    KeyPair keys = CheckpointKeys.deriveFromAuditKey(AuditBenchSupport.key());
    long t0 = System.nanoTime();
    try (AuditStore s = SqliteAuditStore.open(options(db, cp, keys).build())) {
      for (int i = 0; i < entries; i += 10_000) {
        AuditBenchSupport.appendAll(s, i, Math.min(10_000, entries - i));
      }
      System.out.printf("built %d entries (FTS on) in %.1f s%n", entries, secs(t0));
      long t = System.nanoTime();
      s.checkpoint();
      System.out.printf("checkpoint (verifies the whole log first): %.2f s%n", secs(t));
      AuditBenchSupport.appendAll(s, entries, 1_000);

      t = System.nanoTime();
      VerificationResult full = s.verify();
      double fullS = secs(t);
      t = System.nanoTime();
      VerificationResult inc = s.verify(VerifyOptions.defaults().sinceCheckpoint());
      double incS = secs(t);
      if (!full.valid() || !inc.valid()) {
        throw new IllegalStateException(full.summary() + " / " + inc.summary());
      }
      System.out.printf("full verify: %d entries in %.2f s (%.0f entries/s)%n", full.entriesChecked(), fullS,
          full.entriesChecked() / fullS);
      System.out.printf("incremental verify: %d entries re-MACed in %.3f s; ratio to full %.4f (%s)%n",
          inc.entriesChecked(), incS, incS / fullS, inc.summary());

      Random r = new Random(1);
      String[] words = {"password", "wrong", "attempt", "bench", "failed", "login"};
      long[] lat = new long[200];
      for (int i = 0; i < 20; i++) {
        s.search("user-" + r.nextInt(1000), 50); // warm-up
      }
      for (int i = 0; i < lat.length; i++) {
        String q = i % 2 == 0 ? "user-" + r.nextInt(1000) : words[r.nextInt(words.length)] + " user-" + r.nextInt(1000);
        long ts = System.nanoTime();
        s.search(q, 50);
        lat[i] = System.nanoTime() - ts;
      }
      Arrays.sort(lat);
      System.out.printf("FTS search (limit 50, %d queries): p50 %.2f ms, p99 %.2f ms%n", lat.length,
          lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6);
    }

    // retention at the specification's size: each contender on its own copy of the same database
    long total = entries + 1_000L + 0;
    long keep = total / 10;
    Path copyA = copy(db, dir.resolve("a/audit.db"));
    Path copyB = copy(db, dir.resolve("b/audit.db"));
    Path copyC = copy(db, dir.resolve("c/audit.db"));
    long last;
    try (Connection c = AuditBenchSupport.raw(copyB);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT max(seq) FROM audit_log")) {
      last = rs.getLong(1) + 1 - keep;
    }
    long t = System.nanoTime();
    long deleted;
    double retention;
    double reclaim;
    try (AuditStore s = SqliteAuditStore.open(options(copyA, null, keys).build())) {
      deleted = s.enforceRetention(RetentionPolicy.maxEntries(keep));
      retention = secs(t);
      t = System.nanoTime();
      s.reclaimSpace(); // left to the writer's idle time since issue 17; measured on its own here
      reclaim = secs(t);
    }
    t = System.nanoTime();
    long floorDeleted = scanHmacDelete(copyB, last);
    double floor = secs(t);
    t = System.nanoTime();
    long bare;
    try (Connection c = AuditBenchSupport.raw(copyC);
        Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      bare = st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + last);
      st.execute("COMMIT");
    }
    double bareS = secs(t);
    System.out.printf("retention: enforceRetention deleted %d in %.2f s; floor (scan+HMAC+DELETE) %d in %.2f s ->"
        + " ratio %.2f; bare DELETE %d in %.2f s -> ratio %.2f; then reclaimSpace() %.2f s (purge + reclaim: %.2f x"
        + " floor)%n", deleted, retention, floorDeleted, floor,
        retention / floor, bare, bareS, retention / bareS, reclaim, (retention + reclaim) / floor);
  }

  private static Path copy(Path db, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    Files.copy(db, to, StandardCopyOption.REPLACE_EXISTING);
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    if (Files.exists(wal)) {
      Files.copy(wal, to.resolveSibling(to.getFileName() + "-wal"), StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }

  static long scanHmacDelete(Path db, long last) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(AuditBenchSupport.key().toByteArray(), "HmacSHA256"));
    long x = 0;
    try (Connection c = AuditBenchSupport.raw(db);
        Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash"
                  + " FROM audit_log WHERE seq <= " + (last + 1) + " ORDER BY seq")) {
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
      long n = st.executeUpdate("DELETE FROM audit_log WHERE seq <= " + last);
      st.execute("COMMIT");
      return n + (x & 0);
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
