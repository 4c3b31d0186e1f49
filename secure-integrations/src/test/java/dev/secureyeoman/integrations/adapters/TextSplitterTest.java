package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.adapters.internal.Escapes;
import dev.secureyeoman.integrations.adapters.internal.PlatformHttp;
import dev.secureyeoman.integrations.adapters.internal.TextSplitter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextSplitterTest {

  @Test
  void split_prefersLineBreaksThenSpaces_andNeverCutsASurrogatePair() {
    String emoji = "\uD83D\uDE00"; // one code point, two UTF-16 units
    List<String> parts = TextSplitter.split("a".repeat(15) + emoji + "b", 16, Character::toString, 10);
    assertEquals(List.of("a".repeat(15), emoji + "b"), parts);
    assertEquals(List.of("first line\n", "second line here"),
        TextSplitter.split("first line\nsecond line here", 20, Character::toString, 10));
    assertEquals(List.of("aaaa bbbb cccc ", "dddd"),
        TextSplitter.split("aaaa bbbb cccc dddd", 16, Character::toString, 10));
    assertThrows(IllegalArgumentException.class, () -> TextSplitter.split("x".repeat(100), 16, Character::toString, 3));
    assertThrows(IllegalArgumentException.class, () -> TextSplitter.split("x", 15, Character::toString, 3));
    assertTrue(TextSplitter.split("   \n  ", 16, Character::toString, 3).isEmpty(), "blank parts are dropped");
  }

  @Test
  void split_escapedPartsRespectTheLimit_andRejoinToTheEscapedText_seeded() {
    Random random = new Random(19); // fixed seed: reproducible
    String alphabet = "ab <>&@*_`|\n\uD83D\uDE00";
    for (int round = 0; round < 300; round++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(400);
      while (sb.length() < len) {
        int i = random.nextInt(alphabet.length() - 1);
        char c = alphabet.charAt(i);
        sb.append(Character.isHighSurrogate(c) ? alphabet.substring(i, i + 2) : String.valueOf(c));
      }
      String text = sb.toString();
      int limit = 16 + random.nextInt(64);
      for (java.util.function.IntFunction<String> esc : List.<java.util.function.IntFunction<String>>of(
          Escapes::slack, Escapes::discord, Escapes::telegram)) {
        List<String> parts = TextSplitter.split(text, limit, esc, 1000);
        StringBuilder escaped = new StringBuilder();
        text.codePoints().forEach(cp -> escaped.append(esc.apply(cp)));
        StringBuilder joined = new StringBuilder();
        for (String p : parts) {
          assertTrue(p.length() <= limit, "part " + p.length() + " > " + limit);
          assertFalse(Character.isHighSurrogate(p.charAt(p.length() - 1)), "surrogate pair cut");
          joined.append(p);
        }
        assertEquals(escaped.toString().strip().isEmpty() ? "" : escaped.toString().replaceAll("\\s", ""),
            joined.toString().replaceAll("\\s", ""), "only blank parts may be dropped");
      }
    }
  }

  @Test
  void escapes_neutraliseMentionSyntaxOnEveryPlatform() {
    StringBuilder s = new StringBuilder();
    "<!everyone> @here".codePoints().forEach(cp -> s.append(Escapes.slack(cp)));
    assertEquals("&lt;!everyone&gt; @here", s.toString());
    StringBuilder d = new StringBuilder();
    "@everyone".codePoints().forEach(cp -> d.append(Escapes.discord(cp)));
    assertFalse(d.toString().contains("@everyone"));
    StringBuilder t = new StringBuilder();
    "@admin".codePoints().forEach(cp -> t.append(Escapes.telegram(cp)));
    assertFalse(t.toString().contains("@admin"));
  }

  @Test
  void retryAfter_parsesSecondsAndFractions_ignoresDatesAndJunk() {
    assertEquals(Optional.of(Duration.ofSeconds(2)), PlatformHttp.retryAfter("2"));
    assertEquals(Optional.of(Duration.ofMillis(1500)), PlatformHttp.retryAfter(" 1.5 "));
    assertEquals(Optional.of(Duration.ofMillis(1)), PlatformHttp.retryAfter("0"));
    assertEquals(Optional.empty(), PlatformHttp.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertEquals(Optional.empty(), PlatformHttp.retryAfter("-1"));
    assertEquals(Optional.empty(), PlatformHttp.retryAfter("NaN"));
    assertEquals(Optional.empty(), PlatformHttp.retryAfter("1e9"));
    assertEquals(Optional.empty(), PlatformHttp.retryAfter(null));
  }
}
