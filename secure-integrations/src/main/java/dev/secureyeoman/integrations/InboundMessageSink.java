package dev.secureyeoman.integrations;

/** Receives messages that an integration got from its platform (by polling or through a webhook). */
@FunctionalInterface
public interface InboundMessageSink {

  /**
   * Hands one received message to the host (router, conversation tracker, AI responder).
   *
   * @param message the message
   * @throws IntegrationException if the host refused it (wrong platform, integration not running, host failure)
   */
  void accept(UnifiedMessage message) throws IntegrationException;
}
