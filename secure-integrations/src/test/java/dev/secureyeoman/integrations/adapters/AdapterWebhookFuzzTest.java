package dev.secureyeoman.integrations.adapters;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.discord.DiscordConfig;
import dev.secureyeoman.integrations.discord.DiscordIntegrationFactory;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import dev.secureyeoman.integrations.telegram.TelegramConfig;
import dev.secureyeoman.integrations.telegram.TelegramIntegrationFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * Jazzer fuzz tests of the adapters' webhook parsers: the body is arbitrary but correctly authenticated (signed for
 * Slack and Discord, with the secret token for Telegram), so the fuzzer reaches the JSON handling. Regression mode
 * replays {@code src/test/resources/dev/secureyeoman/integrations/adapters/AdapterWebhookFuzzTestInputs/}; fuzz with
 * {@code ./mvnw -Pfuzz -pl secure-integrations test -Dtest='AdapterWebhookFuzzTest#slack'}.
 *
 * <p>Property: every answer is 200, 400, 401 (only for a replay of an earlier identical request) or 413; the handler
 * never throws; every message handed on is a valid {@link UnifiedMessage} of the adapter's platform.
 */
class AdapterWebhookFuzzTest {
  private static final String SECRET = "fuzzing-secret-token-0001";
  private static final Set<Integer> ALLOWED = Set.of(200, 400, 401, 413);
  private static TestContext slackCtx;
  private static TestContext telegramCtx;
  private static TestContext discordCtx;
  private static KeyPair discordKeys;

  private static synchronized void init() throws Exception {
    if (slackCtx != null) {
      return;
    }
    AdapterOptions o = AdapterOptions.defaults();
    slackCtx = new TestContext("slack");
    start(new SlackIntegrationFactory(o).create(), new SlackConfig("xoxb-f", SECRET, null, "http://127.0.0.1:9"),
        slackCtx);
    telegramCtx = new TestContext("telegram");
    start(new TelegramIntegrationFactory(o).create(), TelegramConfig.webhook("1:abc", SECRET, "http://127.0.0.1:9"),
        telegramCtx);
    discordKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] enc = discordKeys.getPublic().getEncoded();
    discordCtx = new TestContext("discord");
    start(new DiscordIntegrationFactory(o).create(), new DiscordConfig("t", HexFormat.of().formatHex(
        Arrays.copyOfRange(enc, enc.length - 32, enc.length)), "http://127.0.0.1:9"), discordCtx);
  }

  @SuppressWarnings("unchecked")
  private static <C> void start(Integration<?> a, C config, TestContext ctx) throws Exception {
    Integration<C> i = (Integration<C>) a;
    i.init(config, ctx);
    i.start();
  }

  private static void check(TestContext ctx, WebhookRequest r) throws Exception {
    int before = ctx.inbound.size();
    WebhookResponse resp = ctx.deliver(r);
    assertTrue(ALLOWED.contains(resp.status()), "status " + resp.status());
    for (UnifiedMessage m : ctx.inbound.subList(before, ctx.inbound.size())) {
      assertTrue(m.platform().equals(ctx.integrationId()), m.toString());
    }
    if (ctx.inbound.size() > 10_000) {
      ctx.inbound.clear();
    }
  }

  @FuzzTest(maxDuration = "60s")
  void slack(byte @NotNull [] body) throws Exception {
    init();
    if (body.length > 64 * 1024) {
      return;
    }
    String ts = Long.toString(slackCtx.clock.instant().getEpochSecond());
    check(slackCtx, WebhookRequest.builder("POST", "/").header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), ts, body))
        .body(body).receivedAt(slackCtx.clock.instant()).build());
  }

  @FuzzTest(maxDuration = "60s")
  void telegram(byte @NotNull [] body) throws Exception {
    init();
    if (body.length > 64 * 1024) {
      return;
    }
    check(telegramCtx, WebhookRequest.builder("POST", "/").header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(body).receivedAt(telegramCtx.clock.instant()).build());
  }

  @FuzzTest(maxDuration = "60s")
  void discord(byte @NotNull [] body) throws Exception {
    init();
    if (body.length > 64 * 1024) {
      return;
    }
    String ts = Long.toString(discordCtx.clock.instant().getEpochSecond());
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(discordKeys.getPrivate());
    s.update(ts.getBytes(StandardCharsets.US_ASCII));
    s.update(body);
    check(discordCtx, WebhookRequest.builder("POST", "/").header("X-Signature-Ed25519",
        HexFormat.of().formatHex(s.sign())).header("X-Signature-Timestamp", ts).body(body)
        .receivedAt(discordCtx.clock.instant()).build());
  }
}
