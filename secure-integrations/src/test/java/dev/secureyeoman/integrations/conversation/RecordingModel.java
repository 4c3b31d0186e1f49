package dev.secureyeoman.integrations.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for a chat model: {@link #respond} turns the context into the model input a chat-completions API takes
 * (one {@code {role, content}} message per turn, oldest first, after a system prompt), records that input, and answers
 * with a reply that quotes how many messages it saw. Tests assert on the recorded input itself.
 */
final class RecordingModel implements AiResponder {
  /** One message of the model input. */
  record Message(String role, String content) {}

  private final List<List<Message>> inputs = new ArrayList<>();

  static List<Message> modelInput(ConversationContext context) {
    List<Message> input = new ArrayList<>();
    input.add(new Message("system", "You are a helpful bot."));
    for (Turn t : context.turns()) {
      input.add(new Message(t.role() == Turn.Role.USER ? "user" : "assistant",
          t.role() == Turn.Role.USER ? t.author() + ": " + t.text() : t.text()));
    }
    return input;
  }

  @Override
  public synchronized Optional<String> respond(ConversationContext context) {
    List<Message> input = modelInput(context);
    inputs.add(input);
    return Optional.of("reply to '" + context.latest().text() + "' after " + (input.size() - 2) + " earlier");
  }

  synchronized List<Message> lastInput() {
    return inputs.get(inputs.size() - 1);
  }

  synchronized int calls() {
    return inputs.size();
  }
}
