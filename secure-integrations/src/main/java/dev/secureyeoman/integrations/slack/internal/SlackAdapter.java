package dev.secureyeoman.integrations.slack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.MessageSender;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.internal.AdapterBase;
import dev.secureyeoman.integrations.adapters.internal.BaseUrls;
import dev.secureyeoman.integrations.adapters.internal.Escapes;
import dev.secureyeoman.integrations.adapters.internal.PlatformHttp;
import dev.secureyeoman.integrations.adapters.internal.TextSplitter;
import dev.secureyeoman.integrations.adapters.internal.Webhooks;
import dev.secureyeoman.integrations.conversation.ThreadResolver;
import dev.secureyeoman.integrations.media.MediaRequest;
import dev.secureyeoman.integrations.slack.SlackConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The Slack {@link Integration}; see the package documentation of {@code dev.secureyeoman.integrations.slack}. */
public final class SlackAdapter extends AdapterBase implements Integration<SlackConfig> {
  /** Slack recommends at most 4 000 characters per message (longer text is truncated by Slack at 40 000). */
  public static final int MESSAGE_LIMIT = 4000;

  private final AtomicReference<SlackAdapter> runningRef;
  private SlackConfig config;
  private URI api;
  private byte[] signingSecret;
  private ThreadResolver threads;
  private dev.secureyeoman.integrations.adapters.internal.ReplayCache events;

  /**
   * Created by the factory.
   *
   * @param options shared options
   * @param runningRef where the running instance is published for media resolution
   */
  public SlackAdapter(AdapterOptions options, AtomicReference<SlackAdapter> runningRef) {
    super(options);
    this.runningRef = runningRef;
  }

  @Override
  public String id() {
    return "slack";
  }

  @Override
  public Class<SlackConfig> configType() {
    return SlackConfig.class;
  }

  @Override
  public void init(SlackConfig cfg, IntegrationContext ctx) throws IntegrationException {
    this.config = cfg;
    this.api = BaseUrls.check(id(), "api_base_url", cfg.apiBaseUrl());
    this.signingSecret = cfg.signingSecret().getBytes(StandardCharsets.UTF_8);
    initBase(ctx, new PlatformHttp(id(), options, ctx.clock(), json -> Optional.empty()));
    this.threads = new ThreadResolver(ctx.clock(), Duration.ofHours(2));
    this.events = new dev.secureyeoman.integrations.adapters.internal.ReplayCache(ctx.clock(), Duration.ofHours(1),
        200_000);
    ctx.registerWebhook(this::onWebhook);
  }

  @Override
  public void start() {
    running = true;
    runningRef.set(this);
  }

  @Override
  public void stop() {
    running = false;
    runningRef.compareAndSet(this, null);
  }

  @Override
  public Health health() {
    return super.health();
  }

  WebhookResponse onWebhook(WebhookRequest request) throws IntegrationException {
    WebhookResponse refused = precheck(request);
    if (refused != null) {
      return refused;
    }
    byte[] body = request.body();
    String signature = request.header("X-Slack-Signature").orElse(null);
    SlackSignature.Verdict v = SlackSignature.verify(signingSecret, request.header("X-Slack-Request-Timestamp")
        .orElse(null), signature, body, context().clock().instant(), options.signatureMaxAge());
    if (v != SlackSignature.Verdict.VALID) {
      return reject(401, "invalid signature", "signature " + v);
    }
    if (!replays().firstSeen("sig:" + signature)) {
      return reject(401, "invalid signature", "replayed signature");
    }
    JsonNode json = Webhooks.parseObject(body).orElse(null);
    if (json == null) {
      return reject(400, "malformed body", "not a JSON object");
    }
    String type = Webhooks.text(json, "type");
    if ("url_verification".equals(type)) {
      String challenge = Webhooks.text(json, "challenge");
      if (challenge == null || challenge.length() > 512) {
        return reject(400, "malformed body", "bad challenge");
      }
      ObjectNode answer = Webhooks.object().put("challenge", challenge);
      return WebhookResponse.json(200, answer.toString());
    }
    if (!"event_callback".equals(type)) {
      return WebhookResponse.status(200);
    }
    UnifiedMessage message;
    try {
      message = toMessage(json);
    } catch (IllegalArgumentException e) {
      return reject(400, "malformed event", "invalid event fields");
    }
    if (message == null) {
      return WebhookResponse.status(200); // not a message we hand on (edits, joins, our own messages)
    }
    String eventId = Webhooks.text(json, "event_id");
    String dedupe = "event:" + (eventId != null ? eventId : message.thread().scope() + "/" + message.messageId());
    if (!events.firstSeen(dedupe)) {
      return WebhookResponse.status(200); // Slack's retry of an event we already took
    }
    try {
      context().inbound().accept(message);
    } catch (IntegrationException | RuntimeException e) {
      events.forget(dedupe);
      throw e;
    }
    accepted.incrementAndGet();
    return WebhookResponse.status(200);
  }

  private @Nullable UnifiedMessage toMessage(JsonNode json) {
    JsonNode e = json.get("event");
    if (e == null || !"message".equals(Webhooks.text(e, "type"))) {
      return null;
    }
    String subtype = Webhooks.text(e, "subtype");
    if (subtype != null && !subtype.equals("file_share") && !subtype.equals("thread_broadcast")) {
      return null;
    }
    String user = Webhooks.text(e, "user");
    String channel = Webhooks.text(e, "channel");
    String ts = Webhooks.text(e, "ts");
    if (channel == null || ts == null) {
      throw new IllegalArgumentException("event without channel or ts");
    }
    boolean bot = e.hasNonNull("bot_id") || user == null || (!config.botUserId().isEmpty()
        && config.botUserId().equals(user));
    ThreadKey key = threads.slack(Webhooks.text(json, "team_id"), channel, ts, Webhooks.text(e, "thread_ts"),
        "im".equals(Webhooks.text(e, "channel_type")));
    String text = Webhooks.text(e, "text");
    UnifiedMessage.Builder b = UnifiedMessage.builder(key, ts)
        .sender(new MessageSender(user == null ? "unknown" : user, user == null ? "unknown" : user, bot))
        .text(text == null ? "" : text.length() > UnifiedMessage.MAX_TEXT_CHARS
            ? text.substring(0, UnifiedMessage.MAX_TEXT_CHARS) : text)
        .receivedAt(time(ts))
        .replyTo(Webhooks.text(e, "thread_ts") != null && !ts.equals(Webhooks.text(e, "thread_ts"))
            ? Webhooks.text(e, "thread_ts") : null);
    JsonNode files = e.get("files");
    if (files != null && files.isArray()) {
      int n = 0;
      for (JsonNode f : files) {
        String url = Webhooks.text(f, "url_private_download");
        if (url == null) {
          url = Webhooks.text(f, "url_private");
        }
        if (url == null || n++ == UnifiedMessage.MAX_ATTACHMENTS) {
          continue;
        }
        String mime = Webhooks.text(f, "mimetype");
        Long size = Webhooks.integer(f, "size");
        b.attachment(MessageAttachment.builder(kind(mime), url)
            .declaredSize(size == null ? -1 : size)
            .contentType(mime)
            .fileName(Webhooks.text(f, "name"))
            .build());
      }
    }
    return b.build();
  }

  private Instant time(String ts) {
    // Slack's ts is "<seconds>.<micros>"; anything else (or absurd) falls back to the reception time
    if (!ts.matches("[0-9]{1,11}(\\.[0-9]{1,9})?")) {
      return context().clock().instant();
    }
    int dot = ts.indexOf('.');
    return Instant.ofEpochSecond(Long.parseLong(dot < 0 ? ts : ts.substring(0, dot)));
  }

  private static MessageAttachment.Kind kind(@Nullable String mime) {
    if (mime == null) {
      return MessageAttachment.Kind.DOCUMENT;
    }
    if (mime.startsWith("image/")) {
      return MessageAttachment.Kind.IMAGE;
    }
    if (mime.startsWith("audio/")) {
      return MessageAttachment.Kind.AUDIO;
    }
    return mime.startsWith("video/") ? MessageAttachment.Kind.VIDEO : MessageAttachment.Kind.DOCUMENT;
  }

  @Override
  public SendReceipt send(OutboundMessage message) throws IntegrationException {
    requireRunning();
    ThreadKey key = message.thread();
    String scope = key.scope();
    String channel = scope.substring(scope.lastIndexOf(':') + 1);
    List<String> parts;
    try {
      parts = TextSplitter.split(message.text(), MESSAGE_LIMIT, Escapes::slack, options.maxParts());
    } catch (IllegalArgumentException e) {
      throw new IntegrationException("slack send refused: " + e.getMessage());
    }
    String last = null;
    for (String part : parts) {
      requireSendsAllowed();
      ObjectNode body = Webhooks.object()
          .put("channel", channel)
          .put("text", part)
          .put("mrkdwn", false)
          .put("unfurl_links", false)
          .put("unfurl_media", false);
      if (!key.thread().equals(ThreadResolver.MAIN)) {
        body.put("thread_ts", key.thread());
      }
      PlatformHttp.Reply r = http().call("chat.postMessage", () -> PlatformHttp.postJson(
          URI.create(api + "/chat.postMessage"), body).header("Authorization", "Bearer " + config.botToken()));
      if (!r.success() || r.json() == null || !r.json().path("ok").asBoolean(false)) {
        String error = r.json() == null ? null : Webhooks.text(r.json(), "error");
        throw new IntegrationException("slack chat.postMessage failed: HTTP " + r.status()
            + (error != null && error.matches("[a-z_]{1,64}") ? " " + error : ""));
      }
      last = Webhooks.text(r.json(), "ts");
      sent.incrementAndGet();
    }
    if (last == null) {
      throw new IntegrationException("slack chat.postMessage answered without ts");
    }
    return new SendReceipt(last);
  }

  /**
   * Resolves a {@code url_private_download} to a media request with the bot token as bearer.
   *
   * @param attachment the attachment
   * @return the request
   * @throws IntegrationException if the reference is not an absolute URL
   */
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    return mediaRequestFor(id(), "slack", attachment)
        .bearerToken(SecretBytes.copyOf(config.botToken().getBytes(StandardCharsets.US_ASCII)))
        .build();
  }
}
