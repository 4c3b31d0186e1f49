package dev.secureyeoman.integrations.telegram.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.SecretStore;
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
import dev.secureyeoman.integrations.telegram.TelegramConfig;
import dev.secureyeoman.integrations.telegram.TelegramStateException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The Telegram {@link Integration}; see the package documentation of {@code dev.secureyeoman.integrations.telegram}. */
public final class TelegramAdapter extends AdapterBase implements Integration<TelegramConfig> {
  /** Telegram's limit for one message: 4096 characters. */
  public static final int MESSAGE_LIMIT = 4096;

  private static final Map<String, MessageAttachment.Kind> MEDIA_FIELDS = Map.of(
      "document", MessageAttachment.Kind.DOCUMENT,
      "audio", MessageAttachment.Kind.AUDIO,
      "voice", MessageAttachment.Kind.VOICE,
      "video", MessageAttachment.Kind.VIDEO,
      "sticker", MessageAttachment.Kind.STICKER);

  /** Latest plausible message time (year 9999); later (or negative) dates fall back to the reception time. */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  /** Version byte of the sealed state plaintext: {@code [version][offset as 8 bytes]}. */
  private static final byte STATE_VERSION = 1;
  private static final int MAX_STATE_FILE_BYTES = 64 * 1024;

  private final AtomicReference<TelegramAdapter> runningRef;
  private final @Nullable SecretStore stateSealer;
  private TelegramConfig config;
  private @Nullable Path stateFile; // set by init when state_file is configured
  private long savedOffset;
  private URI api;
  private ThreadResolver threads;
  private volatile long offset;
  private volatile @Nullable ScheduledFuture<?> poller;

  /**
   * Created by the factory.
   *
   * @param options shared options
   * @param runningRef where the running instance is published for media resolution
   * @param stateSealer seals the polling offset file; null when the host gave none
   */
  public TelegramAdapter(AdapterOptions options, AtomicReference<TelegramAdapter> runningRef,
      @Nullable SecretStore stateSealer) {
    super(options);
    this.runningRef = runningRef;
    this.stateSealer = stateSealer;
  }

  @Override
  public String id() {
    return "telegram";
  }

  @Override
  public Class<TelegramConfig> configType() {
    return TelegramConfig.class;
  }

  @Override
  public void init(TelegramConfig cfg, IntegrationContext ctx) throws IntegrationException {
    this.config = cfg;
    this.api = BaseUrls.check(id(), "api_base_url", cfg.apiBaseUrl());
    if (cfg.mode().equals("webhook") && cfg.webhookSecret().isEmpty()) {
      throw new IntegrationException("telegram.webhook_secret: required in webhook mode");
    }
    if (!cfg.stateFile().isEmpty()) {
      if (!cfg.mode().equals("polling")) {
        throw new IntegrationException("telegram.state_file: only used in polling mode");
      }
      if (stateSealer == null) {
        throw new IntegrationException("telegram.state_file: needs a SecretStore "
            + "(new TelegramIntegrationFactory(options, sealer))");
      }
      try {
        this.stateFile = Path.of(cfg.stateFile()).toAbsolutePath();
      } catch (RuntimeException e) {
        throw new IntegrationException("telegram.state_file: not a valid path");
      }
    }
    initBase(ctx, new PlatformHttp(id(), options, ctx.clock(), TelegramAdapter::retryAfter));
    this.threads = new ThreadResolver(ctx.clock(), Duration.ofHours(2));
    if (cfg.mode().equals("webhook")) {
      ctx.registerWebhook(this::onWebhook);
    }
  }

  private static Optional<Duration> retryAfter(JsonNode json) {
    JsonNode v = json.path("parameters").get("retry_after");
    return v != null && v.isIntegralNumber() && v.longValue() >= 0 && v.longValue() <= 86_400
        ? Optional.of(Duration.ofSeconds(Math.max(1, v.longValue())))
        : Optional.empty();
  }

  @Override
  public void start() throws IntegrationException {
    if (stateFile != null) {
      offset = loadOffset();
      savedOffset = offset;
    }
    running = true;
    runningRef.set(this);
    if (config.mode().equals("polling")) {
      poller = context().scheduler().scheduleWithFixedDelay(this::pollQuietly, Duration.ZERO, config.pollInterval());
    }
  }

  @Override
  public void stop() {
    running = false;
    runningRef.compareAndSet(this, null);
    ScheduledFuture<?> p = poller;
    if (p != null) {
      p.cancel(true);
    }
  }

  private URI method(String name) {
    // the token is part of the path: this URI is never logged or put in a message
    return URI.create(api + "/bot" + config.botToken() + "/" + name);
  }

  // ---------------------------------------------------------------------------------------------- inbound

  WebhookResponse onWebhook(WebhookRequest request) throws IntegrationException {
    WebhookResponse refused = precheck(request);
    if (refused != null) {
      return refused;
    }
    byte[] presented = request.header("X-Telegram-Bot-Api-Secret-Token").orElse("")
        .getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(presented, config.webhookSecret().getBytes(StandardCharsets.UTF_8))) {
      return reject(401, "invalid secret token", "secret token");
    }
    JsonNode update = Webhooks.parseObject(request.body()).orElse(null);
    if (update == null || Webhooks.integer(update, "update_id") == null) {
      return reject(400, "malformed update", "not an update");
    }
    try {
      handleUpdate(update);
    } catch (IllegalArgumentException e) {
      return reject(400, "malformed update", "invalid message fields");
    }
    return WebhookResponse.status(200);
  }

  /**
   * Hands one update on (once per {@code update_id}).
   *
   * @return whether it was new
   */
  private boolean handleUpdate(JsonNode update) throws IntegrationException {
    String dedupe = "update:" + Webhooks.integer(update, "update_id");
    UnifiedMessage message = toMessage(update.get("message"));
    if (message == null || !replays().firstSeen(dedupe)) {
      return false;
    }
    try {
      context().inbound().accept(message);
    } catch (IntegrationException | RuntimeException e) {
      replays().forget(dedupe);
      throw e;
    }
    accepted.incrementAndGet();
    return true;
  }

  private @Nullable UnifiedMessage toMessage(@Nullable JsonNode m) {
    if (m == null || !m.isObject()) {
      return null;
    }
    JsonNode chat = m.get("chat");
    Long chatId = Webhooks.integer(chat, "id");
    Long messageId = Webhooks.integer(m, "message_id");
    if (chatId == null || messageId == null) {
      throw new IllegalArgumentException("message without chat.id or message_id");
    }
    JsonNode reply = m.get("reply_to_message");
    Long replyTo = Webhooks.integer(reply, "message_id");
    ThreadKey key = threads.telegram(new ThreadResolver.TelegramMessage(chatId,
        "private".equals(Webhooks.text(chat, "type")), messageId, Webhooks.integer(m, "message_thread_id"),
        m.path("is_topic_message").asBoolean(false), replyTo));
    JsonNode from = m.get("from");
    Long fromId = Webhooks.integer(from, "id");
    String name = String.join(" ", nonNull(Webhooks.text(from, "first_name")), nonNull(Webhooks.text(from,
        "last_name"))).strip();
    String text = Webhooks.text(m, "text");
    if (text == null) {
      text = Webhooks.text(m, "caption");
    }
    Long date = Webhooks.integer(m, "date");
    UnifiedMessage.Builder b = UnifiedMessage.builder(key, Long.toString(messageId))
        .sender(new MessageSender(fromId == null ? "unknown" : Long.toString(fromId),
            name.isEmpty() ? nonNull(Webhooks.text(from, "username")) : name,
            fromId == null || from.path("is_bot").asBoolean(false)))
        .text(text == null ? "" : text.length() > UnifiedMessage.MAX_TEXT_CHARS
            ? text.substring(0, UnifiedMessage.MAX_TEXT_CHARS) : text)
        .receivedAt(date == null || date < 0 || date > MAX_EPOCH_SECOND ? context().clock().instant()
            : Instant.ofEpochSecond(date))
        .replyTo(replyTo == null ? null : Long.toString(replyTo));
    JsonNode photos = m.get("photo");
    if (photos != null && photos.isArray() && photos.size() > 0) {
      JsonNode largest = photos.get(photos.size() - 1); // Telegram lists sizes ascending
      String fileId = Webhooks.text(largest, "file_id");
      if (fileId != null) {
        Long size = Webhooks.integer(largest, "file_size");
        b.attachment(MessageAttachment.builder(MessageAttachment.Kind.IMAGE, fileId)
            .declaredSize(size == null ? -1 : size).contentType("image/jpeg").build());
      }
    }
    for (Map.Entry<String, MessageAttachment.Kind> f : MEDIA_FIELDS.entrySet()) {
      JsonNode d = m.get(f.getKey());
      String fileId = Webhooks.text(d, "file_id");
      if (fileId == null) {
        continue;
      }
      String mime = Webhooks.text(d, "mime_type");
      Long size = Webhooks.integer(d, "file_size");
      MessageAttachment.Kind kind = f.getValue() == MessageAttachment.Kind.DOCUMENT && mime != null
          && mime.startsWith("image/") ? MessageAttachment.Kind.IMAGE : f.getValue();
      b.attachment(MessageAttachment.builder(kind, fileId).declaredSize(size == null ? -1 : size)
          .contentType(mime).fileName(Webhooks.text(d, "file_name")).build());
    }
    return b.build();
  }

  private static String nonNull(@Nullable String s) {
    return s == null ? "" : s;
  }

  /**
   * One {@code getUpdates} round (polling mode): hands on every new message and advances the offset past the updates
   * handed on; a refused hand-off stops the round so the update is fetched again next time.
   *
   * @return the number of updates received
   * @throws IntegrationException if the call failed
   */
  public int pollOnce() throws IntegrationException {
    requireRunning();
    URI uri = URI.create(method("getUpdates") + "?offset=" + offset + "&timeout=" + config.pollTimeoutSeconds()
        + "&allowed_updates=" + URLEncoder.encode("[\"message\"]", StandardCharsets.UTF_8));
    PlatformHttp.Reply r = http().call("getUpdates", () -> HttpRequest.newBuilder(uri).GET(),
        options.requestTimeout().plusSeconds(config.pollTimeoutSeconds()));
    JsonNode result = ok(r, "getUpdates").get("result");
    if (result == null || !result.isArray()) {
      throw new IntegrationException("telegram getUpdates answered without a result array");
    }
    try {
      for (JsonNode update : result) {
        Long id = Webhooks.integer(update, "update_id");
        if (id == null) {
          continue;
        }
        try {
          handleUpdate(update);
        } catch (IllegalArgumentException e) {
          rejected.incrementAndGet(); // malformed: skip it for good
        }
        offset = Math.max(offset, id + 1);
      }
    } finally {
      saveOffset(); // also after a refused hand-off: what was handed on before it stays processed
    }
    return result.size();
  }

  /** Associated data of the state file: binds the envelope to the integration id and the bot (not the token). */
  private byte[] stateAad() {
    String botId = config.botToken().substring(0, config.botToken().indexOf(':'));
    return ("telegram-state:v1:" + context().integrationId() + ":" + botId).getBytes(StandardCharsets.UTF_8);
  }

  /** The configured state file; init refuses a state_file without a sealer. */
  private Path stateFile() {
    Path f = stateFile;
    if (f == null) {
      throw new IllegalStateException("telegram: no state_file configured");
    }
    return f;
  }

  private SecretStore stateSealer() {
    SecretStore s = stateSealer;
    if (s == null) {
      throw new IllegalStateException("telegram.state_file: no SecretStore (init checks this)");
    }
    return s;
  }

  private long loadOffset() throws TelegramStateException {
    Path file = stateFile();
    String name = file.getFileName().toString();
    byte[] envelope;
    try {
      if (Files.size(file) > MAX_STATE_FILE_BYTES) {
        throw new TelegramStateException(TelegramStateException.Reason.TAMPERED, "state file " + name
            + " is too large to be a sealed offset; refusing to start", null);
      }
      envelope = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return 0; // first start: nothing processed yet
    } catch (IOException e) {
      throw new TelegramStateException(TelegramStateException.Reason.STORE_FAILED, "state file " + name
          + " could not be read (" + e.getClass().getSimpleName() + "); refusing to start", e);
    }
    byte[] plain;
    try {
      plain = stateSealer().decrypt(envelope, stateAad());
    } catch (EnvelopeException e) {
      throw new TelegramStateException(TelegramStateException.Reason.TAMPERED, "state file " + name
          + " failed authentication (" + e.reason() + ": edited, sealed for another integration or bot, or with"
          + " another key); refusing to start: restore it, or delete it to accept a redelivery of pending updates",
          e);
    }
    ByteBuffer b = ByteBuffer.wrap(plain);
    if (plain.length != 9 || b.get() != STATE_VERSION || b.getLong() < 0) {
      throw new TelegramStateException(TelegramStateException.Reason.TAMPERED, "state file " + name
          + " holds an unknown state format; refusing to start", null);
    }
    return ByteBuffer.wrap(plain, 1, 8).getLong();
  }

  private synchronized void saveOffset() throws TelegramStateException {
    long current = offset;
    Path file = stateFile;
    if (file == null || current == savedOffset) {
      return;
    }
    byte[] plain = ByteBuffer.allocate(9).put(STATE_VERSION).putLong(current).array();
    try {
      AtomicFiles.write(file, stateSealer().encrypt(plain, stateAad()));
    } catch (IOException e) {
      throw new TelegramStateException(TelegramStateException.Reason.STORE_FAILED, "state file "
          + file.getFileName() + " could not be written (" + e.getClass().getSimpleName()
          + "); processed updates may be handed on again after a restart", e);
    }
    savedOffset = current;
  }

  private void pollQuietly() {
    try {
      pollOnce();
    } catch (IntegrationException e) {
      context().logger().warn("telegram poll failed: {}", e.getMessage());
    }
  }

  private static JsonNode ok(PlatformHttp.Reply r, String what) throws IntegrationException {
    JsonNode json = r.json();
    if (json == null || !json.path("ok").asBoolean(false)) {
      Long code = json == null ? null : Webhooks.integer(json, "error_code");
      String d = json == null ? null : Webhooks.text(json, "description");
      throw new IntegrationException("telegram " + what + " failed: HTTP " + r.status()
          + (code != null ? " error " + code : "") + (d != null && d.matches("[A-Za-z :_,.-]{1,120}") ? " " + d : ""));
    }
    return json;
  }

  // ---------------------------------------------------------------------------------------------- outbound

  @Override
  public SendReceipt send(OutboundMessage message) throws IntegrationException {
    requireRunning();
    ThreadKey key = message.thread();
    long chatId;
    try {
      chatId = Long.parseLong(key.scope());
    } catch (NumberFormatException e) {
      throw new IntegrationException("telegram send refused: scope is not a chat id");
    }
    Long topic = number(key.thread(), "topic-");
    Long replyTo = message.replyTo().map(TelegramAdapter::parseId).orElse(number(key.thread(), "msg-"));
    List<String> parts;
    try {
      parts = TextSplitter.split(message.text(), MESSAGE_LIMIT, Escapes::telegram, options.maxParts());
    } catch (IllegalArgumentException e) {
      throw new IntegrationException("telegram send refused: " + e.getMessage());
    }
    if (parts.isEmpty()) {
      throw new IntegrationException("telegram send refused: the text is blank, nothing to send");
    }
    String last = null;
    for (String part : parts) {
      requireSendsAllowed();
      ObjectNode body = Webhooks.object().put("chat_id", chatId).put("text", part);
      body.putObject("link_preview_options").put("is_disabled", true);
      if (topic != null) {
        body.put("message_thread_id", topic);
      }
      if (replyTo != null) {
        body.putObject("reply_parameters").put("message_id", replyTo).put("allow_sending_without_reply", true);
      }
      JsonNode json = ok(http().call("sendMessage", () -> PlatformHttp.postJson(method("sendMessage"), body)),
          "sendMessage");
      Long id = Webhooks.integer(json.get("result"), "message_id");
      if (id == null) {
        throw new IntegrationException("telegram sendMessage answered without message_id");
      }
      threads.rememberTelegramReply(key, id); // a reply to the bot's message continues this thread
      last = Long.toString(id);
      sent.incrementAndGet();
    }
    return new SendReceipt(Objects.requireNonNull(last, "parts is not empty: at least one was sent"));
  }

  private static @Nullable Long number(String thread, String prefix) {
    return thread.startsWith(prefix) ? parseId(thread.substring(prefix.length())) : null;
  }

  private static @Nullable Long parseId(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------- media

  /**
   * Resolves a {@code file_id} with {@code getFile} to {@code <api>/file/bot<token>/<file_path>}.
   *
   * @param attachment the attachment
   * @return the request (the URL carries the token: {@code MediaRequest} never prints it)
   * @throws IntegrationException if {@code getFile} failed or returned an unusable path
   */
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    requireRunning();
    URI uri = URI.create(method("getFile") + "?file_id="
        + URLEncoder.encode(attachment.platformRef(), StandardCharsets.UTF_8));
    JsonNode result = ok(http().call("getFile", () -> HttpRequest.newBuilder(uri).GET()), "getFile").get("result");
    String path = Webhooks.text(result, "file_path");
    if (path == null || !path.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || path.contains("..")) {
      throw new IntegrationException("telegram getFile answered an unusable file_path");
    }
    MediaRequest.Builder b = MediaRequest.builder(id(), URI.create(api + "/file/bot" + config.botToken() + "/"
        + path));
    Long size = Webhooks.integer(result, "file_size");
    if (attachment.declaredSize().isPresent()) {
      b.declaredSize(attachment.declaredSize().getAsLong());
    } else if (size != null && size >= 0) {
      b.declaredSize(size);
    }
    attachment.contentType().ifPresent(b::declaredType);
    attachment.fileName().ifPresent(b::fileName);
    return b.build();
  }
}
