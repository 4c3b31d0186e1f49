package dev.secureyeoman.integrations.adapters.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Escapes outbound text per code point and splits it into parts no longer than a platform's limit (in UTF-16 units,
 * which is how Telegram, Discord and Slack count). Splits prefer the last line break, then the last space, and never
 * cut a surrogate pair or an escape sequence in half.
 */
public final class TextSplitter {
  private TextSplitter() {}

  /**
   * Escapes and splits.
   *
   * @param text the raw text
   * @param limit the most UTF-16 units per part (at least 16)
   * @param escape maps a code point to its escaped form (e.g. {@code <} → {@code &lt;})
   * @param maxParts the most parts allowed
   * @return the escaped parts, each non-blank and at most {@code limit} long
   * @throws IllegalArgumentException if more than {@code maxParts} parts would be needed
   */
  public static List<String> split(String text, int limit, IntFunction<String> escape, int maxParts) {
    if (limit < 16) {
      throw new IllegalArgumentException("limit must be >= 16, got " + limit);
    }
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      String piece = escape.apply(cp);
      while (cur.length() + piece.length() > limit) {
        // escapes never produce spaces or line breaks, so every break found is a boundary between two pieces
        int nl = cur.lastIndexOf("\n") + 1;
        int sp = cur.lastIndexOf(" ") + 1;
        int cut = nl > 0 ? nl : sp > 0 ? sp : cur.length();
        add(parts, cur.substring(0, cut), maxParts);
        cur.delete(0, cut);
      }
      cur.append(piece);
    }
    add(parts, cur.toString(), maxParts);
    return parts;
  }

  private static void add(List<String> parts, String part, int maxParts) {
    if (part.isBlank()) {
      return;
    }
    if (parts.size() == maxParts) {
      throw new IllegalArgumentException("text needs more than " + maxParts + " messages");
    }
    parts.add(part);
  }
}
