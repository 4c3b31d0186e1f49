package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.integrations.ThreadKey;
import java.time.Instant;

/**
 * Child-process entry point for {@link ConversationAttackTest}: floods a default in-memory tracker with {@code N}
 * new threads (what an attacker gets from N top-level Slack messages or Telegram non-replies), each opened by one
 * maximum-size message, in a JVM with a small heap. Prints {@code survived <threads>} or dies of OutOfMemoryError.
 */
public final class FloodChild {
  private FloodChild() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Instant t0 = Instant.parse("2026-10-01T08:00:00Z");
    try (ConversationTracker tracker = ConversationTracker.builder().build()) {
      for (int i = 0; i < n; i++) {
        // a distinct string per message, as the platform delivers them
        String text = (i + ":").repeat(Turn.MAX_TEXT_CHARS / 8) + "x";
        text = text.length() > Turn.MAX_TEXT_CHARS ? text.substring(0, Turn.MAX_TEXT_CHARS) : text;
        tracker.record(new ThreadKey("slack", "T1:C1", "1700000000." + i), Turn.user("mallory", text, t0));
      }
      System.out.println("survived " + tracker.threadCount());
    }
  }
}
