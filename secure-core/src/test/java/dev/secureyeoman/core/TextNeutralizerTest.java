package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.TextNeutralizer.CharClass;
import dev.secureyeoman.core.TextNeutralizer.Marker;
import dev.secureyeoman.core.TextNeutralizer.Replacement;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TextNeutralizerTest {
  private static final int MAX = 40;

  /** Characters an attacker reaches for, mixed into the random strings at a high rate. */
  private static final int[] NASTY = {
    0x00, 0x07, 0x08, '\t', '\n', 0x0b, '\r', 0x1b, 0x7f, 0x80, 0x85, 0x9b, 0x9f, 0x061c, 0x200b, 0x200c, 0x200d,
    0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
    0xd800, 0xdbff, 0xdc00, 0xdfff, 0x1f600, 0xe0001, 0xe0041, '\\', '…', 'é', 0x10ffff, 0xe000
  };

  /** Every configuration used by a call site in the SDK, plus the standard one. */
  static Stream<Arguments> neutralizers() {
    return Stream.of(
        Arguments.of("standard", TextNeutralizer.standard()),
        Arguments.of("escape+limit", TextNeutralizer.builder().maxChars(MAX).marker(Marker.ELLIPSIS_WITH_LENGTH)
            .escapeBackslash(true).unsafe(CharClass.CONTROL, CharClass.BIDI, CharClass.LINE_SEPARATOR,
                CharClass.LONE_SURROGATE).build()),
        Arguments.of("braced+named", TextNeutralizer.builder().replacement(Replacement.UNICODE_ESCAPE_BRACED)
            .namedEscapes(true).escapeBackslash(true).build()),
        Arguments.of("oneLine", TextNeutralizer.builder().replacement(Replacement.UNICODE_ESCAPE_BRACED)
            .namedEscapes(true).lineBreaksAsSpace(true).build()),
        Arguments.of("questionMark+limit",
            TextNeutralizer.builder().replacement(Replacement.QUESTION_MARK).maxChars(MAX).build()),
        Arguments.of("drop", TextNeutralizer.builder().replacement(Replacement.DROP).build()),
        Arguments.of("drop+allowZwj", TextNeutralizer.builder().replacement(Replacement.DROP).allow(0x200c, 0x200d)
            .build()));
  }

  private static String randomText(Random r) {
    int n = r.nextInt(3 * MAX);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(10);
      if (pick < 4) {
        sb.appendCodePoint(NASTY[r.nextInt(NASTY.length)]);
      } else if (pick < 7) {
        sb.append((char) (0x20 + r.nextInt(0x5f)));
      } else if (pick < 9) {
        sb.append((char) r.nextInt(0x10000)); // any UTF-16 unit, lone surrogates included
      } else {
        sb.appendCodePoint(r.nextInt(Character.MAX_CODE_POINT + 1));
      }
    }
    return sb.toString();
  }

  /** C0, DEL, C1, the bidi controls and U+2028/U+2029: what no configuration may let through. */
  private static boolean forbidden(int cp) {
    return Character.isISOControl(cp)
        || cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(++i)))) {
        return true;
      }
      if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("neutralizers")
  void neutralize_seededRandomText_noControlBidiOrSeparatorAndBounded(String name, TextNeutralizer n) {
    Random r = new Random(0x5EC0_0001L + name.hashCode());
    for (int round = 0; round < 5_000; round++) {
      String in = randomText(r);
      String out = n.neutralize(in);
      String shown = in.codePoints().mapToObj(Integer::toHexString).toList().toString();
      assertTrue(out.codePoints().noneMatch(TextNeutralizerTest::forbidden), () -> name + " let through: " + shown);
      assertFalse(hasLoneSurrogate(out), () -> name + " left a lone surrogate: " + shown);
      // every input char becomes at most 10 output chars ("\\u{10ffff}"), plus the longest marker
      assertTrue(out.length() <= 10 * Math.min(in.length(), MAX) + 16 || !name.contains("limit"), () -> name + shown);
      assertTrue(out.length() <= 10 * in.length() + 16, () -> name + shown);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("neutralizers")
  void neutralize_plainAscii_identity(String name, TextNeutralizer n) {
    Random r = new Random(0xA5C11L);
    for (int round = 0; round < 2_000; round++) {
      int len = r.nextInt(name.contains("limit") ? MAX + 1 : 200);
      String in = IntStream.range(0, len).mapToObj(i -> String.valueOf((char) (0x20 + r.nextInt(0x5f))))
          .filter(c -> !c.equals("\\")).reduce("", String::concat);
      assertEquals(in, n.neutralize(in), name);
    }
  }

  @Test
  void standard_escapesControlsBidiAndSeparators() {
    assertEquals("a\\u001b[2Jb\\u202ec\\u2028d\\u0085", TextNeutralizer.standard().neutralize("a\u001b[2Jb\u202ec\u2028d\u0085"));
    assertEquals("\\ud800x\\udc00", TextNeutralizer.standard().neutralize("\ud800x\udc00"));
    assertEquals("😀 é \\", TextNeutralizer.standard().neutralize("😀 é \\"));
    assertEquals("", TextNeutralizer.standard().neutralize(null));
    assertEquals("tag \\udb40\\udc01", TextNeutralizer.standard().neutralize("tag \udb40\udc01"));
  }

  @Test
  void braced_namedEscapesAndBackslash() {
    TextNeutralizer n = TextNeutralizer.builder().replacement(Replacement.UNICODE_ESCAPE_BRACED).namedEscapes(true)
        .escapeBackslash(true).build();
    assertEquals("a\\tb\\nc\\rd\\\\e\\u{e0001}\\u001b", n.neutralize("a\tb\nc\rd\\e\udb40\udc01\u001b"));
  }

  @Test
  void lineBreaksAsSpace_breaksBecomeSpacesOtherControlsEscaped() {
    TextNeutralizer n = TextNeutralizer.builder().lineBreaksAsSpace(true).namedEscapes(true).build();
    assertEquals("one two  three\\t\\u0007", n.neutralize("one\ntwo\r\nthree\t\u0007"));
  }

  @Test
  void maxChars_cutsWithMarkerAndNeverSplitsASurrogatePair() {
    TextNeutralizer n = TextNeutralizer.builder().maxChars(4).build();
    assertEquals("abcd", n.neutralize("abcd"));
    assertEquals("abcd…", n.neutralize("abcde"));
    assertEquals("abc…", n.neutralize("abc😀"), "the pair straddling the limit is left out whole");
    TextNeutralizer withLength = TextNeutralizer.builder().maxChars(2).marker(Marker.ELLIPSIS_WITH_LENGTH).build();
    assertEquals("ab…(5 chars)", withLength.neutralize("abcde"));
  }

  @Test
  void questionMarkAndDrop_onePerCodePoint() {
    assertEquals("a?b?", TextNeutralizer.builder().replacement(Replacement.QUESTION_MARK).build()
        .neutralize("a\u202eb\udb40\udc01"));
    assertEquals("ab", TextNeutralizer.builder().replacement(Replacement.DROP).build().neutralize("a\u202e\u0000b"));
    assertEquals("👨\u200d👩", TextNeutralizer.builder().replacement(Replacement.DROP).allow(0x200d).build()
        .neutralize("👨\u200d👩\u202e"));
  }

  @Test
  void unsafeClasses_bidiOnlyLeavesOtherFormatCharacters() {
    TextNeutralizer n = TextNeutralizer.builder().unsafe(CharClass.CONTROL, CharClass.BIDI).build();
    assertEquals("\u200b\\u202e", n.neutralize("\u200b\u202e"));
    assertTrue(n.isUnsafe(0x1b));
    assertFalse(n.isUnsafe(0x2028));
    TextNeutralizer names = TextNeutralizer.builder().unsafe(CharClass.UNASSIGNED_OR_PRIVATE_USE)
        .replacement(Replacement.DROP).build();
    assertEquals("ok", names.neutralize("o\ue000k\u0378"));
  }

  @Test
  void builder_optionSetTwiceOrBadValue_rejected() {
    assertEquals("maxChars was already set to 3",
        assertThrows(IllegalStateException.class, () -> TextNeutralizer.builder().maxChars(3).maxChars(4)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> TextNeutralizer.builder().maxChars(0));
    assertThrows(IllegalArgumentException.class, () -> TextNeutralizer.builder().allow('\\'));
    assertThrows(IllegalArgumentException.class, () -> TextNeutralizer.builder().allow(-1));
    for (Runnable twice : List.<Runnable>of(
        () -> TextNeutralizer.builder().unsafe(CharClass.CONTROL).unsafe(CharClass.FORMAT),
        () -> TextNeutralizer.builder().allow(1).allow(2),
        () -> TextNeutralizer.builder().replacement(Replacement.DROP).replacement(Replacement.DROP),
        () -> TextNeutralizer.builder().escapeBackslash(true).escapeBackslash(false),
        () -> TextNeutralizer.builder().namedEscapes(true).namedEscapes(true),
        () -> TextNeutralizer.builder().lineBreaksAsSpace(true).lineBreaksAsSpace(true),
        () -> TextNeutralizer.builder().marker(Marker.ELLIPSIS).marker(Marker.ELLIPSIS))) {
      assertThrows(IllegalStateException.class, twice::run);
    }
    assertTrue(TextNeutralizer.builder().maxChars(9).build().toString().contains("maxChars=9"));
  }
}
