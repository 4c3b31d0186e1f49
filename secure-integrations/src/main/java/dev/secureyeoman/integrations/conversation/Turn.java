package dev.secureyeoman.integrations.conversation;

import java.time.Instant;
import java.util.Objects;

/**
 * One message in a conversation thread: who said it, what, and when.
 *
 * <p>{@link #toString()} shows the role, the author's length and the text's length, never the text or the author
 * (conversation text is personal data and must stay out of logs).
 *
 * @param role who spoke
 * @param author the platform's sender id or display name (for {@link Role#ASSISTANT}, the bot's name)
 * @param text the message text (1..{@value #MAX_TEXT_CHARS} characters; longer text must be split or truncated by the
 *     caller)
 * @param at when the platform says it was sent
 */
public record Turn(Role role, String author, String text, Instant at) {

  /** Largest accepted text, in chars (above every platform's message limit: Slack allows 40 000). */
  public static final int MAX_TEXT_CHARS = 40_000;

  /** Who spoke. */
  public enum Role {
    /** A human on the platform. */
    USER,
    /** The bot (the AI's earlier replies). */
    ASSISTANT
  }

  /**
   * Validates the fields.
   *
   * @param role who spoke
   * @param author 1..256 characters
   * @param text 1..{@value #MAX_TEXT_CHARS} characters
   * @param at the time
   */
  public Turn {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(at, "at");
    if (author.isEmpty() || author.length() > 256) {
      throw new IllegalArgumentException("author must be 1-256 characters, got " + author.length());
    }
    if (text.isEmpty() || text.length() > MAX_TEXT_CHARS) {
      throw new IllegalArgumentException("text must be 1-" + MAX_TEXT_CHARS + " characters, got " + text.length());
    }
  }

  /**
   * A user turn.
   *
   * @param author the sender
   * @param text the text
   * @param at when it was sent
   * @return the turn
   */
  public static Turn user(String author, String text, Instant at) {
    return new Turn(Role.USER, author, text, at);
  }

  /**
   * An assistant turn.
   *
   * @param author the bot's name
   * @param text the reply
   * @param at when it was sent
   * @return the turn
   */
  public static Turn assistant(String author, String text, Instant at) {
    return new Turn(Role.ASSISTANT, author, text, at);
  }

  @Override
  public String toString() {
    return "Turn[" + role + ", " + at + ", author ██(" + author.length() + "), text ██(" + text.length() + ")]";
  }
}
