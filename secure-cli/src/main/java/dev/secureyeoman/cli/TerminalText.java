package dev.secureyeoman.cli;

/**
 * Makes untrusted text safe to print on a terminal. Audit entries, file names, YAML keys and error messages can carry
 * escape sequences (ESC [ 2 J clears the screen, OSC 8 fakes links, a bidi override reorders what a reviewer reads),
 * so everything the CLI prints from data goes through here: control characters (C0, DEL, C1), Unicode format
 * characters (bidi overrides and isolates, zero-width characters) and line or paragraph separators become visible
 * escapes such as {@code \u001b}.
 */
final class TerminalText {
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
    StringBuilder sb = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c != '\n' && dangerous(c)) { // a raw newline only separates JSON lines; inside strings it is escaped
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean dangerous(int cp) {
    int type = Character.getType(cp);
    return Character.isISOControl(cp)
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static String escape(String s, boolean lineBreaksAsSpace) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              if (lineBreaksAsSpace && (cp == '\n' || cp == '\r')) {
                sb.append(' ');
              } else if (cp == '\\' && !lineBreaksAsSpace) {
                sb.append("\\\\");
              } else if (cp == '\n') {
                sb.append("\\n");
              } else if (cp == '\r') {
                sb.append("\\r");
              } else if (cp == '\t') {
                sb.append("\\t");
              } else if (dangerous(cp)) {
                sb.append(cp > 0xFFFF ? String.format("\\u{%x}", cp) : String.format("\\u%04x", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    return sb.toString();
  }
}
