package com.example.echo;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageSender;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal "platform": messages arrive as webhook POSTs (body = text, {@code X-Echo-Secret} = the configured secret,
 * optional {@code X-Echo-Chat} and {@code X-Echo-User}); replies are "sent" by logging them and counting.
 */
public final class EchoIntegration implements Integration<EchoConfig> {
  static final String ID = "echo";

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private EchoConfig config;
  private IntegrationContext context;

  /** Created by {@link EchoIntegrationFactory}. */
  EchoIntegration() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<EchoConfig> configType() {
    return EchoConfig.class;
  }

  @Override
  public void init(EchoConfig config, IntegrationContext context) {
    this.config = config;
    this.context = context;
    context.registerWebhook(this::onWebhook);
  }

  @Override
  public void start() throws IntegrationException {
    try {
      context.audit().record(AuditEvent.builder("started").message("echo plugin started").build());
    } catch (AuditException e) {
      throw new IntegrationException("cannot audit the start", e);
    }
    context.logger().info("echo plugin started (max_length={})", config.maxLength());
  }

  @Override
  public void stop() {
    context.logger().info("echo plugin stopped after {} replies", sent.get());
  }

  @Override
  public SendReceipt send(OutboundMessage message) {
    String text = config.prefix() + message.text();
    if (text.length() > config.maxLength()) {
      text = text.substring(0, config.maxLength());
    }
    long n = sent.incrementAndGet();
    context.logger().info("echo #{} into {}: {} chars", n, message.thread().canonical(), text.length());
    return new SendReceipt("echo-" + n);
  }

  @Override
  public Health health() {
    return Health.up("received " + received.get() + ", sent " + sent.get());
  }

  private WebhookResponse onWebhook(WebhookRequest request) throws IntegrationException {
    if (!"POST".equals(request.method())) {
      return WebhookResponse.status(405);
    }
    byte[] presented = request.header("X-Echo-Secret").orElse("").getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(presented, config.webhookSecret().getBytes(StandardCharsets.UTF_8))) {
      return WebhookResponse.json(401, "{\"error\":\"bad secret\"}");
    }
    String chat = request.header("X-Echo-Chat").orElse("lobby");
    String user = request.header("X-Echo-User").orElse("anonymous");
    UnifiedMessage message;
    try {
      message = UnifiedMessage.builder(new ThreadKey(ID, chat, "main"), "in-" + received.incrementAndGet())
          .sender(new MessageSender(user, user, false))
          .text(request.bodyAsString())
          .receivedAt(context.clock().instant())
          .build();
    } catch (IllegalArgumentException e) {
      return WebhookResponse.json(400, "{\"error\":\"invalid chat, user or text\"}");
    }
    context.inbound().accept(message);
    return WebhookResponse.json(200, "{\"ok\":true}");
  }
}
