package dev.secureyeoman.core;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Neutralizes untrusted text before it reaches a terminal, a log line, an audit entry or an error message: control
 * characters ({@code ESC [ 2 J} clears a screen, OSC 8 fakes a link), bidi controls (U+202E reorders what a reviewer
 * reads), line separators (a forged second log line) and lone surrogates are escaped, replaced or dropped, and long text
 * is cut with a marker.
 *
 * <pre>{@code
 * TextNeutralizer.standard().neutralize("evil\u001b[2Jname")   // "evil\\u001b[2Jname"
 * TextNeutralizer.builder().replacement(Replacement.QUESTION_MARK).maxChars(64).build().neutralize(fieldName)
 * }</pre>
 *
 * <p>Security guarantee: the output contains no character of the configured {@link CharClass}es (by default C0 and C1
 * controls and DEL, every Unicode format character including the bidi controls, U+2028/U+2029 and lone surrogates),
 * except code points {@linkplain Builder#allow allowed} explicitly; with {@link Builder#maxChars} it holds at most
 * {@code maxChars} input characters (a surrogate pair is never cut in half) plus the marker. Printable ASCII other than
 * the backslash is always returned unchanged, so plain text stays readable.
 *
 * <p>Non-goals: this is not HTML, SQL or shell escaping, and it does not normalize confusable characters (homoglyphs).
 * Instances are immutable and thread-safe.
 */
public final class TextNeutralizer {

  /** Classes of characters that a neutralizer treats as unsafe. */
  public enum CharClass {
    /** C0 controls (U+0000–U+001F, including tab and line breaks), DEL and C1 controls (U+0080–U+009F). */
    CONTROL,
    /** The explicit bidi controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 (a subset of {@link #FORMAT}). */
    BIDI,
    /** Every Unicode format character (general category Cf): bidi controls, zero-width characters, tags. */
    FORMAT,
    /** U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR. */
    LINE_SEPARATOR,
    /** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
    LONE_SURROGATE,
    /** Unassigned code points and private-use characters (nothing a reader can rely on seeing). */
    UNASSIGNED_OR_PRIVATE_USE
  }

  /** What an unsafe character becomes. */
  public enum Replacement {
    /** {@code \\uXXXX} per UTF-16 unit, as in JSON and Java source. */
    UNICODE_ESCAPE,
    /** {@code \\uXXXX}, or {@code \\u{X…}} for a code point beyond the BMP: one visible escape per character. */
    UNICODE_ESCAPE_BRACED,
    /** One {@code ?} per character. */
    QUESTION_MARK,
    /** Removed. */
    DROP
  }

  /** What is appended when text was cut at {@link Builder#maxChars}. */
  public enum Marker {
    /** {@code …} (U+2026). */
    ELLIPSIS,
    /** {@code …(N chars)}, N being the length of the whole input. */
    ELLIPSIS_WITH_LENGTH
  }

  private static final Set<CharClass> DEFAULT_CLASSES =
      EnumSet.of(CharClass.CONTROL, CharClass.FORMAT, CharClass.LINE_SEPARATOR, CharClass.LONE_SURROGATE);
  private static final TextNeutralizer STANDARD = builder().build();

  private final Set<CharClass> unsafe;
  private final int[] allowed;
  private final Replacement replacement;
  private final boolean escapeBackslash;
  private final boolean namedEscapes;
  private final boolean lineBreaksAsSpace;
  private final int maxChars;
  private final Marker marker;

  private TextNeutralizer(Builder b) {
    this.unsafe = b.unsafe == null ? DEFAULT_CLASSES : b.unsafe;
    this.allowed = b.allowed == null ? new int[0] : b.allowed;
    this.replacement = b.replacement == null ? Replacement.UNICODE_ESCAPE : b.replacement;
    this.escapeBackslash = Boolean.TRUE.equals(b.escapeBackslash);
    this.namedEscapes = Boolean.TRUE.equals(b.namedEscapes);
    this.lineBreaksAsSpace = Boolean.TRUE.equals(b.lineBreaksAsSpace);
    this.maxChars = b.maxChars == null ? Integer.MAX_VALUE : b.maxChars;
    this.marker = b.marker == null ? Marker.ELLIPSIS : b.marker;
  }

  /**
   * The standard neutralizer: the default character classes escaped as {@code \\uXXXX}, no length limit.
   *
   * @return the shared standard instance
   */
  public static TextNeutralizer standard() {
    return STANDARD;
  }

  /**
   * A builder starting from the standard settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Neutralizes {@code text}.
   *
   * @param text untrusted text; {@code null} gives the empty string
   * @return the neutralized text
   */
  public String neutralize(CharSequence text) {
    if (text == null) {
      return "";
    }
    int length = text.length();
    int end = Math.min(length, maxChars);
    if (end < length && end > 0 && Character.isHighSurrogate(text.charAt(end - 1))
        && Character.isLowSurrogate(text.charAt(end))) {
      end--; // never cut a surrogate pair in half
    }
    StringBuilder sb = new StringBuilder(end + 16);
    for (int i = 0; i < end; ) {
      char c = text.charAt(i);
      int cp;
      int width;
      if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
        cp = Character.toCodePoint(c, text.charAt(i + 1));
        width = 2;
      } else {
        cp = c;
        width = 1;
      }
      i += width;
      append(sb, cp);
    }
    if (end < length) {
      sb.append('…');
      if (marker == Marker.ELLIPSIS_WITH_LENGTH) {
        sb.append('(').append(length).append(" chars)");
      }
    }
    return sb.toString();
  }

  private void append(StringBuilder sb, int cp) {
    if (cp == '\\') {
      sb.append(escapeBackslash ? "\\\\" : "\\");
      return;
    }
    if (isAllowed(cp)) {
      sb.appendCodePoint(cp);
      return;
    }
    if (lineBreaksAsSpace && (cp == '\n' || cp == '\r')) {
      sb.append(' ');
      return;
    }
    if (!isUnsafe(cp)) {
      sb.appendCodePoint(cp);
      return;
    }
    if (namedEscapes && (cp == '\n' || cp == '\r' || cp == '\t')) {
      sb.append(cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : "\\t");
      return;
    }
    switch (replacement) {
      case UNICODE_ESCAPE -> {
        for (char unit : Character.toChars(cp)) {
          hex4(sb, unit);
        }
      }
      case UNICODE_ESCAPE_BRACED -> {
        if (Character.isBmpCodePoint(cp)) {
          hex4(sb, cp);
        } else {
          sb.append("\\u{").append(Integer.toHexString(cp)).append('}');
        }
      }
      case QUESTION_MARK -> sb.append('?');
      case DROP -> {
        // removed
      }
    }
  }

  private static void hex4(StringBuilder sb, int unit) {
    String hex = Integer.toHexString(unit);
    sb.append("\\u");
    for (int pad = hex.length(); pad < 4; pad++) {
      sb.append('0');
    }
    sb.append(hex);
  }

  private boolean isAllowed(int cp) {
    for (int a : allowed) {
      if (a == cp) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this neutralizer treats the code point {@code cp} as unsafe (a lone surrogate when {@code cp} is a
   * surrogate code unit).
   *
   * @param cp a code point
   * @return whether it is escaped, replaced or dropped
   */
  public boolean isUnsafe(int cp) {
    if (isAllowed(cp)) {
      return false;
    }
    int type = Character.getType(cp);
    return (unsafe.contains(CharClass.CONTROL) && Character.isISOControl(cp))
        || (unsafe.contains(CharClass.FORMAT) && type == Character.FORMAT)
        || (unsafe.contains(CharClass.BIDI) && isBidiControl(cp))
        || (unsafe.contains(CharClass.LINE_SEPARATOR)
            && (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR))
        || (unsafe.contains(CharClass.LONE_SURROGATE) && type == Character.SURROGATE)
        || (unsafe.contains(CharClass.UNASSIGNED_OR_PRIVATE_USE)
            && (type == Character.UNASSIGNED || type == Character.PRIVATE_USE));
  }

  private static boolean isBidiControl(int cp) {
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e)
        || (cp >= 0x2066 && cp <= 0x2069);
  }

  @Override
  public String toString() {
    return "TextNeutralizer[unsafe=" + unsafe + ", allowed=" + Arrays.toString(allowed) + ", replacement=" + replacement
        + (maxChars == Integer.MAX_VALUE ? "" : ", maxChars=" + maxChars + ", marker=" + marker) + "]";
  }

  /**
   * Builds a {@link TextNeutralizer}. Each option may be set once ({@link IllegalStateException} otherwise); unset
   * options keep the {@linkplain #standard() standard} value.
   */
  public static final class Builder {
    private Set<CharClass> unsafe;
    private int[] allowed;
    private Replacement replacement;
    private Boolean escapeBackslash;
    private Boolean namedEscapes;
    private Boolean lineBreaksAsSpace;
    private Integer maxChars;
    private Marker marker;

    private Builder() {}

    private static void once(Object previous, String option) {
      if (previous != null) {
        throw new IllegalStateException(option + " was already set to " + previous);
      }
    }

    /**
     * Sets the unsafe character classes (default: CONTROL, FORMAT, LINE_SEPARATOR, LONE_SURROGATE).
     *
     * @param first a class
     * @param more more classes
     * @return this builder
     */
    public Builder unsafe(CharClass first, CharClass... more) {
      once(unsafe, "unsafe");
      Objects.requireNonNull(first, "first");
      EnumSet<CharClass> set = EnumSet.of(first, more);
      unsafe = set;
      return this;
    }

    /**
     * Lets these code points through although their class is unsafe (e.g. ZWJ U+200D inside emoji, or {@code '\n'}
     * separating JSON lines).
     *
     * @param codePoints the code points
     * @return this builder
     */
    public Builder allow(int... codePoints) {
      once(allowed == null ? null : Arrays.toString(allowed), "allow");
      for (int cp : codePoints) {
        if (!Character.isValidCodePoint(cp) || cp == '\\') {
          throw new IllegalArgumentException("allow: not an allowable code point: " + cp);
        }
      }
      allowed = codePoints.clone();
      return this;
    }

    /**
     * Sets what an unsafe character becomes (default {@link Replacement#UNICODE_ESCAPE}).
     *
     * @param value the replacement
     * @return this builder
     */
    public Builder replacement(Replacement value) {
      once(replacement, "replacement");
      replacement = Objects.requireNonNull(value, "replacement");
      return this;
    }

    /**
     * Doubles every backslash (default off), so that escapes in the output are unambiguous.
     *
     * @param value whether to double backslashes
     * @return this builder
     */
    public Builder escapeBackslash(boolean value) {
      once(escapeBackslash, "escapeBackslash");
      escapeBackslash = value;
      return this;
    }

    /**
     * Writes unsafe tab, line feed and carriage return as {@code \t}, {@code \n}, {@code \r} (default off).
     *
     * @param value whether to use the short escapes
     * @return this builder
     */
    public Builder namedEscapes(boolean value) {
      once(namedEscapes, "namedEscapes");
      namedEscapes = value;
      return this;
    }

    /**
     * Turns line feed and carriage return into a space (default off): for one-line messages.
     *
     * @param value whether line breaks become spaces
     * @return this builder
     */
    public Builder lineBreaksAsSpace(boolean value) {
      once(lineBreaksAsSpace, "lineBreaksAsSpace");
      lineBreaksAsSpace = value;
      return this;
    }

    /**
     * Keeps at most {@code value} input characters (one fewer rather than half a surrogate pair) and appends the
     * {@linkplain #marker marker} when text was cut (default: no limit).
     *
     * @param value at least 1
     * @return this builder
     */
    public Builder maxChars(int value) {
      once(maxChars, "maxChars");
      if (value < 1) {
        throw new IllegalArgumentException("maxChars must be at least 1, was " + value);
      }
      maxChars = value;
      return this;
    }

    /**
     * Sets what marks cut text (default {@link Marker#ELLIPSIS}).
     *
     * @param value the marker
     * @return this builder
     */
    public Builder marker(Marker value) {
      once(marker, "marker");
      marker = Objects.requireNonNull(value, "marker");
      return this;
    }

    /**
     * Builds the neutralizer.
     *
     * @return an immutable neutralizer
     */
    public TextNeutralizer build() {
      return new TextNeutralizer(this);
    }
  }
}
