package dev.secureyeoman.integrations.discord.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import dev.secureyeoman.integrations.discord.DiscordConfig;
import dev.secureyeoman.integrations.media.MediaRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The Discord {@link Integration}; see the package documentation of {@code dev.secureyeoman.integrations.discord}. */
public final class DiscordAdapter extends AdapterBase implements Integration<DiscordConfig> {
  /** Discord's limit for message content: 2000 characters. */
  public static final int MESSAGE_LIMIT = 2000;

  /** Channel types that are threads (announcement, public, private thread). */
  private static final Set<Integer> THREAD_TYPES = Set.of(10, 11, 12);

  /** A deferred interaction waiting for its answer; the token is a credential for 15 minutes. */
  private record Pending(String applicationId, String token) {
    @Override
    public String toString() {
      return "Pending[" + applicationId + ", token=██]";
    }
  }

  private final AtomicReference<DiscordAdapter> runningRef;
  private DiscordConfig config;
  private URI api;
  private PublicKey publicKey;
  private ThreadResolver threads;
  private Cache<String, Pending> pending;

  /**
   * Created by the factory.
   *
   * @param options shared options
   * @param runningRef where the running instance is published for media resolution
   */
  public DiscordAdapter(AdapterOptions options, AtomicReference<DiscordAdapter> runningRef) {
    super(options);
    this.runningRef = runningRef;
  }

  @Override
  public String id() {
    return "discord";
  }

  @Override
  public Class<DiscordConfig> configType() {
    return DiscordConfig.class;
  }

  @Override
  public void init(DiscordConfig cfg, IntegrationContext ctx) throws IntegrationException {
    this.config = cfg;
    this.api = BaseUrls.check(id(), "api_base_url", cfg.apiBaseUrl());
    try {
      byte[] raw = Webhooks.hex(cfg.publicKey());
      if (raw == null) {
        throw new GeneralSecurityException("not hex");
      }
      this.publicKey = DiscordSignature.publicKey(raw);
    } catch (GeneralSecurityException e) {
      throw new IntegrationException("discord.public_key: not an Ed25519 public key");
    }
    initBase(ctx, new PlatformHttp(id(), options, ctx.clock(), DiscordAdapter::retryAfter));
    this.threads = new ThreadResolver(ctx.clock(), Duration.ofHours(2));
    this.pending = Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(Duration.ofMinutes(15)) // Discord's interaction token lifetime
        .ticker(() -> ctx.clock().millis() * 1_000_000L)
        .executor(Runnable::run)
        .build();
    ctx.registerWebhook(this::onWebhook);
  }

  private static Optional<Duration> retryAfter(JsonNode json) {
    JsonNode v = json.get("retry_after");
    return v != null && v.isNumber() && v.doubleValue() >= 0 && v.doubleValue() <= 86_400
        ? Optional.of(Duration.ofMillis(Math.max(1, (long) Math.ceil(v.doubleValue() * 1000))))
        : Optional.empty();
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
    if (pending != null) {
      pending.invalidateAll();
    }
  }

  // ---------------------------------------------------------------------------------------------- inbound

  WebhookResponse onWebhook(WebhookRequest request) throws IntegrationException {
    WebhookResponse refused = precheck(request);
    if (refused != null) {
      return refused;
    }
    byte[] body = request.body();
    String signature = request.header("X-Signature-Ed25519").orElse(null);
    DiscordSignature.Verdict v = DiscordSignature.verify(publicKey, request.header("X-Signature-Timestamp")
        .orElse(null), signature, body, context().clock().instant(), options.signatureMaxAge());
    if (v != DiscordSignature.Verdict.VALID || signature == null) { // VALID implies a signature
      return reject(401, "invalid request signature", "signature " + v);
    }
    if (!replays().firstSeen("sig:" + signature.toLowerCase(java.util.Locale.ROOT))) {
      return reject(401, "invalid request signature", "replayed signature");
    }
    JsonNode json = Webhooks.parseObject(body).orElse(null);
    Long type = Webhooks.integer(json, "type");
    if (json == null || type == null) {
      return reject(400, "malformed interaction", "not an interaction");
    }
    if (type == 1) {
      return WebhookResponse.json(200, "{\"type\":1}"); // PING → PONG
    }
    if (type != 2) {
      return reject(400, "unsupported interaction type", "interaction type " + type);
    }
    UnifiedMessage message;
    String appId = Webhooks.text(json, "application_id");
    String token = Webhooks.text(json, "token");
    try {
      message = toMessage(json);
    } catch (IllegalArgumentException e) {
      return reject(400, "malformed interaction", "invalid interaction fields");
    }
    if (appId == null || token == null || !appId.matches("[0-9]{1,20}") || !token.matches("[A-Za-z0-9._-]{1,512}")) {
      return reject(400, "malformed interaction", "invalid application id or token");
    }
    if (!replays().firstSeen("interaction:" + message.messageId())) {
      return WebhookResponse.json(200, "{\"type\":5}");
    }
    pending.put(message.messageId(), new Pending(appId, token));
    try {
      context().inbound().accept(message);
    } catch (IntegrationException | RuntimeException e) {
      replays().forget("interaction:" + message.messageId());
      pending.invalidate(message.messageId());
      throw e;
    }
    accepted.incrementAndGet();
    return WebhookResponse.json(200, "{\"type\":5}"); // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
  }

  private UnifiedMessage toMessage(JsonNode json) {
    String id = Webhooks.text(json, "id");
    String channelId = Webhooks.text(json, "channel_id");
    if (id == null || channelId == null) {
      throw new IllegalArgumentException("interaction without id or channel_id");
    }
    JsonNode channel = json.get("channel");
    Long channelType = Webhooks.integer(channel, "type");
    String parent = channelType != null && THREAD_TYPES.contains(channelType.intValue())
        ? Webhooks.text(channel, "parent_id") : null;
    ThreadKey key = threads.discord(channelId, parent);
    JsonNode user = json.has("member") ? json.get("member").get("user") : json.get("user");
    String userId = Webhooks.text(user, "id");
    String name = Webhooks.text(user, "global_name");
    if (name == null) {
      name = Webhooks.text(user, "username");
    }
    StringBuilder text = new StringBuilder();
    UnifiedMessage.Builder b = UnifiedMessage.builder(key, id)
        .sender(new MessageSender(userId == null ? "unknown" : userId, name == null ? "" : name,
            userId == null || (user != null && user.path("bot").asBoolean(false))))
        .receivedAt(context().clock().instant());
    JsonNode data = json.get("data");
    JsonNode options = data == null ? null : data.get("options");
    JsonNode resolved = data == null ? null : data.path("resolved").get("attachments");
    if (options != null && options.isArray()) {
      int attachments = 0;
      for (JsonNode o : options) {
        Long t = Webhooks.integer(o, "type");
        if (t == null) {
          continue;
        }
        if (t == 3 && o.get("value") != null && o.get("value").isTextual()) {
          text.append(text.length() == 0 ? "" : "\n").append(o.get("value").textValue());
        } else if (t == 11 && resolved != null && o.get("value") != null
            && attachments < UnifiedMessage.MAX_ATTACHMENTS) {
          JsonNode att = resolved.get(o.get("value").asText());
          String url = Webhooks.text(att, "url");
          if (url != null) {
            String mime = Webhooks.text(att, "content_type");
            Long size = Webhooks.integer(att, "size");
            b.attachment(MessageAttachment.builder(mime != null && mime.startsWith("image/")
                    ? MessageAttachment.Kind.IMAGE : MessageAttachment.Kind.DOCUMENT, url)
                .declaredSize(size == null ? -1 : size).contentType(mime)
                .fileName(Webhooks.text(att, "filename")).build());
            attachments++;
          }
        }
      }
    }
    String t = text.toString();
    return b.text(t.length() > UnifiedMessage.MAX_TEXT_CHARS ? t.substring(0, UnifiedMessage.MAX_TEXT_CHARS) : t)
        .build();
  }

  // ---------------------------------------------------------------------------------------------- outbound

  @Override
  public SendReceipt send(OutboundMessage message) throws IntegrationException {
    requireRunning();
    ThreadKey key = message.thread();
    String channel = key.thread().equals(ThreadResolver.MAIN) ? key.scope() : key.thread();
    if (!channel.matches("[0-9]{1,20}")) {
      throw new IntegrationException("discord send refused: channel is not a snowflake");
    }
    List<String> parts;
    try {
      parts = TextSplitter.split(message.text(), MESSAGE_LIMIT, Escapes::discord, options.maxParts());
    } catch (IllegalArgumentException e) {
      throw new IntegrationException("discord send refused: " + e.getMessage());
    }
    if (parts.isEmpty()) {
      throw new IntegrationException("discord send refused: the text is blank, nothing to send");
    }
    Pending interaction = message.replyTo().map(pending::getIfPresent).orElse(null);
    String last = null;
    for (int i = 0; i < parts.size(); i++) {
      requireSendsAllowed();
      // SUPPRESS_EMBEDS (1 << 2): a link in the text gets no rich preview, like Slack's unfurl and Telegram's preview off
      ObjectNode body = Webhooks.object().put("content", parts.get(i)).put("flags", 4);
      body.putObject("allowed_mentions").putArray("parse"); // nobody is pinged, whatever the text says
      PlatformHttp.Reply r;
      if (interaction != null) {
        // the interaction token in the path is a credential: these URIs are never logged
        String hook = api + "/webhooks/" + interaction.applicationId() + "/" + interaction.token();
        if (i == 0) {
          r = http().call("edit original response", () -> HttpRequest.newBuilder(URI.create(hook
              + "/messages/@original")).header("Content-Type", "application/json")
              .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString())));
        } else {
          r = http().call("follow-up message", () -> PlatformHttp.postJson(URI.create(hook), body));
        }
      } else {
        if (i == 0 && message.replyTo().isPresent() && message.replyTo().get().matches("[0-9]{1,20}")) {
          body.putObject("message_reference").put("message_id", message.replyTo().get())
              .put("fail_if_not_exists", false);
        }
        r = http().call("create message", () -> PlatformHttp.postJson(URI.create(api + "/channels/" + channel
            + "/messages"), body).header("Authorization", "Bot " + config.botToken()));
      }
      String id = Webhooks.text(r.json(), "id");
      if (!r.success() || id == null) {
        Long code = r.json() == null ? null : Webhooks.integer(r.json(), "code");
        throw new IntegrationException("discord send failed: HTTP " + r.status() + (code == null ? "" : " code "
            + code));
      }
      last = id;
      sent.incrementAndGet();
    }
    return new SendReceipt(Objects.requireNonNull(last, "parts is not empty: at least one was sent"));
  }

  // ---------------------------------------------------------------------------------------------- media

  /**
   * Resolves an attachment's CDN URL to a media request (no token: Discord CDN URLs are signed).
   *
   * @param attachment the attachment
   * @return the request
   * @throws IntegrationException if the reference is not an absolute URL
   */
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    return mediaRequestFor(id(), "discord", attachment)
        .build();
  }
}
