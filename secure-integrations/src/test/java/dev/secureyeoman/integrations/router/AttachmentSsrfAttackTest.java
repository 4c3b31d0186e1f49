package dev.secureyeoman.integrations.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.Png;
import dev.secureyeoman.integrations.adapters.RecordingSleeper;
import dev.secureyeoman.integrations.adapters.TestContext;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack (held): a correctly signed Slack event whose {@code files[].url_private_download} point at internal hosts —
 * another loopback service, the cloud metadata address, an IPv4-mapped loopback literal — goes through the router.
 * Every such URL must be refused by the {@code MediaHandler}'s guard before any byte is requested (the bot token is a
 * bearer credential here), while a file on the allowed file host is downloaded and described to the AI.
 */
class AttachmentSsrfAttackTest {
  private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

  @TempDir Path tmp;
  private FakePlatform files;
  private FakePlatform internal;
  private TestContext ctx;
  private Integration<SlackConfig> adapter;

  @BeforeEach
  void setUp() throws Exception {
    files = new FakePlatform();
    files.on("/files/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"), Png.of(1000)));
    internal = new FakePlatform();
    internal.on("/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"), Png.of(1000)));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (adapter != null) {
      adapter.stop();
    }
    files.close();
    internal.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void internalAttachmentUrls_areRefusedBeforeAnyRequest_andTheAllowedFileIsDownloaded() throws Exception {
    SlackIntegrationFactory factory = new SlackIntegrationFactory(AdapterOptions.builder()
        .sleeper(new RecordingSleeper()).build());
    adapter = (Integration<SlackConfig>) factory.create();
    ctx = new TestContext("slack");
    adapter.init(new SlackConfig("xoxb-test", SECRET, "UBOT", files.baseUrl() + "/api"), ctx);
    adapter.start();

    String[] urls = {
      files.baseUrl() + "/files/T1/F1/ok.png",                                   // the allowed file host (legit)
      "http://127.0.0.1:" + internal.port() + "/latest/meta-data/iam",          // another loopback service
      "http://169.254.169.254/latest/meta-data/iam/security-credentials/",      // cloud metadata
      "http://[::ffff:127.0.0.1]:" + internal.port() + "/admin",                // IPv4-mapped loopback
      "http://2130706433:" + internal.port() + "/admin",                        // decimal IPv4 form
    };
    StringBuilder fileJson = new StringBuilder();
    for (int i = 0; i < urls.length; i++) {
      fileJson.append(i == 0 ? "" : ",").append("{\"id\":\"F").append(i).append("\",\"name\":\"f").append(i)
          .append(".png\",\"mimetype\":\"image/png\",\"size\":1000,\"url_private_download\":\"").append(urls[i])
          .append("\"}");
    }
    String body = "{\"team_id\":\"T1\",\"type\":\"event_callback\",\"event_id\":\"EvSsrf\",\"event\":{\"type\":"
        + "\"message\",\"subtype\":\"file_share\",\"channel\":\"C1\",\"channel_type\":\"channel\",\"user\":\"U42\","
        + "\"text\":\"look\",\"ts\":\"1733133600.000100\",\"files\":[" + fileJson + "]}}";
    long ts = ctx.clock.instant().getEpochSecond();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    WebhookRequest request = WebhookRequest.builder("POST", "/")
        .header("X-Slack-Request-Timestamp", Long.toString(ts))
        .header("X-Slack-Signature", SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8),
            Long.toString(ts), bytes))
        .body(bytes).receivedAt(ctx.clock.instant()).build();
    assertEquals(200, ctx.deliver(request).status());
    UnifiedMessage message = ctx.inbound.get(0);

    MediaPolicy policy = MediaPolicy.builder().allowHosts("slack", "127.0.0.1")
        .allowLoopbackForTesting(files.port()).build();
    List<String> modelInput = new CopyOnWriteArrayList<>();
    Path mediaDir = tmp.resolve("media");
    try (MediaHandler media = MediaHandler.builder().policy(policy).directory(mediaDir).withoutScanning().build();
        ConversationTracker tracker = ConversationTracker.builder().assistantName("bot").build()) {
      MessageRouter router = MessageRouter.builder()
          .killSwitch(KillSwitch.builder(tmp.resolve("kill-switch.json")).build())
          .tracker(tracker).media(media).resolver("slack", factory)
          .responder(c -> {
            modelInput.add(c.latest().text());
            return Optional.empty();
          })
          .build();
      router.accept(message);
      RouterStats st = router.stats();
      assertEquals(1, st.mediaAccepted(), "the file on the allowed host is downloaded");
      assertEquals(urls.length - 1, st.mediaRefused(), "every internal URL is refused");
    }
    assertTrue(internal.requests().isEmpty(), "no request may reach the internal service");
    assertEquals(1, files.requests("/files/").size());
    String seen = modelInput.get(0);
    assertTrue(seen.contains("image/png, 1000 bytes"), seen);
    assertFalse(seen.contains("169.254") || seen.contains("meta-data") || seen.contains("127.0.0.1"), seen);
    try (Stream<Path> left = Files.list(mediaDir)) {
      assertEquals(0, left.count(), "the downloaded file is deleted when the message is done");
    }
  }
}
