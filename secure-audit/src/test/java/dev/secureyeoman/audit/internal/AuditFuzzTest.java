package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.audit.Checkpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;

/** Jazzer fuzz tests of the parsers and encoders (regression mode in the normal build). */
class AuditFuzzTest {
  private static Connection fts;

  private static synchronized Connection fts() throws SQLException {
    if (fts == null) {
      fts = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement st = fts.createStatement()) {
        st.execute("CREATE VIRTUAL TABLE t USING fts5(event, actor, message, metadata, tokenize='unicode61')");
        st.execute("INSERT INTO t VALUES ('auth.login', 'alice', 'say \"hi\" OR NEAR(x) *', '{\"k\":\"v\"}')");
      }
    }
    return fts;
  }

  /** The metadata parser either rejects input with IllegalArgumentException or round-trips what it accepted. */
  @FuzzTest(maxDuration = "30s")
  void jsonParse(@NotNull String s) {
    Object v;
    try {
      v = Json.parse(s);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertEquals(v, Json.parse(Json.write(v)));
  }

  /** No user text makes the escaped FTS5 query a syntax error. */
  @FuzzTest(maxDuration = "30s")
  void ftsEscape(@NotNull String s) throws SQLException {
    String q;
    try {
      q = FtsQuery.escape(s);
    } catch (IllegalArgumentException e) {
      return; // too long: rejected before SQL
    }
    if (q.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = fts().prepareStatement("SELECT count(*) FROM t WHERE t MATCH ?")) {
      ps.setString(1, q);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
      }
    }
  }

  /** Two entries that differ in any field never share a canonical encoding (the length prefixes make it injective). */
  @FuzzTest(maxDuration = "30s")
  void canonicalInjective(@NotNull String a, @NotNull String b, @NotNull String c, @NotNull String d, long n) {
    byte[] prev = new byte[32];
    Row r1 = new Row(n, 0, "INFO", a, b, "m", Map.of("k", c), null, 1, prev, null);
    Row r2 = new Row(n, 0, "INFO", c, d, "m", Map.of("k", a), null, 1, prev, null);
    boolean sameFields =
        Arrays.equals(utf8(a), utf8(c)) && Arrays.equals(utf8(b), utf8(d)) && Arrays.equals(utf8(c), utf8(a));
    if (sameFields) {
      assertArrayEquals(Canonical.encode(r1), Canonical.encode(r2));
    } else {
      assertFalse(Arrays.equals(Canonical.encode(r1), Canonical.encode(r2)));
    }
  }

  /** The checkpoint parser rejects malformed notes with IllegalArgumentException only, and round-trips valid ones. */
  @FuzzTest(maxDuration = "30s")
  void checkpointParse(@NotNull String s) {
    Checkpoint cp;
    try {
      cp = Checkpoint.parse(s);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertEquals(cp, Checkpoint.parse(cp.toText()));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
