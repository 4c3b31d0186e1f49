package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.Replacement;

/** Makes untrusted text (plugin exception messages, file names) safe for one-line messages and audit entries. */
final class Texts {
  private Texts() {}

  /** Replaces control, format and separator characters with {@code ?} and cuts to {@code max} characters (marking the cut). */
  static String oneLine(String s, int max) {
    return TextNeutralizer.builder().replacement(Replacement.QUESTION_MARK).maxChars(max).build().neutralize(s);
  }

  /**
   * Like {@link #oneLine} and also replaces whitespace, for one space-separated field of a line that tools parse (a
   * file name must not forge the fields after it, e.g. {@code "x.jar echo 1.0 <sha> LOADED .jar"}).
   */
  static String field(String s, int max) {
    return oneLine(s, max).replaceAll("\\s", "?");
  }

  /** Describes a throwable thrown by plugin code: its class name and (sanitised) message. */
  static String describe(Throwable t) {
    String msg = t.getMessage();
    return t.getClass().getName() + (msg == null || msg.isBlank() ? "" : ": " + oneLine(msg, 300));
  }
}
