package dev.secureyeoman.integrations.conversation;

import java.io.IOException;
import java.util.Optional;

/**
 * Produces the bot's reply from a thread's context: the model call. The message router records the inbound turn, asks
 * {@link ConversationTracker#exchange(dev.secureyeoman.integrations.ThreadKey, Turn, AiResponder)}, which hands the
 * responder the window of <em>that</em> thread only, records the reply as an assistant turn and returns it for sending
 * back into the same thread.
 *
 * <p>Implementations turn {@link ConversationContext#turns()} into the model's input (for chat models: one message per
 * turn, {@link Turn.Role#USER} → {@code user}, {@link Turn.Role#ASSISTANT} → {@code assistant}). They must be
 * thread-safe: the tracker calls them for different threads concurrently, never for one thread concurrently.
 */
@FunctionalInterface
public interface AiResponder {

  /**
   * Answers the latest turn of the context.
   *
   * @param context the thread's window; its last turn is the message to answer
   * @return the reply text, or empty to stay silent
   * @throws IOException if the model could not be reached
   * @throws InterruptedException if interrupted while waiting for the model
   */
  Optional<String> respond(ConversationContext context) throws IOException, InterruptedException;
}
