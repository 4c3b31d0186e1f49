package dev.secureyeoman.integrations.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.Png;
import dev.secureyeoman.integrations.adapters.RecordingSleeper;
import dev.secureyeoman.integrations.adapters.TestContext;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.MediaRejectedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelegramAdapterTest {
  private static final String TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  private static final String SECRET = "s3cr3t-token_for-the-webhook";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private FakePlatform telegram;
  private TestContext ctx;
  private RecordingSleeper sleeper;
  private TelegramIntegrationFactory factory;
  private Integration<TelegramConfig> adapter;
  private final AtomicInteger nextId = new AtomicInteger(500);

  @BeforeEach
  void setUp() throws Exception {
    telegram = new FakePlatform();
    telegram.on("/bot" + TOKEN + "/sendMessage", r -> FakePlatform.Response.json(200,
        "{\"ok\":true,\"result\":{\"message_id\":" + nextId.incrementAndGet() + ",\"chat\":{\"id\":-1001,"
            + "\"type\":\"supergroup\"},\"date\":1733133600,\"text\":\"x\"}}"));
    telegram.on("/bot" + TOKEN + "/getFile", r -> FakePlatform.Response.json(200,
        "{\"ok\":true,\"result\":{\"file_id\":\"AgACAgQ\",\"file_unique_id\":\"AQADx\",\"file_size\":1000,"
            + "\"file_path\":\"photos/file_7.jpg\"}}"));
    telegram.on("/file/bot" + TOKEN + "/photos/", r -> new FakePlatform.Response(200, Map.of("Content-Type",
        "image/png"), Png.of(1000)));
    sleeper = new RecordingSleeper();
    adapter = start(TelegramConfig.webhook(TOKEN, SECRET, telegram.baseUrl()));
  }

  @SuppressWarnings("unchecked")
  private Integration<TelegramConfig> start(TelegramConfig config) throws Exception {
    factory = new TelegramIntegrationFactory(AdapterOptions.builder().sleeper(sleeper).maxWebhookBodyBytes(8192)
        .build());
    Integration<TelegramConfig> a = (Integration<TelegramConfig>) factory.create();
    ctx = new TestContext("telegram");
    a.init(config, ctx);
    a.start();
    return a;
  }

  @AfterEach
  void tearDown() throws Exception {
    adapter.stop();
    telegram.close();
  }

  private WebhookRequest update(String json, String secret) {
    WebhookRequest.Builder b = WebhookRequest.builder("POST", "/").body(json.getBytes(StandardCharsets.UTF_8))
        .receivedAt(ctx.clock.instant());
    if (secret != null) {
      b.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    return b.build();
  }

  private static String message(long updateId, long messageId, String extra) {
    return "{\"update_id\":" + updateId + ",\"message\":{\"message_id\":" + messageId + ",\"from\":{\"id\":42,"
        + "\"is_bot\":false,\"first_name\":\"Ada\",\"last_name\":\"L\",\"username\":\"ada\"},\"chat\":{\"id\":-1001,"
        + "\"title\":\"team\",\"type\":\"supergroup\"},\"date\":1733133600" + extra + "}}";
  }

  @Test
  void webhook_photoWithCaption_isHandedOn_andTheImageDownloadsThroughTheMediaHandler() throws Exception {
    String photo = ",\"caption\":\"look\",\"photo\":[{\"file_id\":\"small\",\"file_unique_id\":\"a\",\"file_size\":10,"
        + "\"width\":90,\"height\":90},{\"file_id\":\"AgACAgQ\",\"file_unique_id\":\"b\",\"file_size\":1000,"
        + "\"width\":800,\"height\":800}]";
    assertEquals(200, ctx.deliver(update(message(1, 10, photo), SECRET)).status());
    UnifiedMessage m = ctx.inbound.get(0);
    assertEquals(new ThreadKey("telegram", "-1001", "msg-10"), m.thread());
    assertEquals("look", m.text());
    assertEquals("Ada L", m.sender().displayName());
    MessageAttachment a = m.attachments().get(0);
    assertEquals("AgACAgQ", a.platformRef(), "the largest photo size");
    MediaPolicy policy = MediaPolicy.builder().allowHosts("telegram", "127.0.0.1")
        .allowLoopbackForTesting(telegram.port()).build();
    try (MediaHandler media = MediaHandler.builder().policy(policy).withoutScanning()
        .directory(tmp.resolve("media")).build()) {
      var req = factory.resolve(a);
      assertFalse(req.toString().contains(TOKEN), "the token in the file URL never prints");
      // Telegram says JPEG; the bytes are PNG: the handler's sniffing refuses the mismatch
      MediaRejectedException e = assertThrows(MediaRejectedException.class, () -> media.download(req));
      assertEquals(MediaRejectedException.Reason.TYPE_MISMATCH, e.reason());
      assertFalse(e.getMessage().contains(TOKEN));
      var png = MessageAttachment.builder(MessageAttachment.Kind.DOCUMENT, "AgACAgQ").contentType("image/png")
          .build();
      try (MediaHandle h = media.download(factory.resolve(png))) {
        assertEquals(1000, Files.size(h.path()));
      }
      try (var files = Files.list(media.directory())) {
        assertEquals(0, files.count(), "temp directory empty after success and failure");
      }
    }
    assertTrue(telegram.requests("/bot" + TOKEN + "/getFile").get(0).path().contains("file_id=AgACAgQ"));
  }

  @Test
  void webhook_wrongOrMissingSecret_isRefused() throws Exception {
    String body = message(2, 11, ",\"text\":\"hi\"");
    assertEquals(401, ctx.deliver(update(body, "s3cr3t-token_for-the-webhooK")).status());
    assertEquals(401, ctx.deliver(update(body, SECRET.substring(0, SECRET.length() - 1))).status());
    assertEquals(401, ctx.deliver(update(body, null)).status());
    assertEquals(401, ctx.deliver(update(body, "")).status());
    assertTrue(ctx.inbound.isEmpty());
    assertEquals(200, ctx.deliver(update(body, SECRET)).status());
    assertEquals(1, ctx.inbound.size());
  }

  @Test
  void webhook_replayedUpdate_isHandedOnOnce_oversizedAndMalformedAreRefused() throws Exception {
    String body = message(3, 12, ",\"text\":\"hi\"");
    assertEquals(200, ctx.deliver(update(body, SECRET)).status());
    assertEquals(200, ctx.deliver(update(body, SECRET)).status(), "acknowledged so Telegram stops retrying");
    assertEquals(1, ctx.inbound.size());
    assertEquals(413, ctx.deliver(update(message(4, 13, ",\"text\":\"" + "x".repeat(9000) + "\""), SECRET)).status());
    assertEquals(400, ctx.deliver(update("{\"message\":{}}", SECRET)).status());
    assertEquals(400, ctx.deliver(update("{\"update_id\":5,\"message\":{\"chat\":{}}}", SECRET)).status());
    assertEquals(1, ctx.inbound.size());
  }

  @Test
  void threads_replyChainsAndTopicsLandInTheirOwnThreads_andRepliesToTheBotContinueThem() throws Exception {
    ctx.deliver(update(message(10, 100, ",\"text\":\"root A\""), SECRET));
    ctx.deliver(update(message(11, 101, ",\"text\":\"root B\""), SECRET));
    ctx.deliver(update(message(12, 102, ",\"text\":\"re A\",\"reply_to_message\":{\"message_id\":100,\"chat\":"
        + "{\"id\":-1001,\"type\":\"supergroup\"},\"date\":1}"), SECRET));
    ctx.deliver(update(message(13, 103, ",\"text\":\"topic\",\"message_thread_id\":7,\"is_topic_message\":true"),
        SECRET));
    ThreadKey a = ctx.inbound.get(0).thread();
    assertEquals(a, ctx.inbound.get(2).thread());
    assertNotEquals(a, ctx.inbound.get(1).thread());
    assertEquals("topic-7", ctx.inbound.get(3).thread().thread());
    // the bot answers in thread A; a user's reply to the bot's message lands in thread A again
    String botId = adapter.send(OutboundMessage.replyTo(ctx.inbound.get(2), "answer")).messageId();
    ctx.deliver(update(message(14, 104, ",\"text\":\"re bot\",\"reply_to_message\":{\"message_id\":" + botId
        + ",\"chat\":{\"id\":-1001,\"type\":\"supergroup\"},\"date\":1}"), SECRET));
    assertEquals(a, ctx.inbound.get(4).thread());
    JsonNode sent = JSON.readTree(telegram.requests("/bot" + TOKEN + "/sendMessage").get(0).body());
    assertEquals(102, sent.get("reply_parameters").get("message_id").asLong());
    adapter.send(OutboundMessage.to(ctx.inbound.get(3).thread(), "in topic"));
    JsonNode topic = JSON.readTree(telegram.requests("/bot" + TOKEN + "/sendMessage").get(1).body());
    assertEquals(7, topic.get("message_thread_id").asLong());
  }

  @Test
  void send_plainTextWithoutParseMode_mentionsNeutralised_splitTo4096() throws Exception {
    ThreadKey key = new ThreadKey("telegram", "-1001", "main");
    adapter.send(OutboundMessage.to(key, "hi @admin <b>bold</b> *x*"));
    JsonNode body = JSON.readTree(telegram.requests("/bot" + TOKEN + "/sendMessage").get(0).body());
    assertFalse(body.has("parse_mode"), "no markup is interpreted");
    assertEquals("hi @\u2060admin <b>bold</b> *x*", body.get("text").asText());
    assertFalse(body.has("reply_parameters"));
    adapter.send(OutboundMessage.to(key, "y".repeat(10_000)));
    List<FakePlatform.Request> all = telegram.requests("/bot" + TOKEN + "/sendMessage");
    assertEquals(4, all.size());
    for (FakePlatform.Request r : all.subList(1, 4)) {
      assertTrue(JSON.readTree(r.body()).get("text").asText().length() <= 4096);
    }
    assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("telegram", "not-a-chat", "main"), "x")));
  }

  @Test
  void send_429RetryAfterInTheJsonBody_isWaitedOut() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    telegram.on("/bot" + TOKEN + "/sendMessage", r -> calls.incrementAndGet() == 1
        ? FakePlatform.Response.json(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: "
            + "retry after 3\",\"parameters\":{\"retry_after\":3}}")
        : FakePlatform.Response.json(200, "{\"ok\":true,\"result\":{\"message_id\":9}}"));
    assertEquals("9", adapter.send(OutboundMessage.to(new ThreadKey("telegram", "5", "main"), "x")).messageId());
    assertEquals(List.of(Duration.ofSeconds(3)), sleeper.waits);
    telegram.on("/bot" + TOKEN + "/sendMessage", r -> FakePlatform.Response.json(400,
        "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}"));
    IntegrationException e = assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("telegram", "5", "main"), "x")));
    assertTrue(e.getMessage().contains("chat not found"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN));
  }

  @Test
  void polling_getUpdatesAdvancesTheOffset_andNoWebhookIsRegistered() throws Exception {
    adapter.stop();
    AtomicInteger polls = new AtomicInteger();
    telegram.on("/bot" + TOKEN + "/getUpdates", r -> polls.incrementAndGet() == 1
        ? FakePlatform.Response.json(200, "{\"ok\":true,\"result\":[" + message(40, 400, ",\"text\":\"p1\"") + ","
            + message(41, 401, ",\"text\":\"p2\"") + "]}")
        : FakePlatform.Response.json(200, "{\"ok\":true,\"result\":[]}"));
    adapter = start(new TelegramConfig(TOKEN, "polling", null, telegram.baseUrl(), null, 0));
    assertEquals(1, ctx.periodic.size(), "polling is scheduled on the host's scheduler");
    ctx.periodic.get(0).run();
    ctx.periodic.get(0).run();
    assertEquals(List.of("p1", "p2"), ctx.inbound.stream().map(UnifiedMessage::text).toList());
    List<FakePlatform.Request> calls = telegram.requests("/bot" + TOKEN + "/getUpdates");
    assertTrue(calls.get(0).path().contains("offset=0"));
    assertTrue(calls.get(1).path().contains("offset=42"), calls.get(1).path());
    assertThrows(NullPointerException.class, () -> ctx.deliver(update(message(1, 1, ""), SECRET)),
        "no webhook handler in polling mode");
  }

  @Test
  void init_webhookModeWithoutSecret_isRefused_andToStringHidesSecrets() {
    @SuppressWarnings("unchecked")
    Integration<TelegramConfig> a = (Integration<TelegramConfig>) new TelegramIntegrationFactory().create();
    assertThrows(IntegrationException.class,
        () -> a.init(TelegramConfig.webhook(TOKEN, null, telegram.baseUrl()), new TestContext("telegram")));
    String s = TelegramConfig.webhook(TOKEN, SECRET, null).toString();
    assertFalse(s.contains(TOKEN) || s.contains(SECRET), s);
  }
}
