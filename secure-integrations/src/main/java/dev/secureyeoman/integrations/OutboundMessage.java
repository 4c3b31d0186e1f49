package dev.secureyeoman.integrations;

import java.util.Objects;
import java.util.Optional;

/**
 * A message to send into a thread: the integration maps the {@link ThreadKey} back to the platform's chat and thread
 * (Telegram {@code message_thread_id} / reply chain, Discord thread channel, Slack {@code thread_ts}).
 *
 * <p>Text is personal data: {@link #toString()} shows only its length.
 *
 * @param thread where to send; its platform selects the integration
 * @param text the text, 1–{@value UnifiedMessage#MAX_TEXT_CHARS} characters (the integration splits or refuses what its
 *     platform cannot take)
 * @param replyTo the id of the message to answer, if any
 */
public record OutboundMessage(ThreadKey thread, String text, Optional<String> replyTo) {

  /** Validates the fields. */
  public OutboundMessage {
    Objects.requireNonNull(thread, "thread");
    Checks.text("text", text, UnifiedMessage.MAX_TEXT_CHARS);
    if (text.isEmpty()) {
      throw new IllegalArgumentException("text must not be empty");
    }
    Checks.optionalToken("replyTo", replyTo, 256);
  }

  /**
   * A message into a thread, answering no particular message.
   *
   * @param thread the thread
   * @param text the text
   * @return the message
   */
  public static OutboundMessage to(ThreadKey thread, String text) {
    return new OutboundMessage(thread, text, Optional.empty());
  }

  /**
   * A reply to an inbound message, in its thread.
   *
   * @param inbound the message to answer
   * @param text the text
   * @return the message
   */
  public static OutboundMessage replyTo(UnifiedMessage inbound, String text) {
    return new OutboundMessage(inbound.thread(), text, Optional.of(inbound.messageId()));
  }

  /** Shows the thread and the text length; never the text. */
  @Override
  public String toString() {
    return "OutboundMessage[thread=" + thread.canonical() + ", text=<" + text.length() + " chars>, replyTo="
        + replyTo.orElse("none") + "]";
  }
}
