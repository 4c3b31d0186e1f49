package dev.secureyeoman.integrations;

/**
 * Handles webhook deliveries for one integration (see {@link IntegrationContext#registerWebhook}). Called on the
 * host's HTTP threads, possibly concurrently; must answer quickly (platforms retry slow webhooks) and hand long work to
 * {@link IntegrationContext#inbound()} or the scheduler.
 */
@FunctionalInterface
public interface WebhookHandler {

  /**
   * Verifies and handles one request.
   *
   * @param request the request, with the exact body the platform signed
   * @return the response to send back (e.g. 200, or 401 for a bad signature)
   * @throws IntegrationException if the request could not be handled (the host answers 500 without detail)
   */
  WebhookResponse handle(WebhookRequest request) throws IntegrationException;
}
