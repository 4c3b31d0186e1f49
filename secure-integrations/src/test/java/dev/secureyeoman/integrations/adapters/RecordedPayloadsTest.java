package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.discord.DiscordConfig;
import dev.secureyeoman.integrations.discord.DiscordIntegrationFactory;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.ScanResult;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import dev.secureyeoman.integrations.telegram.TelegramConfig;
import dev.secureyeoman.integrations.telegram.TelegramIntegrationFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each adapter against recorded-shape payloads (see {@code payloads/README.md}): the message is received, its image
 * is resolved, downloaded from the loopback fake, scanned and handed on, and the temp directory is empty afterwards.
 */
class RecordedPayloadsTest {
  private static final String TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  private static final String SECRET = "recorded-payload-secret-0001";

  @TempDir Path tmp;
  private FakePlatform fake;
  private MediaHandler media;
  private final List<Path> scanned = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    fake = new FakePlatform();
    fake.on("/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"), Png.of(1000)));
    fake.on("/bot" + TG_TOKEN + "/getFile", r -> FakePlatform.Response.json(200,
        "{\"ok\":true,\"result\":{\"file_id\":\"x\",\"file_unique_id\":\"u\",\"file_size\":1000,\"file_path\":"
            + "\"photos/file_3.png\"}}"));
    MediaPolicy policy = MediaPolicy.builder()
        .allowHosts("slack", "127.0.0.1").allowHosts("telegram", "127.0.0.1").allowHosts("discord", "127.0.0.1")
        .allowLoopbackForTesting(fake.port()).build();
    media = MediaHandler.builder().policy(policy).scanner(f -> {
      scanned.add(f);
      return ScanResult.clean();
    }).directory(tmp.resolve("media")).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    media.close();
    fake.close();
  }

  private String payload(String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("payloads/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("FILES_BASE", fake.baseUrl())
          .replace("CDN_BASE", fake.baseUrl());
    }
  }

  @SuppressWarnings("unchecked")
  private static <C> Integration<C> started(IntegrationFactory f, C config, TestContext ctx) throws Exception {
    Integration<C> a = (Integration<C>) f.create();
    a.init(config, ctx);
    a.start();
    return a;
  }

  /** Downloads the attachment, checks it was scanned, closes it, checks the directory is empty. */
  private void downloadAndScan(dev.secureyeoman.integrations.adapters.MediaResolver resolver, MessageAttachment a)
      throws Exception {
    try (MediaHandle h = media.download(resolver.resolve(a))) {
      assertEquals("image/png", h.contentType());
      assertEquals(ScanResult.Verdict.CLEAN, h.scanResult().orElseThrow().verdict());
      assertTrue(scanned.contains(h.path()));
    }
    try (var files = Files.list(media.directory())) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void slack_fileShareAndThreadReply_recordedShapes() throws Exception {
    TestContext ctx = new TestContext("slack");
    SlackIntegrationFactory f = new SlackIntegrationFactory();
    Integration<SlackConfig> a = started(f, new SlackConfig("xoxb-1", SECRET, "U0BOTUSER", fake.baseUrl()), ctx);
    for (String name : List.of("slack-file-share.json", "slack-thread-reply.json")) {
      byte[] body = payload(name).getBytes(StandardCharsets.UTF_8);
      String ts = Long.toString(ctx.clock.instant().getEpochSecond());
      WebhookRequest r = WebhookRequest.builder("POST", "/").header("X-Slack-Request-Timestamp", ts)
          .header("X-Slack-Signature", SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), ts, body))
          .body(body).receivedAt(ctx.clock.instant()).build();
      assertEquals(200, ctx.deliver(r).status(), name);
    }
    UnifiedMessage share = ctx.inbound.get(0);
    UnifiedMessage reply = ctx.inbound.get(1);
    assertEquals(new ThreadKey("slack", "T061EG9R6:C0LAN2Q65", "1733133600.000200"), share.thread());
    assertEquals(share.thread(), reply.thread(), "the reply lands in the thread the file share started");
    assertEquals("chart.png", share.attachments().get(0).fileName().orElseThrow());
    downloadAndScan(f, share.attachments().get(0));
    a.stop();
  }

  @Test
  void telegram_photoReplyAndTopicDocument_recordedShapes() throws Exception {
    TestContext ctx = new TestContext("telegram");
    TelegramIntegrationFactory f = new TelegramIntegrationFactory();
    Integration<TelegramConfig> a = started(f, TelegramConfig.webhook(TG_TOKEN, SECRET, fake.baseUrl()), ctx);
    for (String name : List.of("telegram-photo-update.json", "telegram-topic-document-update.json")) {
      WebhookRequest r = WebhookRequest.builder("POST", "/").header("X-Telegram-Bot-Api-Secret-Token", SECRET)
          .body(payload(name).getBytes(StandardCharsets.UTF_8)).receivedAt(ctx.clock.instant()).build();
      assertEquals(200, ctx.deliver(r).status(), name);
    }
    UnifiedMessage photo = ctx.inbound.get(0);
    assertEquals(new ThreadKey("telegram", "-1001234567890", "msg-2040"), photo.thread());
    assertEquals("AgACAgQAAxkBAAIIA2dN-large", photo.attachments().get(0).platformRef());
    assertEquals("Ada Lovelace", photo.sender().displayName());
    UnifiedMessage doc = ctx.inbound.get(1);
    assertEquals("topic-77", doc.thread().thread());
    MessageAttachment d = doc.attachments().get(0);
    assertEquals(MessageAttachment.Kind.DOCUMENT, d.kind());
    assertEquals("../../notes.pdf", d.fileName().orElseThrow(), "kept as display metadata only");
    // the recorded photo declares image/jpeg by Telegram's convention; resolve a PNG declaration for the fake's bytes
    downloadAndScan(f, MessageAttachment.builder(MessageAttachment.Kind.IMAGE, photo.attachments().get(0)
        .platformRef()).contentType("image/png").build());
    a.stop();
  }

  @Test
  void discord_commandInAThreadWithAnAttachment_recordedShape() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] enc = keys.getPublic().getEncoded();
    TestContext ctx = new TestContext("discord");
    DiscordIntegrationFactory f = new DiscordIntegrationFactory();
    Integration<DiscordConfig> a = started(f, new DiscordConfig("bot-token", HexFormat.of().formatHex(
        Arrays.copyOfRange(enc, enc.length - 32, enc.length)), fake.baseUrl()), ctx);
    byte[] body = payload("discord-command-attachment.json").getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(ctx.clock.instant().getEpochSecond());
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(keys.getPrivate());
    s.update(ts.getBytes(StandardCharsets.US_ASCII));
    s.update(body);
    WebhookRequest r = WebhookRequest.builder("POST", "/").header("X-Signature-Ed25519",
        HexFormat.of().formatHex(s.sign())).header("X-Signature-Timestamp", ts).body(body)
        .receivedAt(ctx.clock.instant()).build();
    assertEquals(200, ctx.deliver(r).status());
    UnifiedMessage m = ctx.inbound.get(0);
    assertEquals(new ThreadKey("discord", "1184166666666666666", "1300000000000000222"), m.thread());
    assertEquals("is this bracket strong enough?", m.text());
    assertEquals("Grace", m.sender().displayName());
    assertFalse(m.attachments().get(0).toString().contains("hm=abc"), "signed CDN query never printed");
    downloadAndScan(f, m.attachments().get(0));
    a.stop();
  }
}
