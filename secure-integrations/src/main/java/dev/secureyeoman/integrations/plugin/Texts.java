package dev.secureyeoman.integrations.plugin;

/** Makes untrusted text (plugin exception messages, file names) safe for one-line messages and audit entries. */
final class Texts {
  private Texts() {}

  /** Replaces control characters with {@code ?} and cuts to {@code max} characters (marking the cut). */
  static String oneLine(String s, int max) {
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
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return sb.toString();
  }

  /** Describes a throwable thrown by plugin code: its class name and (sanitised) message. */
  static String describe(Throwable t) {
    String msg = t.getMessage();
    return t.getClass().getName() + (msg == null || msg.isBlank() ? "" : ": " + oneLine(msg, 300));
  }
}
