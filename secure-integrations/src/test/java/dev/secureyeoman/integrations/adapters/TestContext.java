package dev.secureyeoman.integrations.adapters;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationScheduler;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookHandler;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.testkit.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IntegrationContext} for adapter tests: a clock the test moves, inbound messages collected, the webhook
 * handler kept, scheduled tasks recorded (run by hand, never on a timer).
 */
public final class TestContext implements IntegrationContext {
  private final String id;
  /** The clock. */
  public final TestClock clock = TestClock.at(Instant.parse("2026-12-02T10:00:00Z"));
  /** Messages handed on. */
  public final List<UnifiedMessage> inbound = new CopyOnWriteArrayList<>();
  /** Audit events. */
  public final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
  /** Tasks scheduled with a fixed delay. */
  public final List<Runnable> periodic = new CopyOnWriteArrayList<>();
  private volatile WebhookHandler webhook;

  /**
   * A context for an integration id.
   *
   * @param id the id
   */
  public TestContext(String id) {
    this.id = id;
  }

  /**
   * Delivers a webhook request to the registered handler.
   *
   * @param request the request
   * @return the answer
   * @throws Exception whatever the handler throws
   */
  public WebhookResponse deliver(WebhookRequest request) throws Exception {
    return webhook.handle(request);
  }

  @Override
  public String integrationId() {
    return id;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("dev.secureyeoman.integration." + id);
  }

  @Override
  public AuditSink audit() {
    return audited::add;
  }

  @Override
  public InboundMessageSink inbound() {
    return inbound::add;
  }

  @Override
  public IntegrationScheduler scheduler() {
    return new IntegrationScheduler() {
      @Override
      public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        throw new UnsupportedOperationException("not used by the adapters");
      }

      @Override
      public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration delay) {
        periodic.add(task);
        return null;
      }
    };
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public void registerWebhook(WebhookHandler handler) {
    if (webhook != null) {
      throw new IllegalStateException("already registered");
    }
    webhook = handler;
  }
}
