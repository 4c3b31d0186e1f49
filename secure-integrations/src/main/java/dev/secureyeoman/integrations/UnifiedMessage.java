package dev.secureyeoman.integrations;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A message received from a chat platform, in the same shape for every platform.
 *
 * <p>The {@link #thread()} key says which conversation the message belongs to: a reply lands in the thread of its
 * parent, so conversation context is kept per key. {@link #platform()} is the thread's platform, which is also the id
 * of the integration that received the message.
 *
 * <p>Message text is personal data: {@link #toString()} shows only its length.
 *
 * @param messageId the platform's id of this message (1–256 characters, no control characters)
 * @param thread the conversation thread; its scope is the chat or channel
 * @param sender who sent it
 * @param text the text, possibly empty (e.g. a photo without caption), at most {@value #MAX_TEXT_CHARS} characters
 * @param attachments declared attachments, at most {@value #MAX_ATTACHMENTS} (copied, unmodifiable)
 * @param replyTo the id of the message this one answers, if any
 * @param receivedAt when the platform says the message was sent (or when it was received, if the platform gives no time)
 */
public record UnifiedMessage(
    String messageId,
    ThreadKey thread,
    MessageSender sender,
    String text,
    List<MessageAttachment> attachments,
    Optional<String> replyTo,
    Instant receivedAt) {

  /** Maximum text length in characters (above every supported platform's own limit). */
  public static final int MAX_TEXT_CHARS = 65_536;

  /** Maximum number of attachments. */
  public static final int MAX_ATTACHMENTS = 32;

  /** Validates the fields and copies the attachment list. */
  public UnifiedMessage {
    Checks.token("messageId", messageId, 256);
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(sender, "sender");
    Checks.text("text", text, MAX_TEXT_CHARS);
    attachments = List.copyOf(Objects.requireNonNull(attachments, "attachments"));
    if (attachments.size() > MAX_ATTACHMENTS) {
      throw new IllegalArgumentException(
          "attachments must be at most " + MAX_ATTACHMENTS + ", got " + attachments.size());
    }
    Checks.optionalToken("replyTo", replyTo, 256);
    Objects.requireNonNull(receivedAt, "receivedAt");
  }

  /**
   * Starts a builder.
   *
   * @param thread the thread the message belongs to
   * @param messageId the platform's message id
   * @return a builder
   */
  public static Builder builder(ThreadKey thread, String messageId) {
    return new Builder(thread, messageId);
  }

  /**
   * Returns the platform (the integration id), the same as {@code thread().platform()}.
   *
   * @return the platform
   */
  public String platform() {
    return thread.platform();
  }

  /** Shows ids, thread, sender id and the text length; never the text. */
  @Override
  public String toString() {
    return "UnifiedMessage[messageId=" + messageId + ", thread=" + thread.canonical() + ", sender=" + sender.id()
        + (sender.bot() ? " (bot)" : "") + ", text=<" + text.length() + " chars>, attachments=" + attachments
        + ", replyTo=" + replyTo.orElse("none") + ", receivedAt=" + receivedAt + "]";
  }

  /** Builder for {@link UnifiedMessage}; validation happens in {@link #build()}. */
  public static final class Builder {
    private final ThreadKey thread;
    private final String messageId;
    private @Nullable MessageSender sender;
    private String text = "";
    private final List<MessageAttachment> attachments = new ArrayList<>();
    private @Nullable String replyTo;
    private @Nullable Instant receivedAt;

    private Builder(ThreadKey thread, String messageId) {
      this.thread = thread;
      this.messageId = messageId;
    }

    /**
     * Sets the sender (required).
     *
     * @param sender the sender
     * @return this builder
     */
    public Builder sender(MessageSender sender) {
      this.sender = sender;
      return this;
    }

    /**
     * Sets the text.
     *
     * @param text the text
     * @return this builder
     */
    public Builder text(String text) {
      this.text = text;
      return this;
    }

    /**
     * Adds an attachment.
     *
     * @param attachment the attachment
     * @return this builder
     */
    public Builder attachment(MessageAttachment attachment) {
      this.attachments.add(Objects.requireNonNull(attachment, "attachment"));
      return this;
    }

    /**
     * Sets the id of the message this one replies to.
     *
     * @param messageId the parent's id, or null
     * @return this builder
     */
    public Builder replyTo(@Nullable String messageId) {
      this.replyTo = messageId;
      return this;
    }

    /**
     * Sets the time of the message (required).
     *
     * @param at the time
     * @return this builder
     */
    public Builder receivedAt(Instant at) {
      this.receivedAt = at;
      return this;
    }

    /**
     * Builds the message.
     *
     * @return the validated message
     */
    public UnifiedMessage build() {
      return new UnifiedMessage(
          messageId,
          thread,
          Objects.requireNonNull(sender, "sender"),
          text,
          attachments,
          Optional.ofNullable(replyTo),
          Objects.requireNonNull(receivedAt, "receivedAt"));
    }
  }
}
