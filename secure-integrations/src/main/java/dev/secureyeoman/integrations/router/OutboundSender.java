package dev.secureyeoman.integrations.router;

import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;

/** Sends a reply through the integration of the thread's platform; normally {@code integrationManager::send}. */
@FunctionalInterface
public interface OutboundSender {

  /**
   * Sends one message.
   *
   * @param message the message
   * @return the platform's receipt
   * @throws IntegrationException if it could not be sent
   */
  SendReceipt send(OutboundMessage message) throws IntegrationException;
}
