package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.integrations.ThreadKey;
import java.util.List;
import java.util.Objects;

/**
 * The context window of one thread, oldest turn first: what an {@link AiResponder} sees. Immutable; a snapshot that
 * later turns do not change.
 *
 * @param thread the thread this context belongs to
 * @param turns the window, oldest first; when handed to a responder the last turn is the message to answer
 * @param approxTokens the estimated token count of {@code turns}
 */
public record ConversationContext(ThreadKey thread, List<Turn> turns, int approxTokens) {

  /**
   * Copies the turns.
   *
   * @param thread the thread
   * @param turns the turns
   * @param approxTokens estimated tokens, ≥ 0
   */
  public ConversationContext {
    Objects.requireNonNull(thread, "thread");
    turns = List.copyOf(turns);
    if (approxTokens < 0) {
      throw new IllegalArgumentException("approxTokens must be >= 0");
    }
  }

  /**
   * Returns whether the window is empty (a new or expired thread).
   *
   * @return whether there are no turns
   */
  public boolean isEmpty() {
    return turns.isEmpty();
  }

  /**
   * Returns the newest turn.
   *
   * @return the last turn
   * @throws IllegalStateException if the context is empty
   */
  public Turn latest() {
    if (turns.isEmpty()) {
      throw new IllegalStateException("context of " + thread.canonical() + " is empty");
    }
    return turns.get(turns.size() - 1);
  }

  /**
   * Returns the turns before the newest one (the history the newest message continues).
   *
   * @return the earlier turns, oldest first
   */
  public List<Turn> history() {
    return turns.isEmpty() ? List.of() : turns.subList(0, turns.size() - 1);
  }

  @Override
  public String toString() {
    return "ConversationContext[" + thread.canonical() + ", " + turns.size() + " turns, ~" + approxTokens + " tokens]";
  }
}
