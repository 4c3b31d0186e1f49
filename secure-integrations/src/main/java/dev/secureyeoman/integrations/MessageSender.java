package dev.secureyeoman.integrations;

import java.util.Objects;

/**
 * Who sent an inbound message.
 *
 * @param id the platform's user id (1–256 characters, no control characters)
 * @param displayName the name to show; control characters are replaced and it is cut to 256 characters (it comes from
 *     the platform and is display-only, never an identifier)
 * @param bot whether the platform marks the sender as a bot (integrations usually ignore bots to avoid loops)
 */
public record MessageSender(String id, String displayName, boolean bot) {

  /** Validates the id and normalises the display name. */
  public MessageSender {
    Checks.token("sender id", id, 256);
    displayName = Checks.display(Objects.requireNonNull(displayName, "displayName"), 256);
  }
}
