package dev.secureyeoman.integrations;

/**
 * What the platform answered to a sent message.
 *
 * @param messageId the platform's id of the new message (1–256 characters, no control characters); replies to it
 *     land in the same thread
 */
public record SendReceipt(String messageId) {

  /** Validates the id. */
  public SendReceipt {
    Checks.token("messageId", messageId, 256);
  }
}
