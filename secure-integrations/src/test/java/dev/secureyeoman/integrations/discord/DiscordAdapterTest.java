package dev.secureyeoman.integrations.discord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.Png;
import dev.secureyeoman.integrations.adapters.RecordingSleeper;
import dev.secureyeoman.integrations.adapters.TestContext;
import dev.secureyeoman.integrations.discord.internal.DiscordSignature;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.MediaRejectedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscordAdapterTest {
  private static final String TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs";
  private static final String INTERACTION_TOKEN = "aW50ZXJhY3Rpb246ODg4ODg4OmFiY2RlZg";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private FakePlatform discord;
  private TestContext ctx;
  private RecordingSleeper sleeper;
  private DiscordIntegrationFactory factory;
  private Integration<DiscordConfig> adapter;
  private KeyPair keys;
  private final AtomicInteger ids = new AtomicInteger(7000);

  @BeforeEach
  @SuppressWarnings("unchecked")
  void setUp() throws Exception {
    discord = new FakePlatform();
    discord.on("/api/v10/channels/", r -> FakePlatform.Response.json(200, "{\"id\":\"" + ids.incrementAndGet()
        + "\",\"channel_id\":\"1\",\"content\":\"x\"}"));
    discord.on("/api/v10/webhooks/", r -> FakePlatform.Response.json(200, "{\"id\":\"" + ids.incrementAndGet()
        + "\"}"));
    discord.on("/attachments/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"),
        Png.of(2000)));
    keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = keys.getPublic().getEncoded();
    String publicHex = HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    sleeper = new RecordingSleeper();
    factory = new DiscordIntegrationFactory(AdapterOptions.builder().sleeper(sleeper).maxWebhookBodyBytes(4096)
        .build());
    adapter = (Integration<DiscordConfig>) factory.create();
    ctx = new TestContext("discord");
    adapter.init(new DiscordConfig(TOKEN, publicHex, discord.baseUrl() + "/api/v10"), ctx);
    adapter.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    adapter.stop();
    discord.close();
  }

  private static String sign(PrivateKey key, String timestamp, byte[] body) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key);
    s.update(timestamp.getBytes(StandardCharsets.US_ASCII));
    s.update(body);
    return HexFormat.of().formatHex(s.sign());
  }

  private WebhookRequest signed(String body, long ts) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return request(bytes, Long.toString(ts), sign(keys.getPrivate(), Long.toString(ts), bytes));
  }

  private WebhookRequest request(byte[] body, String ts, String sig) {
    return WebhookRequest.builder("POST", "/").header("X-Signature-Ed25519", sig)
        .header("X-Signature-Timestamp", ts).body(body).receivedAt(ctx.clock.instant()).build();
  }

  private long now() {
    return ctx.clock.instant().getEpochSecond();
  }

  private static String command(String id, String text, int channelType, boolean withAttachment, String url) {
    return "{\"id\":\"" + id + "\",\"application_id\":\"888888\",\"type\":2,\"token\":\"" + INTERACTION_TOKEN
        + "\",\"version\":1,\"guild_id\":\"111\",\"channel_id\":\"222\",\"channel\":{\"id\":\"222\",\"type\":"
        + channelType + ",\"parent_id\":\"333\"},\"member\":{\"user\":{\"id\":\"42\",\"username\":\"ada\","
        + "\"global_name\":\"Ada\"}},\"data\":{\"id\":\"9\",\"name\":\"ask\",\"type\":1,\"options\":[{\"name\":"
        + "\"text\",\"type\":3,\"value\":\"" + text + "\"}"
        + (withAttachment ? ",{\"name\":\"file\",\"type\":11,\"value\":\"555\"}],\"resolved\":{\"attachments\":"
            + "{\"555\":{\"id\":\"555\",\"filename\":\"cat.png\",\"size\":2000,\"url\":\"" + url
            + "\",\"content_type\":\"image/png\"}}}}}" : "]}}");
  }

  @Test
  void ed25519_knownAnswerVector_verifiesOnlyTheSignedTimestampAndBody() throws Exception {
    // key: RFC 8032 section 7.1 TEST 1; signature over "1733133600" + {"type":1} computed with pyca/cryptography
    // 48.0.0 (an independent Ed25519 implementation), so the JCA path is checked against outside output
    var key = DiscordSignature.publicKey(HexFormat.of().parseHex(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    String sig = "075f6f4dfee35d099715a6b9ad3d0d00ead65ffe3fa2e769d0d31cb0079078eb"
        + "1f01777d94586c132fcc3f226afff44dbb84a41a18b528e6669ad5cc52d96106";
    byte[] body = "{\"type\":1}".getBytes(StandardCharsets.UTF_8);
    java.time.Instant at = java.time.Instant.ofEpochSecond(1733133600);
    Duration w = Duration.ofMinutes(5);
    assertEquals(DiscordSignature.Verdict.VALID, DiscordSignature.verify(key, "1733133600", sig, body, at, w));
    assertEquals(DiscordSignature.Verdict.VALID,
        DiscordSignature.verify(key, "1733133600", sig.toUpperCase(java.util.Locale.ROOT), body, at, w));
    assertEquals(DiscordSignature.Verdict.BAD_SIGNATURE, DiscordSignature.verify(key, "1733133601", sig, body, at, w));
    for (int bit = 0; bit < 512; bit += 7) { // flipped signature bits never verify
      byte[] raw = HexFormat.of().parseHex(sig);
      raw[bit / 8] ^= (byte) (1 << (bit % 8));
      assertEquals(DiscordSignature.Verdict.BAD_SIGNATURE,
          DiscordSignature.verify(key, "1733133600", HexFormat.of().formatHex(raw), body, at, w), "bit " + bit);
    }
    assertEquals(DiscordSignature.Verdict.STALE,
        DiscordSignature.verify(key, "1733133600", sig, body, at.plusSeconds(301), w));
  }

  @Test
  void webhook_ping_isAnsweredWithPong_onlyWhenSigned() throws Exception {
    WebhookResponse pong = ctx.deliver(signed("{\"type\":1,\"id\":\"1\",\"application_id\":\"888888\"}", now()));
    assertEquals(200, pong.status());
    assertEquals(1, JSON.readTree(pong.body()).get("type").asInt());
    byte[] body = "{\"type\":1}".getBytes(StandardCharsets.UTF_8);
    assertEquals(401, ctx.deliver(request(body, Long.toString(now()), "00".repeat(64))).status());
  }

  @Test
  void webhook_command_isDeferredAndHandedOn_inTheThreadChannel() throws Exception {
    WebhookResponse r = ctx.deliver(signed(command("1001", "hello bot", 11, true,
        discord.baseUrl() + "/attachments/1/555/cat.png?ex=1&hm=abc"), now()));
    assertEquals(200, r.status());
    assertEquals(5, JSON.readTree(r.body()).get("type").asInt(), "deferred response");
    UnifiedMessage m = ctx.inbound.get(0);
    assertEquals(new ThreadKey("discord", "333", "222"), m.thread(), "thread channel under its parent");
    assertEquals("hello bot", m.text());
    assertEquals("Ada", m.sender().displayName());
    MessageAttachment a = m.attachments().get(0);
    assertEquals(MessageAttachment.Kind.IMAGE, a.kind());
    ctx.deliver(signed(command("1002", "in channel", 0, false, null), now()));
    assertEquals(new ThreadKey("discord", "222", "main"), ctx.inbound.get(1).thread());
  }

  @Test
  void webhook_forgedStaleReplayedOrOversized_isRefused() throws Exception {
    String body = command("1003", "hi", 0, false, null);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(now());
    String good = sign(keys.getPrivate(), ts, bytes);
    KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    assertEquals(401, ctx.deliver(request(bytes, ts, sign(other.getPrivate(), ts, bytes))).status(), "other key");
    assertEquals(401, ctx.deliver(request(bytes, Long.toString(now() + 1), good)).status(), "timestamp changed");
    byte[] tampered = body.replace("\"hi\"", "\"HI\"").getBytes(StandardCharsets.UTF_8);
    assertEquals(401, ctx.deliver(request(tampered, ts, good)).status(), "body changed");
    assertEquals(401, ctx.deliver(request(bytes, ts, "zz" + good.substring(2))).status(), "malformed");
    assertEquals(401, ctx.deliver(signed(body, now() - 301)).status(), "stale");
    assertTrue(ctx.inbound.isEmpty());
    WebhookRequest ok = request(bytes, ts, good);
    assertEquals(200, ctx.deliver(ok).status());
    assertEquals(401, ctx.deliver(ok).status(), "replay of the same signed request");
    ctx.clock.advance(Duration.ofSeconds(1));
    assertEquals(200, ctx.deliver(signed(body, now())).status(), "Discord's re-delivery: acknowledged");
    assertEquals(1, ctx.inbound.size(), "but handed on once");
    assertEquals(413, ctx.deliver(signed(command("1004", "x".repeat(5000), 0, false, null), now())).status());
    assertEquals(400, ctx.deliver(signed("{\"type\":3,\"id\":\"5\"}", now())).status());
  }

  @Test
  void send_replyToAnInteraction_editsTheDeferredResponse_mentionsDisabledAndEscaped() throws Exception {
    ctx.deliver(signed(command("1005", "hi", 0, false, null), now()));
    UnifiedMessage in = ctx.inbound.get(0);
    adapter.send(OutboundMessage.replyTo(in, "@everyone @here <@42> **bold** `code` [x](https://evil)"));
    FakePlatform.Request edit = discord.requests("/api/v10/webhooks/").get(0);
    assertEquals("PATCH", edit.method());
    assertEquals("/api/v10/webhooks/888888/" + INTERACTION_TOKEN + "/messages/@original", edit.path());
    assertNull(edit.header("Authorization"), "the interaction token authorises; the bot token is not sent");
    JsonNode body = JSON.readTree(edit.body());
    assertEquals(0, body.get("allowed_mentions").get("parse").size());
    String content = body.get("content").asText();
    assertFalse(content.contains("@everyone") || content.contains("@here"), content);
    assertFalse(content.contains("<@42>") || content.contains("**bold**") || content.contains("[x](https"), content);
    assertEquals("@\u200beveryone @\u200bhere \\<@\u200b42\\> \\*\\*bold\\*\\* \\`code\\` \\[x\\]\\(https://evil\\)",
        content);
  }

  @Test
  void send_withoutPendingInteraction_postsToTheThreadChannelWithTheBotToken_andSplitsTo2000() throws Exception {
    ThreadKey key = new ThreadKey("discord", "333", "222");
    adapter.send(OutboundMessage.to(key, "a".repeat(4500)));
    List<FakePlatform.Request> posts = discord.requests("/api/v10/channels/222/messages");
    assertEquals(3, posts.size());
    for (FakePlatform.Request p : posts) {
      assertEquals("Bot " + TOKEN, p.header("Authorization"));
      assertTrue(JSON.readTree(p.body()).get("content").asText().length() <= 2000);
    }
    adapter.send(OutboundMessage.to(new ThreadKey("discord", "222", "main"), "x"));
    assertEquals(4, discord.requests("/api/v10/channels/222/messages").size());
    assertThrows(IntegrationException.class,
        () -> adapter.send(OutboundMessage.to(new ThreadKey("discord", "..x", "main"), "x")));
  }

  @Test
  void send_429WithRetryAfterInJson_waitsTheFractionalSeconds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    discord.on("/api/v10/channels/", r -> calls.incrementAndGet() == 1
        ? FakePlatform.Response.json(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":1.5,"
            + "\"global\":false}")
        : FakePlatform.Response.json(200, "{\"id\":\"77\"}"));
    assertEquals("77", adapter.send(OutboundMessage.to(new ThreadKey("discord", "222", "main"), "x")).messageId());
    assertEquals(List.of(Duration.ofMillis(1500)), sleeper.waits);
  }

  @Test
  void media_cdnAttachment_isDownloadedWithoutToken_andAnOversizeOneIsRefused() throws Exception {
    ctx.deliver(signed(command("1006", "pic", 0, true, discord.baseUrl() + "/attachments/1/555/cat.png"), now()));
    MessageAttachment a = ctx.inbound.get(0).attachments().get(0);
    MediaPolicy policy = MediaPolicy.builder().allowHosts("discord", "127.0.0.1")
        .allowLoopbackForTesting(discord.port()).maxBytes(4096).build();
    try (MediaHandler media = MediaHandler.builder().policy(policy).withoutScanning()
        .directory(tmp.resolve("media")).build()) {
      try (MediaHandle h = media.download(factory.resolve(a))) {
        assertEquals(2000, Files.size(h.path()));
      }
      discord.on("/attachments/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"),
          Png.of(10_000)));
      var undeclared = MessageAttachment.builder(MessageAttachment.Kind.IMAGE, a.platformRef()).build();
      MediaRejectedException e = assertThrows(MediaRejectedException.class,
          () -> media.download(factory.resolve(undeclared)));
      assertEquals(MediaRejectedException.Reason.TOO_LARGE, e.reason());
      try (var files = Files.list(media.directory())) {
        assertEquals(0, files.count());
      }
    }
    assertNull(discord.requests("/attachments/").get(0).header("Authorization"));
  }

  @Test
  void init_badPublicKey_isRefused_andToStringHidesTheToken() {
    @SuppressWarnings("unchecked")
    Integration<DiscordConfig> a = (Integration<DiscordConfig>) new DiscordIntegrationFactory().create();
    // (the config's @Pattern already demands 64 hex digits; init checks again when called directly)
    assertThrows(IntegrationException.class, () -> a.init(new DiscordConfig(TOKEN, "ff".repeat(31), null),
        new TestContext("discord")));
    assertFalse(new DiscordConfig(TOKEN, "00".repeat(32), null).toString().contains(TOKEN));
  }
}
