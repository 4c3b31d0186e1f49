package dev.secureyeoman.integrations.adapters;

import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.media.MediaRequest;

/**
 * Turns an attachment an adapter declared into a request for the {@link dev.secureyeoman.integrations.media.MediaHandler}:
 * a Telegram {@code file_id} through {@code getFile}, a Slack {@code url_private_download} with the bot token as bearer, a
 * Discord CDN URL as it is. The handler then enforces the media policy (hosts, size, type, scan) on the result.
 */
@FunctionalInterface
public interface MediaResolver {

  /**
   * Resolves one attachment.
   *
   * @param attachment the declared attachment (from a message of this resolver's platform)
   * @return the download request
   * @throws IntegrationException if the platform could not resolve it (unknown file, adapter not running)
   * @throws InterruptedException if interrupted while calling the platform
   */
  MediaRequest resolve(MessageAttachment attachment) throws IntegrationException, InterruptedException;
}
