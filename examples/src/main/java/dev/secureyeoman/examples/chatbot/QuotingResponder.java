package dev.secureyeoman.examples.chatbot;

import dev.secureyeoman.integrations.conversation.AiResponder;
import dev.secureyeoman.integrations.conversation.ConversationContext;
import dev.secureyeoman.integrations.conversation.Turn;
import java.util.List;
import java.util.Optional;

/**
 * A local stand-in for a language model: it answers by quoting what it was given — the newest turn and the earlier
 * turns of the same thread — so the example shows exactly which context reached "the AI".
 */
public final class QuotingResponder implements AiResponder {

  /** Creates the responder. */
  public QuotingResponder() {}

  @Override
  public Optional<String> respond(ConversationContext context) {
    List<Turn> history = context.history();
    StringBuilder sb = new StringBuilder("You said: \"").append(first(context.latest().text())).append('"');
    if (history.isEmpty()) {
      sb.append(" (new thread)");
    } else {
      sb.append(" (earlier in this thread: ");
      for (int i = 0; i < history.size(); i++) {
        sb.append(i == 0 ? "" : " | ").append(history.get(i).role().name().toLowerCase(java.util.Locale.ROOT))
            .append(": \"").append(first(history.get(i).text())).append('"');
      }
      sb.append(')');
    }
    return Optional.of(sb.toString());
  }

  private static String first(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() > 60 ? line.substring(0, 60) + "…" : line;
  }
}
