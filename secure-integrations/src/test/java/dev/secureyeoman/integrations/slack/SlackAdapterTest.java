package dev.secureyeoman.integrations.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.Png;
import dev.secureyeoman.integrations.adapters.RecordingSleeper;
import dev.secureyeoman.integrations.adapters.TestContext;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackAdapterTest {
  private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private FakePlatform slack;
  private TestContext ctx;
  private RecordingSleeper sleeper;
  private SlackIntegrationFactory factory;
  private Integration<SlackConfig> adapter;

  @BeforeEach
  void setUp() throws Exception {
    slack = new FakePlatform();
    slack.on("/api/chat.postMessage", r -> FakePlatform.Response.json(200, "{\"ok\":true,\"ts\":\"1733133600.000200\"}"));
    slack.on("/files/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"), Png.of(1000)));
    sleeper = new RecordingSleeper();
    start(AdapterOptions.builder().sleeper(sleeper).maxWebhookBodyBytes(4096).build());
  }

  @SuppressWarnings("unchecked")
  private void start(AdapterOptions options) throws Exception {
    factory = new SlackIntegrationFactory(options);
    adapter = (Integration<SlackConfig>) factory.create();
    ctx = new TestContext("slack");
    adapter.init(new SlackConfig("xoxb-test-token", SECRET, "UBOT", slack.baseUrl() + "/api"), ctx);
    adapter.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    adapter.stop();
    slack.close();
  }

  private WebhookRequest signed(String body, long timestamp) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return request(bytes, Long.toString(timestamp),
        SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), Long.toString(timestamp), bytes));
  }

  private WebhookRequest request(byte[] body, String ts, String sig) {
    return WebhookRequest.builder("POST", "/")
        .header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", sig)
        .header("Content-Type", "application/json")
        .body(body)
        .receivedAt(ctx.clock.instant())
        .build();
  }

  private long now() {
    return ctx.clock.instant().getEpochSecond();
  }

  private static String messageEvent(String eventId, String text, String threadTs, boolean withFile, String fileUrl) {
    return "{\"token\":\"x\",\"team_id\":\"T1\",\"api_app_id\":\"A1\",\"type\":\"event_callback\",\"event_id\":\""
        + eventId + "\",\"event_time\":1733133600,\"event\":{\"type\":\"message\","
        + (withFile ? "\"subtype\":\"file_share\"," : "")
        + "\"channel\":\"C1\",\"channel_type\":\"channel\",\"user\":\"U42\",\"text\":" + quote(text)
        + ",\"ts\":\"1733133600.000100\"" + (threadTs == null ? "" : ",\"thread_ts\":\"" + threadTs + "\"")
        + (withFile ? ",\"files\":[{\"id\":\"F1\",\"name\":\"../../etc/passwd.png\",\"mimetype\":\"image/png\","
            + "\"size\":1000,\"url_private_download\":\"" + fileUrl + "\"}]" : "")
        + "}}";
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void webhook_validSignedMessage_isHandedOnWithThreadAndAttachment() throws Exception {
    WebhookResponse r = ctx.deliver(signed(messageEvent("Ev1", "hello", "1733130000.000001", true,
        slack.baseUrl() + "/files/F1/img.png"), now()));
    assertEquals(200, r.status());
    assertEquals(1, ctx.inbound.size());
    UnifiedMessage m = ctx.inbound.get(0);
    assertEquals(new ThreadKey("slack", "T1:C1", "1733130000.000001"), m.thread());
    assertEquals("hello", m.text());
    assertEquals("U42", m.sender().id());
    assertFalse(m.sender().bot());
    MessageAttachment a = m.attachments().get(0);
    assertEquals(MessageAttachment.Kind.IMAGE, a.kind());
    assertEquals(1000L, a.declaredSize().getAsLong());
    assertFalse(a.toString().contains("/files/F1"), "the private URL never shows in toString");
  }

  @Test
  void webhook_urlVerification_answersTheChallengeOnlyWhenSigned() throws Exception {
    String body = "{\"token\":\"x\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\","
        + "\"type\":\"url_verification\"}";
    WebhookResponse ok = ctx.deliver(signed(body, now()));
    assertEquals(200, ok.status());
    assertEquals("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        JSON.readTree(ok.body()).get("challenge").asText());
    WebhookResponse forged = ctx.deliver(request(body.getBytes(StandardCharsets.UTF_8), Long.toString(now()),
        "v0=" + "0".repeat(64)));
    assertEquals(401, forged.status());
  }

  @Test
  void webhook_badSignature_isRefusedAndNothingHandedOn() throws Exception {
    String body = messageEvent("Ev2", "hi", null, false, null);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String good = SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), Long.toString(now()), bytes);
    // one flipped hex digit, a signature by another secret, a missing header, the body changed after signing
    char flipped = good.charAt(10) == 'a' ? 'b' : 'a';
    String[] bad = {good.substring(0, 10) + flipped + good.substring(11),
        SlackSignature.sign("another-secret-value".getBytes(StandardCharsets.UTF_8), Long.toString(now()), bytes),
        good.toUpperCase(java.util.Locale.ROOT)};
    for (String sig : bad) {
      assertEquals(401, ctx.deliver(request(bytes, Long.toString(now()), sig)).status());
    }
    WebhookRequest noSig = WebhookRequest.builder("POST", "/").header("X-Slack-Request-Timestamp",
        Long.toString(now())).body(bytes).receivedAt(ctx.clock.instant()).build();
    assertEquals(401, ctx.deliver(noSig).status());
    byte[] tampered = body.replace("\"hi\"", "\"HI\"").getBytes(StandardCharsets.UTF_8);
    assertEquals(401, ctx.deliver(request(tampered, Long.toString(now()), good)).status());
    assertTrue(ctx.inbound.isEmpty());
    assertTrue(adapter.health().detail().contains("refused 5"), adapter.health().detail());
  }

  @Test
  void webhook_timestampOutsideFiveMinutes_isRefusedEvenWithAValidSignature() throws Exception {
    String body = messageEvent("Ev3", "hi", null, false, null);
    assertEquals(401, ctx.deliver(signed(body, now() - 301)).status(), "stale");
    assertEquals(401, ctx.deliver(signed(body, now() + 301)).status(), "future");
    assertTrue(ctx.inbound.isEmpty());
    assertEquals(200, ctx.deliver(signed(body, now() - 299)).status(), "inside the window");
    assertEquals(1, ctx.inbound.size());
  }

  @Test
  void webhook_replayedRequest_isRefused_andSlackRetriesAreNotHandedOnTwice() throws Exception {
    WebhookRequest first = signed(messageEvent("Ev4", "once", null, false, null), now());
    assertEquals(200, ctx.deliver(first).status());
    assertEquals(401, ctx.deliver(first).status(), "the identical signed request replayed");
    ctx.clock.advance(Duration.ofSeconds(30));
    // Slack's own retry: same event, new timestamp and signature → acknowledged, not handed on again
    assertEquals(200, ctx.deliver(signed(messageEvent("Ev4", "once", null, false, null), now())).status());
    assertEquals(1, ctx.inbound.size());
  }

  @Test
  void webhook_oversizedBodyOrWrongMethod_isRefusedBeforeVerification() throws Exception {
    String big = messageEvent("Ev5", "x".repeat(5000), null, false, null);
    assertEquals(413, ctx.deliver(signed(big, now())).status());
    WebhookRequest get = WebhookRequest.builder("GET", "/").receivedAt(ctx.clock.instant()).build();
    assertEquals(405, ctx.deliver(get).status());
    assertEquals(400, ctx.deliver(signed("[1,2]", now())).status());
    assertTrue(ctx.inbound.isEmpty());
  }

  @Test
  void webhook_botAndOwnMessages_areMarkedBot_editsIgnored() throws Exception {
    String own = messageEvent("Ev6", "me", null, false, null).replace("U42", "UBOT");
    assertEquals(200, ctx.deliver(signed(own, now())).status());
    assertTrue(ctx.inbound.get(0).sender().bot());
    String edit = messageEvent("Ev7", "x", null, false, null).replace("\"type\":\"message\",",
        "\"type\":\"message\",\"subtype\":\"message_changed\",");
    assertEquals(200, ctx.deliver(signed(edit, now())).status());
    assertEquals(1, ctx.inbound.size());
  }

  @Test
  void send_escapesMentionsAndMarkup_postsIntoTheThread() throws Exception {
    ThreadKey key = new ThreadKey("slack", "T1:C1", "1733130000.000001");
    adapter.send(OutboundMessage.to(key, "<!everyone> <!channel> ping <@U999> & <https://evil.example|click> *bold*"));
    FakePlatform.Request req = slack.requests("/api/chat.postMessage").get(0);
    assertEquals("Bearer xoxb-test-token", req.header("Authorization"));
    JsonNode body = JSON.readTree(req.body());
    assertEquals("C1", body.get("channel").asText());
    assertEquals("1733130000.000001", body.get("thread_ts").asText());
    assertFalse(body.get("mrkdwn").asBoolean());
    String text = body.get("text").asText();
    assertFalse(text.contains("<"), text);
    assertFalse(text.contains(">"), text);
    assertEquals("&lt;!everyone&gt; &lt;!channel&gt; ping &lt;@U999&gt; &amp; &lt;https://evil.example|click&gt; *bold*",
        text);
  }

  @Test
  void send_mainThread_hasNoThreadTs_andLongTextIsSplitToTheLimit() throws Exception {
    ThreadKey key = new ThreadKey("slack", "T1:D1", "main");
    String text = ("word ".repeat(1999) + "\n").repeat(1) + "<".repeat(3000);
    adapter.send(OutboundMessage.to(key, text));
    var posts = slack.requests("/api/chat.postMessage");
    assertTrue(posts.size() >= 3, "split into " + posts.size());
    StringBuilder joined = new StringBuilder();
    for (FakePlatform.Request p : posts) {
      JsonNode b = JSON.readTree(p.body());
      assertFalse(b.has("thread_ts"));
      String t = b.get("text").asText();
      assertTrue(t.length() <= 4000, "part of " + t.length());
      assertFalse(t.endsWith("&") || t.endsWith("&l") || t.endsWith("&lt"), "escape sequence cut");
      joined.append(t);
    }
    assertEquals(text.replace("<", "&lt;").replace("\n", ""), joined.toString().replace("\n", ""));
    assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(key, "<".repeat(65_000))), "more than 16 parts is refused");
  }

  @Test
  void send_429WithShortRetryAfter_waitsAndRetries() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    slack.on("/api/chat.postMessage", r -> calls.incrementAndGet() == 1
        ? new FakePlatform.Response(429, Map.of("Retry-After", "2"), new byte[0])
        : FakePlatform.Response.json(200, "{\"ok\":true,\"ts\":\"1.2\"}"));
    assertEquals("1.2", adapter.send(OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "hi")).messageId());
    assertEquals(2, calls.get());
    assertEquals(java.util.List.of(Duration.ofSeconds(2)), sleeper.waits);
  }

  @Test
  void send_429WithLongRetryAfter_failsAtOnce_andHealthIsDegraded() throws Exception {
    slack.on("/api/chat.postMessage", r -> new FakePlatform.Response(429, Map.of("Retry-After", "120"), new byte[0]));
    IntegrationException e = assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "hi")));
    assertTrue(e.getMessage().contains("rate limited"), e.getMessage());
    assertTrue(sleeper.waits.isEmpty());
    assertEquals(1, slack.requests("/api/chat.postMessage").size());
    assertEquals(Health.Status.DEGRADED, adapter.health().status());
    // while blocked, a second send fails without calling Slack
    assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "again")));
    assertEquals(1, slack.requests("/api/chat.postMessage").size());
  }

  @Test
  void send_slackError_isReportedWithoutSecrets() throws Exception {
    slack.on("/api/chat.postMessage", r -> FakePlatform.Response.json(200, "{\"ok\":false,\"error\":\"channel_not_found\"}"));
    IntegrationException e = assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("slack", "T1:C9", "main"), "hi")));
    assertTrue(e.getMessage().contains("channel_not_found"));
    assertFalse(e.getMessage().contains("xoxb"));
  }

  @Test
  void media_attachmentIsDownloadedWithTheBearerToken_throughTheMediaHandler() throws Exception {
    ctx.deliver(signed(messageEvent("Ev8", "pic", null, true, slack.baseUrl() + "/files/F1/img.png"), now()));
    MessageAttachment a = ctx.inbound.get(0).attachments().get(0);
    MediaPolicy policy = MediaPolicy.builder().allowHosts("slack", "127.0.0.1")
        .allowLoopbackForTesting(slack.port()).build();
    try (MediaHandler media = MediaHandler.builder().policy(policy).withoutScanning()
        .directory(tmp.resolve("media")).build()) {
      try (MediaHandle h = media.download(factory.resolve(a))) {
        assertEquals("image/png", h.contentType());
        assertEquals(1000, Files.size(h.path()));
        assertTrue(h.path().startsWith(media.directory()), "the sender's ../ file name never became a path");
      }
      try (var files = Files.list(media.directory())) {
        assertEquals(0, files.count());
      }
    }
    assertEquals("Bearer xoxb-test-token", slack.requests("/files/").get(0).header("Authorization"));
  }

  @Test
  void lifecycle_stoppedAdapter_refusesWebhooksAndSends_andConfigHidesSecrets() throws Exception {
    adapter.stop();
    assertEquals(503, ctx.deliver(signed(messageEvent("Ev9", "x", null, false, null), now())).status());
    assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("slack", "T1:C1", "main"), "x")));
    assertThrows(IntegrationException.class, () -> factory.resolve(
        MessageAttachment.builder(MessageAttachment.Kind.IMAGE, "https://files.slack.com/x").build()));
    assertEquals(Health.Status.DOWN, adapter.health().status());
    String s = new SlackConfig("xoxb-test-token", SECRET, null, null).toString();
    assertFalse(s.contains("xoxb") || s.contains(SECRET), s);
    assertEquals("https://slack.com/api", new SlackConfig("t", SECRET, null, null).apiBaseUrl());
  }

  @Test
  void init_plainHttpToANonLoopbackHost_isRefused() {
    @SuppressWarnings("unchecked")
    Integration<SlackConfig> a = (Integration<SlackConfig>) new SlackIntegrationFactory().create();
    assertThrows(IntegrationException.class,
        () -> a.init(new SlackConfig("t", SECRET, null, "http://slack.example/api"), new TestContext("slack")));
    assertThrows(IntegrationException.class,
        () -> a.init(new SlackConfig("t", SECRET, null, "https://user@slack.example/api"), new TestContext("slack")));
  }
}
