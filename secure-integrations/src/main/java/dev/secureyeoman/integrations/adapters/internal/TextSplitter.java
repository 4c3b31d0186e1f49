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
    int lastNewline = -1;
    int lastSpace = -1;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      String piece = escape.apply(cp);
      if (cur.length() + piece.length() > limit) {
        int cut = lastNewline > 0 ? lastNewline : lastSpace > 0 ? lastSpace : cur.length();
        add(parts, cur.substring(0, cut), maxParts);
        String rest = cur.substring(cut);
        cur.setLength(0);
        cur.append(rest);
        lastNewline = -1;
        lastSpace = -1;
      }
      cur.append(piece);
      if (cp == '\n') {
        lastNewline = cur.length();
      } else if (cp == ' ') {
        lastSpace = cur.length();
      }
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
