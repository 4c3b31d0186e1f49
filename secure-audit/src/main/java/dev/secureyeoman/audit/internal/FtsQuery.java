package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns user text into an FTS5 query that matches every whitespace-separated word literally. */
public final class FtsQuery {
  /** Longest accepted search text. */
  public static final int MAX_CHARS = AuditReader.MAX_SEARCH_CHARS;

  /** Most words accepted in one search text. */
  public static final int MAX_TERMS = AuditReader.MAX_SEARCH_WORDS;

  /**
   * What separates words: Java whitespace, Unicode space separators (U+00A0, U+3000 …), line and paragraph
   * separators and U+0085 — what FTS5's unicode61 tokenizer also splits on, so words it would split are never joined
   * into one phrase (which narrowed a search) and all count towards {@link #MAX_TERMS} (red team attack18f).
   */
  private static final Pattern SEPARATORS = Pattern.compile("[\\s\\p{Z}\\u0085\\u001C-\\u001F]+");

  private FtsQuery() {}

  /**
   * Splits user text into the words both engines search for: split on any Unicode whitespace or space separator,
   * U+0000 removed, empty words dropped.
   * Text with more words than {@link #MAX_TERMS} is refused rather than cut: a search that silently ignored a word
   * would return entries that do not contain it.
   *
   * @param text user input
   * @return the words, possibly none
   * @throws IllegalArgumentException if the text is longer than {@link #MAX_CHARS} or has more than {@link #MAX_TERMS}
   *     words
   */
  public static List<String> words(String text) {
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException("search text must be at most " + MAX_CHARS + " chars, got " + text.length());
    }
    List<String> words = new ArrayList<>();
    for (String word : SEPARATORS.split(text)) {
      String w = word.replace("\u0000", "");
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    if (words.size() > MAX_TERMS) {
      throw new IllegalArgumentException(
          "search text must have at most " + MAX_TERMS + " words, got " + words.size());
    }
    return words;
  }

  /**
   * Escapes user text: every word becomes an FTS5 string ({@code "..."} with inner quotes doubled), so operators
   * ({@code OR}, {@code NEAR(}, {@code *}, {@code ^}, column filters) are just text. Words are ANDed.
   *
   * @param text user input
   * @return the FTS5 query, or an empty string if there is nothing to search for
   * @throws IllegalArgumentException as {@link #words(String)}
   */
  public static String escape(String text) {
    StringBuilder sb = new StringBuilder();
    for (String w : words(text)) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append('"').append(w.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }
}
