package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecretBytes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared helpers: deterministic keys, a settable clock, random events and raw (attacker) database access. */
final class TestSupport {
  private TestSupport() {}

  static SecretBytes key(int seed) {
    byte[] b = new byte[32];
    new Random(seed).nextBytes(b);
    return SecretBytes.adopt(b);
  }

  static AuditStoreOptions.Builder options(Path db) {
    return AuditStoreOptions.builder(db).macKey(key(1));
  }

  static AuditStore open(Path db) throws AuditException {
    return SqliteAuditStore.open(options(db).build());
  }

  /** A connection as an attacker with file access would use it; the append-only guard trigger is dropped. */
  static Connection attacker(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER IF EXISTS audit_log_append_only");
    }
    return c;
  }

  static void exec(Path db, String... sql) throws SQLException {
    try (Connection c = attacker(db);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** Keys and layout of a store with checkpoints: {@code <dir>/db/audit.db}, {@code <dir>/checkpoints/audit.cp}. */
  static final class Checkpointed {
    final java.security.KeyPair keys = CheckpointKeys.deriveFromAuditKey(key(1));
    final Path db;
    final Path cpFile;

    Checkpointed(Path dir) {
      this.db = dir.resolve("db/audit.db");
      this.cpFile = dir.resolve("checkpoints/audit.cp");
    }

    AuditStore open() throws AuditException {
      return SqliteAuditStore.open(options(db).checkpoints(CheckpointSinks.appendOnlyFile(cpFile), keys).build());
    }
  }

  /** Appends {@code n} entries with messages {@code tag + i}. */
  static void appendN(AuditStore s, int n, String tag) throws AuditException {
    for (int i = 0; i < n; i++) {
      s.append(AuditEvent.builder("e").message(tag + i).build());
    }
  }

  /** Starts a child JVM running {@code main} with this test class path. */
  static Process startChild(Class<?> main, String... args) throws java.io.IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Runs a child JVM to completion and returns its output; fails unless it exits 0 within a minute. */
  static String runChild(Class<?> main, String... args) throws Exception {
    Process p = startChild(main, args);
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError("child " + main.getSimpleName() + " failed: " + out);
    }
    return out;
  }

  /** Every entry, ascending. */
  static List<AuditEntry> all(AuditReader r) throws AuditException {
    List<AuditEntry> out = new ArrayList<>();
    long after = 0;
    while (true) {
      List<AuditEntry> page = r.query(AuditQuery.builder().afterSeq(after).limit(AuditQuery.MAX_LIMIT).build());
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).seq();
    }
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }
  }

  private static final String[] WORDS = {
    "alpha", "bravo", "charlie", "delta", "échelle", "日本", "zulu", "quote\"d", "back\\slash", "new\nline", "tab\t"
  };

  static String word(Random r) {
    return WORDS[r.nextInt(WORDS.length)] + r.nextInt(1000);
  }

  static Object value(Random r, int depth) {
    int k = r.nextInt(depth > 2 ? 5 : 7);
    return switch (k) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextLong();
      case 3 -> r.nextDouble() * 1e6 - 5e5;
      case 4 -> word(r);
      case 5 -> {
        List<Object> l = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          l.add(value(r, depth + 1));
        }
        yield l;
      }
      default -> map(r, depth + 1);
    };
  }

  static Map<String, Object> map(Random r, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      m.put(word(r), value(r, depth));
    }
    return m;
  }

  static AuditEvent randomEvent(Random r) {
    AuditEvent.Builder b =
        AuditEvent.builder("ev." + r.nextInt(20))
            .level(AuditLevel.values()[r.nextInt(AuditLevel.values().length)])
            .actor(word(r))
            .message(word(r) + " " + word(r));
    if (r.nextBoolean()) {
      b.correlationId("req-" + r.nextInt(100000));
    }
    Map<String, Object> m = map(r, 1);
    m.forEach(b::put);
    return b.put("n", (long) r.nextInt(100)).build();
  }
}
