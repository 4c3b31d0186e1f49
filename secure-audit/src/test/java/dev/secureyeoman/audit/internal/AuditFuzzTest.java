package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithUtf8Length;
import dev.secureyeoman.audit.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jazzer fuzz tests of the audit log's parsers and encoders. Seeds live under
 * {@code src/test/resources/dev/secureyeoman/audit/internal/AuditFuzzTestInputs/<method>/}; {@code mvn test} replays
 * them, {@code ./mvnw -Pfuzz verify} fuzzes every target for a bounded time.
 */
class AuditFuzzTest {
  private static final Pattern ASCII_RUN = Pattern.compile("[A-Za-z0-9]+");
  /** The tokens of the fixed document the escaped queries are also run against. */
  private static final List<String> OTHER_DOC_TOKENS = List.of("qz9", "x7k");

  private static Connection fts;

  private static synchronized Connection fts() throws SQLException {
    if (fts == null) {
      fts = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement st = fts.createStatement()) {
        st.execute("CREATE VIRTUAL TABLE t USING fts5(event, actor, message, metadata, tokenize='unicode61')");
        // every column of the fixed document holds only the tokens in OTHER_DOC_TOKENS
        st.execute("INSERT INTO t(rowid, event, actor, message, metadata) VALUES (1, 'qz9', 'x7k', 'qz9 x7k', '{}')");
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
    String written = Json.write(v);
    assertEquals(v, Json.parse(written));
    assertEquals(written, Json.write(Json.parse(written)), "the writer is canonical");
  }

  /**
   * User text is matched literally, never as FTS5 syntax: the escaped query always runs; a document holding exactly
   * the text is found whenever the text has a word the tokenizer keeps (an ASCII letter or digit guarantees one); and a
   * document is not found when the text has a word it does not contain — so {@code OR}, {@code NOT}, {@code NEAR},
   * {@code *}, {@code ^} and column filters cannot widen a search.
   */
  @FuzzTest(maxDuration = "30s")
  void ftsEscape(@NotNull @WithUtf8Length(max = 2000) String s) throws SQLException {
    String q;
    try {
      q = FtsQuery.escape(s);
    } catch (IllegalArgumentException e) {
      assertTrue(s.length() > FtsQuery.MAX_CHARS || words(s) > FtsQuery.MAX_TERMS,
          "only over-long text or too many words is refused: " + e.getMessage());
      return;
    }
    assertTrue(words(s) <= FtsQuery.MAX_TERMS, "text with too many words is refused, never cut");
    if (q.isEmpty()) {
      assertEquals(0, words(s), "only text without words gives an empty query");
      return;
    }
    Connection c = fts();
    synchronized (AuditFuzzTest.class) {
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO t(rowid, message) VALUES (2, ?)")) {
        ins.setString(1, s.replace("\u0000", ""));
        ins.executeUpdate();
      }
      try {
        boolean findsItself = matches(c, q, 2);
        if (ASCII_RUN.matcher(s).find()) {
          assertTrue(findsItself, "a document holding exactly the text is found: " + q);
        }
        Matcher m = ASCII_RUN.matcher(s);
        boolean hasForeignWord = false;
        while (m.find()) {
          String run = m.group().toLowerCase(java.util.Locale.ROOT);
          hasForeignWord |= OTHER_DOC_TOKENS.stream().noneMatch(t -> t.contains(run));
        }
        if (hasForeignWord) {
          assertFalse(matches(c, q, 1), "a word the document lacks must exclude it: " + q);
        }
      } finally {
        try (Statement st = c.createStatement()) {
          st.execute("DELETE FROM t WHERE rowid = 2");
        }
      }
    }
  }

  /**
   * Counts words as documented (by a scan, not with the implementation's pattern): separated by Java whitespace,
   * Unicode space/line/paragraph separators and U+0085; U+0000 removed; words left empty not counted.
   */
  private static long words(String s) {
    long n = 0;
    boolean inWord = false;
    for (char ch : s.toCharArray()) {
      int type = Character.getType(ch);
      if (Character.isWhitespace(ch) || type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || ch == '\u0085') {
        inWord = false;
      } else if (ch != '\u0000' && !inWord) {
        inWord = true;
        n++;
      }
    }
    return n;
  }

  private static boolean matches(Connection c, String q, long rowid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM t WHERE t MATCH ? AND rowid = ?")) {
      ps.setString(1, q);
      ps.setLong(2, rowid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    }
  }

  /**
   * The MAC input is injective: cutting the same text into fields at two different places, moving a value into a list,
   * or changing the correlation id from absent to empty always changes the encoding; equal fields encode alike; and the
   * log id (version 2) is part of the input.
   */
  @FuzzTest(maxDuration = "30s")
  void canonicalInjective(@NotNull String s) {
    int n = s.length();
    int p = n == 0 ? 0 : s.charAt(0) % (n + 1);
    int q = n / 2;
    Row r1 = row(s.substring(0, p), s.substring(p), Map.of("k", s), null);
    Row r2 = row(s.substring(0, q), s.substring(q), Map.of("k", s), null);
    assertEquals(p == q, Arrays.equals(Canonical.encode(r1), Canonical.encode(r2)), "cut at " + p + "/" + q);
    assertFalse(Arrays.equals(Canonical.encode(r1), Canonical.encode(row(r1.event(), r1.actor(), Map.of("k",
        List.of(s)), null))), "a value and a one-element list differ");
    assertFalse(Arrays.equals(Canonical.encode(r1), Canonical.encode(row(r1.event(), r1.actor(), r1.metadata(), ""))),
        "an absent and an empty correlation id differ");
    byte[] id = Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), 16);
    byte[] other = id.clone();
    other[0] ^= 1;
    assertFalse(Arrays.equals(Canonical.encode(r1), Canonical.encode(r1, id)), "version 1 and 2 differ");
    assertFalse(Arrays.equals(Canonical.encode(r1, id), Canonical.encode(r1, other)), "the log id is bound");
  }

  private static Row row(String event, String actor, Map<String, Object> metadata, String correlation) {
    return new Row(7, 1_700_000_000_000L, "INFO", event, actor, "m", metadata, correlation, 1, new byte[32], null);
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
    assertTrue(s.startsWith(cp.body()), "the signed body is exactly what was read");
  }

  /**
   * A checkpoint file splits into complete notes and a torn tail with nothing lost or invented: the byte counts add
   * up, the complete prefix re-parses to the same notes with no tail, and only IllegalArgumentException escapes.
   */
  @FuzzTest(maxDuration = "30s")
  void checkpointFile(byte @NotNull [] bytes) {
    FileCheckpointSink.Contents c;
    try {
      c = FileCheckpointSink.parse(bytes);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertTrue(c.completeBytes() >= 0 && c.tornBytes() >= 0);
    assertEquals(bytes.length, c.completeBytes() + c.tornBytes());
    byte[] prefix = Arrays.copyOf(bytes, (int) c.completeBytes());
    FileCheckpointSink.Contents again = FileCheckpointSink.parse(prefix);
    assertEquals(c.complete(), again.complete());
    assertFalse(again.torn(), "the complete prefix has no torn tail");
    assertTrue(c.complete().stream().allMatch(Objects::nonNull));
  }
}
