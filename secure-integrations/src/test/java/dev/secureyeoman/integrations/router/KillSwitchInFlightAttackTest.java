package dev.secureyeoman.integrations.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.MessageSender;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.TestContext;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: the operator engages the kill switch while a long reply is going out. The router checks the switch once
 * before {@code send}, but the adapter then sends up to 16 parts and waits out 429s (up to 30 s each) on its own: every
 * remaining part, and every retry after a rate-limit wait, still went to the platform after "pause all bot activity".
 * Now an adapter built with {@code AdapterOptions.haltSendsWhile(killSwitch::isEngaged)} stops before the next part and
 * before a retry; with the switch released the same long reply goes out whole.
 */
class KillSwitchInFlightAttackTest {
  private static final String LONG_REPLY = "word ".repeat(1200); // 6 000 chars: two Slack parts

  @TempDir Path tmp;
  private FakePlatform slack;
  private KillSwitch killSwitch;
  private Integration<SlackConfig> adapter;
  private final AtomicInteger posts = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    slack = new FakePlatform();
    killSwitch = KillSwitch.builder(tmp.resolve("kill-switch.json")).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (adapter != null) {
      adapter.stop();
    }
    slack.close();
  }

  @SuppressWarnings("unchecked")
  private void startAdapter(AdapterOptions.Sleeper sleeper) throws Exception {
    adapter = (Integration<SlackConfig>) new SlackIntegrationFactory(AdapterOptions.builder().sleeper(sleeper)
        .haltSendsWhile(killSwitch::isEngaged).build()).create();
    adapter.init(new SlackConfig("xoxb-test", "signing-secret-0123456789", "UBOT", slack.baseUrl() + "/api"),
        new TestContext("slack"));
    adapter.start();
  }

  private RouterStats route() throws Exception {
    try (ConversationTracker tracker = ConversationTracker.builder().assistantName("bot").build()) {
      MessageRouter router = MessageRouter.builder().killSwitch(killSwitch).tracker(tracker)
          .responder(ctx -> Optional.of(LONG_REPLY)).sender(adapter::send).build();
      ThreadKey key = new ThreadKey("slack", "T1:C1", "1733133600.000100");
      router.accept(UnifiedMessage.builder(key, "1733133600.000100")
          .sender(new MessageSender("U42", "Ada", false)).text("tell me a long story")
          .receivedAt(Instant.parse("2026-12-02T10:00:00Z")).build());
      return router.stats();
    }
  }

  private void engage() {
    try {
      killSwitch.engage("ops@example", "pause all bot activity");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static FakePlatform.Response ok() {
    return FakePlatform.Response.json(200, "{\"ok\":true,\"ts\":\"1733133600.000200\"}");
  }

  @Test
  void engagedAfterTheFirstPart_theRemainingPartsAreNotSent() throws Exception {
    slack.on("/api/chat.postMessage", r -> {
      posts.incrementAndGet();
      engage(); // the operator pauses the bot while the first part is being delivered
      return ok();
    });
    startAdapter(d -> { });
    RouterStats st = route();
    assertTrue(killSwitch.isEngaged());
    assertEquals(1, posts.get(), "no part may be sent after the kill switch was engaged");
    assertEquals(0, st.replied());
  }

  @Test
  void engagedDuringARateLimitWait_theRetryIsNotSent() throws Exception {
    slack.on("/api/chat.postMessage", r -> {
      posts.incrementAndGet();
      return new FakePlatform.Response(429, Map.of("Retry-After", "1", "Content-Type", "application/json"),
          "{\"ok\":false,\"error\":\"ratelimited\"}".getBytes(StandardCharsets.UTF_8));
    });
    startAdapter(d -> engage()); // the switch is engaged while the adapter waits out the 429
    RouterStats st = route();
    assertEquals(1, posts.get(), "the rate-limited request must not be retried after the kill switch was engaged");
    assertEquals(0, st.replied());
  }

  @Test
  void released_theWholeLongReplyIsSent() throws Exception {
    slack.on("/api/chat.postMessage", r -> {
      posts.incrementAndGet();
      return ok();
    });
    startAdapter(d -> { });
    RouterStats st = route();
    assertEquals(2, posts.get());
    assertEquals(1, st.replied());
  }
}
