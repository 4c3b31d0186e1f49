package dev.secureyeoman.integrations;

import dev.secureyeoman.audit.AuditSink;
import java.time.Clock;
import org.slf4j.Logger;

/**
 * What the host hands an {@link Integration}: everything it may use, and nothing more (no audit store, no key source,
 * no configuration loader, no other integration).
 *
 * <p>A context belongs to one integration instance. When that instance is stopped or replaced, the context is closed:
 * scheduled tasks are cancelled, the webhook handler is removed, and {@link #inbound()} and {@link #audit()} refuse
 * further calls — so a stale instance (an old plugin version still holding a callback) cannot inject messages.
 */
public interface IntegrationContext {

  /**
   * Returns the id of the integration this context belongs to.
   *
   * @return the integration id
   */
  String integrationId();

  /**
   * Returns a logger named {@code dev.secureyeoman.integration.<id>}. Never log tokens or message bodies.
   *
   * @return the logger
   */
  Logger logger();

  /**
   * Returns an audit sink for this integration's own events. Event names are prefixed with
   * {@code integration.<id>.} (unless they already are) and the actor is always {@code integration:<id>}, so an
   * integration cannot write entries that look like the host's or another integration's.
   *
   * @return the audit sink
   */
  AuditSink audit();

  /**
   * Returns the sink for messages received from the platform. Messages whose platform is not {@link #integrationId()}
   * are refused, as is everything after the instance stopped.
   *
   * @return the inbound sink
   */
  InboundMessageSink inbound();

  /**
   * Returns the scheduler for this integration's background work (polling, keep-alives). Tasks run with the
   * integration's class loader as context class loader and are cancelled when the instance stops.
   *
   * @return the scheduler
   */
  IntegrationScheduler scheduler();

  /**
   * Returns the host's clock; use it instead of {@link System#currentTimeMillis()} so tests can control time.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * Registers the handler for webhook-style deliveries (Telegram webhooks, Slack Events API, Discord interactions).
   * The host's HTTP layer receives the request and passes it to {@code IntegrationManager.handleWebhook}; the handler
   * verifies the platform's signature or secret token itself. At most one handler per instance; call it from
   * {@link Integration#init} or {@link Integration#start}.
   *
   * @param handler the handler
   * @throws IllegalStateException if a handler is already registered or the context is closed
   */
  void registerWebhook(WebhookHandler handler);
}
