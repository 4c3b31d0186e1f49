package dev.secureyeoman.cli;

import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.CharClass;
import dev.secureyeoman.core.TextNeutralizer.Replacement;

/**
 * Makes untrusted text safe to print on a terminal. Audit entries, file names, YAML keys and error messages can carry
 * escape sequences (ESC [ 2 J clears the screen, OSC 8 fakes links, a bidi override reorders what a reviewer reads),
 * so everything the CLI prints from data goes through here: control characters (C0, DEL, C1), Unicode format
 * characters (bidi overrides and isolates, zero-width characters) and line or paragraph separators become visible
 * escapes such as {@code \u001b}.
 */
final class TerminalText {
  /** Tab-separated fields: tab and line breaks escaped too, backslash doubled. */
  private static final TextNeutralizer FIELD = TextNeutralizer.builder()
      .replacement(Replacement.UNICODE_ESCAPE_BRACED).namedEscapes(true).escapeBackslash(true).build();
  /** Message lines: line breaks become spaces. */
  private static final TextNeutralizer ONE_LINE = TextNeutralizer.builder()
      .replacement(Replacement.UNICODE_ESCAPE_BRACED).namedEscapes(true).lineBreaksAsSpace(true).build();
  /** SDK JSON: a raw newline separates JSON lines (inside strings it is already escaped); surrogates kept as they are. */
  private static final TextNeutralizer JSON = TextNeutralizer.builder()
      .unsafe(CharClass.CONTROL, CharClass.FORMAT, CharClass.LINE_SEPARATOR).allow('\n').build();

  private TerminalText() {}

  /**
   * A field of a tab-separated listing: every control and format character is escaped, including tab and newline
   * (which would break the columns), and the backslash itself, so the output is unambiguous.
   *
   * @param s the untrusted text (null prints as empty)
   * @return printable text without control characters
   */
  static String field(String s) {
    return escape(s, false);
  }

  /**
   * One line of a message: line breaks become spaces, other control and format characters are escaped.
   *
   * @param s the untrusted text (null prints as empty)
   * @return one printable line
   */
  static String oneLine(String s) {
    return escape(s, true).strip();
  }

  /**
   * JSON text produced by the SDK (control characters below U+0020 are already escaped), with the characters JSON
   * allows raw but a terminal interprets — DEL, C1 controls, format and separator characters — escaped as {@code \\uXXXX}
   * too. The result is equivalent JSON.
   *
   * @param json a JSON document
   * @return the same JSON, terminal-safe
   */
  static String json(String json) {
    return JSON.neutralize(json);
  }

  private static String escape(String s, boolean lineBreaksAsSpace) {
    return (lineBreaksAsSpace ? ONE_LINE : FIELD).neutralize(s);
  }
}
