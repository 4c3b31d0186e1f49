package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SearchTest {
  @TempDir Path dir;
  private AuditStore store;

  @BeforeEach
  void fill() throws Exception {
    store = TestSupport.open(dir.resolve("s.db"));
    store.append(AuditEvent.builder("auth.login.failure").actor("alice").message("wrong password").put("ip", "10.0.0.7")
        .build());
    store.append(AuditEvent.builder("auth.login.success").actor("bob").message("welcome back").build());
    store.append(AuditEvent.builder("config.changed").actor("carol").message("rate limit raised")
        .put("detail", java.util.Map.of("setting", "zebrafish")).build());
    store.append(AuditEvent.builder("note").message("say \"hello\" OR goodbye NEAR(x) *star*").build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private List<String> events(String q) throws AuditException {
    return store.search(q, 10).stream().map(AuditEntry::event).toList();
  }

  @Test
  void findsWordsInMessageEventActorAndMetadata() throws Exception {
    assertEquals(List.of("auth.login.failure"), events("password"));
    assertEquals(List.of("auth.login.success", "auth.login.failure"), events("login"), "newest first");
    assertEquals(List.of("auth.login.failure"), events("login failure"), "all words must match");
    assertEquals(List.of("config.changed"), events("zebrafish"), "nested metadata value");
    assertEquals(List.of("auth.login.failure"), events("10.0.0.7"));
    assertEquals(List.of("auth.login.success"), events("bob"));
    assertEquals(List.of(), events("nothing-like-this"));
    assertEquals(List.of(), events("   "));
    assertEquals(1, store.search("login", 1).size());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"\"", "*", "NEAR(", "OR", "AND", "NOT", "(", ")", "^", "-", ":", "message:", "a OR b", "\"unclosed",
          "NEAR(a b, 2)", "{message}: x", "\u0000", "''", "*star*", "hello\"", "column:alice", "🙂"})
  void hostileQueries_doNotError(String q) throws Exception {
    store.search(q, 10);
  }

  @Test
  void operatorsAreMatchedLiterally() throws Exception {
    assertEquals(List.of("note"), events("OR"), "OR is a word, not an operator");
    assertEquals(List.of("note"), events("\"hello\""));
    assertEquals(List.of("note"), events("NEAR(x)"));
    assertEquals(List.of(), events("alice OR bob"), "no boolean OR: all three words must occur");
    assertEquals(List.of(), events("pass*"), "no prefix operator");
  }

  @Test
  void arguments_validated() {
    assertThrows(IllegalArgumentException.class, () -> store.search(null, 10));
    assertThrows(IllegalArgumentException.class, () -> store.search("x", 0));
    assertThrows(IllegalArgumentException.class, () -> store.search("x".repeat(2000), 10));
  }

  @Test
  void unicodeSpaces_separateWords_neverJoinIntoAPhrase() throws Exception {
    // attack18f: U+00A0/U+3000/U+2028/U+0085 did not split, "alice<NBSP>password" became the phrase "alice password"
    for (String sep : List.of("\u00A0", "\u3000", "\u2028", "\u0085", "\u001C")) {
      assertEquals(List.of("auth.login.failure"), events("alice" + sep + "password"), "separator U+"
          + Integer.toHexString(sep.charAt(0)));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> store.search("w\u3000".repeat(33), 10));
    assertEquals("search text must have at most 32 words, got 33", e.getMessage());
  }

  @Test
  void moreThan32Words_refused_neverCut() throws Exception {
    // found by CI fuzzing: words past the 32nd were dropped, so a word the entry lacks did not exclude it
    String thirtyTwo = "wrong " + "! ".repeat(30) + "password";
    assertEquals(List.of("auth.login.failure"), events(thirtyTwo), "32 words (punctuation-only ones match anything)");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> store.search(thirtyTwo + " zebrafish", 10));
    assertEquals("search text must have at most " + AuditReader.MAX_SEARCH_WORDS + " words, got 33", e.getMessage());
    assertEquals(List.of("auth.login.failure"), events(thirtyTwo + " \u0000 \t "), "U+0000 and blanks are no words");
  }
}
