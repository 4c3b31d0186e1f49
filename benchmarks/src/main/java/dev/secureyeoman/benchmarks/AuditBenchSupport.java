package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/** Shared fixtures for the audit benchmarks. */
final class AuditBenchSupport {
  private AuditBenchSupport() {}

  static SecretBytes key() {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (i * 7 + 1);
    }
    return SecretBytes.adopt(k);
  }

  static AuditStore open(Path db, boolean fts) throws AuditException {
    return SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(key()).fullTextSearch(fts).build());
  }

  /** A realistic event: ~150 bytes of text and a small nested metadata object. */
  static AuditEvent event(int i) {
    return AuditEvent.builder("auth.login.failure")
        .level(AuditLevel.WARN)
        .actor("user-" + (i % 1000))
        .message("login failed for user-" + (i % 1000) + ": wrong password (attempt " + (i % 7) + ")")
        .put("ip", "10.0." + (i % 256) + "." + (i % 200))
        .put("client", java.util.Map.of("agent", "bench/1.0", "attempt", (long) (i % 7)))
        .correlationId("req-" + i)
        .build();
  }

  static void appendAll(AuditStore s, int from, int count) throws AuditException {
    AuditEvent[] events = new AuditEvent[count];
    for (int i = 0; i < count; i++) {
      events[i] = event(from + i);
    }
    appendAll(s, events);
  }

  /** Appends pre-built events through group commit and waits for all of them. */
  static void appendAll(AuditStore s, AuditEvent[] events) throws AuditException {
    List<CompletableFuture<AuditEntry>> fs = new ArrayList<>(events.length);
    for (AuditEvent e : events) {
      fs.add(s.appendAsync(e));
    }
    try {
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new AuditException("append failed", e);
    }
  }

  /** Opens a raw connection with the same durability settings as the store. */
  static Connection raw(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("PRAGMA synchronous = FULL");
    }
    return c;
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
