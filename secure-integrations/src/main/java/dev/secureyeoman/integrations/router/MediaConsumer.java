package dev.secureyeoman.integrations.router;

import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.media.MediaHandle;

/**
 * Sees each accepted attachment while its checked, scanned file exists (e.g. to hand an image to a vision model); the
 * router deletes the file right after the message is processed.
 */
@FunctionalInterface
public interface MediaConsumer {

  /**
   * Called once per accepted attachment, before the AI is asked.
   *
   * @param message the message the attachment came with
   * @param handle the checked file (do not close it; the router does)
   * @throws Exception if consuming failed (logged; the message is still answered)
   */
  void accept(UnifiedMessage message, MediaHandle handle) throws Exception;
}
