package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.discord.DiscordConfig;
import dev.secureyeoman.integrations.discord.DiscordIntegrationFactory;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: replay a captured, correctly signed webhook request exactly when the replay cache forgets it. A request whose
 * timestamp is {@code window} seconds in the future (sender clock ahead, or our clock behind) stays acceptable until
 * {@code floor(now) = ts + window}, i.e. for almost {@code 2 * window + 1 s} after it was first seen; the cache kept it
 * for exactly {@code 2 * window}, so the identical request was accepted (and for Discord handed on) a second time.
 */
class ReplayWindowAttackTest {
  private static final String SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

  private FakePlatform platform;
  private TestContext ctx;
  private Integration<?> adapter;

  @BeforeEach
  void setUp() throws Exception {
    platform = new FakePlatform();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (adapter != null) {
      adapter.stop();
    }
    platform.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void discord_futureDatedInteraction_isNotHandedOnAgainWhenTheCacheWouldForgetIt() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = keys.getPublic().getEncoded();
    String publicHex = HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    Integration<DiscordConfig> discord = (Integration<DiscordConfig>) new DiscordIntegrationFactory(
        AdapterOptions.builder().sleeper(new RecordingSleeper()).build()).create();
    adapter = discord;
    ctx = new TestContext("discord");
    discord.init(new DiscordConfig("bot-token", publicHex, platform.baseUrl() + "/api/v10"), ctx);
    discord.start();
    ctx.clock.advance(Duration.ofMillis(999)); // late in the second: the timestamp check truncates to seconds

    long ts = ctx.clock.instant().getEpochSecond() + 300; // the edge of the 5-minute window, in the future
    WebhookRequest captured = discordSigned(keys, interaction("1300000000000000077", "hello"), ts);
    assertEquals(200, ctx.deliver(captured).status());
    assertEquals(1, ctx.inbound.size());

    ctx.clock.advance(Duration.ofSeconds(600)); // floor(now) = ts + 300: the timestamp is still within the window
    assertEquals(401, ctx.deliver(captured).status(), "the identical request must still be refused as a replay");
    assertEquals(1, ctx.inbound.size(), "the replayed interaction must not be handed on a second time");

    // the legitimate path still works: a fresh interaction signed now
    long now = ctx.clock.instant().getEpochSecond();
    assertEquals(200, ctx.deliver(discordSigned(keys, interaction("1300000000000000078", "again"), now)).status());
    assertEquals(2, ctx.inbound.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void slack_futureDatedRequest_isRefusedAsReplayWhenTheCacheWouldForgetIt() throws Exception {
    Integration<SlackConfig> slack = (Integration<SlackConfig>) new SlackIntegrationFactory(
        AdapterOptions.builder().sleeper(new RecordingSleeper()).build()).create();
    adapter = slack;
    ctx = new TestContext("slack");
    slack.init(new SlackConfig("xoxb-test", SLACK_SECRET, "UBOT", platform.baseUrl() + "/api"), ctx);
    slack.start();
    ctx.clock.advance(Duration.ofMillis(999));

    long ts = ctx.clock.instant().getEpochSecond() + 300;
    String challenge = "{\"token\":\"x\",\"challenge\":\"abc123\",\"type\":\"url_verification\"}";
    WebhookRequest captured = slackSigned(challenge, ts);
    assertEquals(200, ctx.deliver(captured).status());

    ctx.clock.advance(Duration.ofSeconds(600));
    assertEquals(401, ctx.deliver(captured).status(), "the identical request must still be refused as a replay");

    long now = ctx.clock.instant().getEpochSecond();
    assertEquals(200, ctx.deliver(slackSigned(challenge, now)).status(), "a freshly signed request still passes");
  }

  private WebhookRequest slackSigned(String body, long ts) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return WebhookRequest.builder("POST", "/")
        .header("X-Slack-Request-Timestamp", Long.toString(ts))
        .header("X-Slack-Signature", SlackSignature.sign(SLACK_SECRET.getBytes(StandardCharsets.UTF_8),
            Long.toString(ts), bytes))
        .body(bytes).receivedAt(ctx.clock.instant()).build();
  }

  private WebhookRequest discordSigned(KeyPair keys, String body, long ts) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(keys.getPrivate());
    s.update(Long.toString(ts).getBytes(StandardCharsets.US_ASCII));
    s.update(bytes);
    return WebhookRequest.builder("POST", "/")
        .header("X-Signature-Ed25519", HexFormat.of().formatHex(s.sign()))
        .header("X-Signature-Timestamp", Long.toString(ts))
        .body(bytes).receivedAt(ctx.clock.instant()).build();
  }

  private static String interaction(String id, String text) {
    return "{\"id\":\"" + id + "\",\"application_id\":\"888888\",\"type\":2,\"token\":\"aW50ZXJhY3Rpb24\","
        + "\"version\":1,\"guild_id\":\"111\",\"channel_id\":\"222\",\"channel\":{\"id\":\"222\",\"type\":0},"
        + "\"member\":{\"user\":{\"id\":\"42\",\"username\":\"ada\"}},\"data\":{\"id\":\"9\",\"name\":\"ask\","
        + "\"type\":1,\"options\":[{\"name\":\"text\",\"type\":3,\"value\":\"" + text + "\"}]}}";
  }
}
