package dev.secureyeoman.audit.internal;

/** Turns user text into an FTS5 query that matches every whitespace-separated word literally. */
public final class FtsQuery {
  /** Longest accepted search text. */
  public static final int MAX_CHARS = 1000;

  /** At most this many words are used. */
  public static final int MAX_TERMS = 32;

  private FtsQuery() {}

  /**
   * Escapes user text: every word becomes an FTS5 string ({@code "..."} with inner quotes doubled), so operators
   * ({@code OR}, {@code NEAR(}, {@code *}, {@code ^}, column filters) are just text. Words are ANDed.
   *
   * @param text user input
   * @return the FTS5 query, or an empty string if there is nothing to search for
   */
  public static String escape(String text) {
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException("search text must be at most " + MAX_CHARS + " chars, got " + text.length());
    }
    StringBuilder sb = new StringBuilder();
    int terms = 0;
    for (String word : text.strip().split("\\s+")) {
      String w = word.replace("\u0000", "");
      if (w.isEmpty() || terms == MAX_TERMS) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append('"').append(w.replace("\"", "\"\"")).append('"');
      terms++;
    }
    return sb.toString();
  }
}
