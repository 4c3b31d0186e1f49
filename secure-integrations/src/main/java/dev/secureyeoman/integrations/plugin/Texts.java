package dev.secureyeoman.integrations.plugin;

import org.jspecify.annotations.Nullable;

/** Makes untrusted text (plugin exception messages, file names) safe for one-line messages and audit entries. */
final class Texts {
  private Texts() {}

  /** Replaces control characters with {@code ?} and cuts to {@code max} characters (marking the cut). */
  static String oneLine(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 1));
    for (int i = 0; i < s.length(); i++) {
      if (sb.length() >= max) {
        sb.append('…');
        break;
      }
      char c = s.charAt(i);
      sb.append(isUnsafe(c) ? '?' : c);
    }
    return sb.toString();
  }

  /**
   * Like {@link #oneLine} and also replaces whitespace, for one space-separated field of a line that tools parse (a
   * file name must not forge the fields after it, e.g. {@code "x.jar echo 1.0 <sha> LOADED .jar"}).
   */
  static String field(String s, int max) {
    return oneLine(s, max).replaceAll("\\s", "?");
  }

  /** Control characters, and format/separator characters that reorder or break a line on a terminal (U+202E). */
  private static boolean isUnsafe(char c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** Describes a throwable thrown by plugin code: its class name and (sanitised) message. */
  static String describe(Throwable t) {
    String msg = t.getMessage();
    return t.getClass().getName() + (msg == null || msg.isBlank() ? "" : ": " + oneLine(msg, 300));
  }
}
