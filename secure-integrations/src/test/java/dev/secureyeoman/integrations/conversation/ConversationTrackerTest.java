package dev.secureyeoman.integrations.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.RecordingModel.Message;
import dev.secureyeoman.testkit.TestClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConversationTrackerTest {
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private final TestClock clock = TestClock.at(T0);

  private ConversationTracker tracker(ConversationLimits limits) {
    return ConversationTracker.builder().limits(limits).clock(clock).assistantName("yeoman").build();
  }

  private Turn user(String who, String text) {
    return Turn.user(who, text, clock.instant());
  }

  @Test
  void exchange_responderSeesExactlyItsOwnThreadsEarlierTurns() throws Exception {
    ConversationTracker tracker = tracker(ConversationLimits.defaults());
    ThreadKey a = new ThreadKey("slack", "T1:C1", "1700000000.000100");
    ThreadKey b = new ThreadKey("slack", "T1:C1", "1700000000.000200");
    RecordingModel model = new RecordingModel();
    tracker.exchange(a, user("alice", "my cat is called Tom"), model);
    tracker.exchange(b, user("bob", "SECRET-B the launch code is 1234"), model);
    Optional<Turn> reply = tracker.exchange(a, user("alice", "what is my cat called?"), model);

    assertEquals(
        List.of(
            new Message("system", "You are a helpful bot."),
            new Message("user", "alice: my cat is called Tom"),
            new Message("assistant", "reply to 'my cat is called Tom' after 0 earlier"),
            new Message("user", "alice: what is my cat called?")),
        model.lastInput());
    assertFalse(model.lastInput().toString().contains("SECRET-B"));
    assertEquals("reply to 'what is my cat called?' after 2 earlier", reply.orElseThrow().text());
    assertEquals(Turn.Role.ASSISTANT, reply.get().role());
    assertEquals("yeoman", reply.get().author());
    // the reply was recorded into the same thread, and only there
    assertEquals(4, tracker.context(a).turns().size());
    assertEquals(reply.get(), tracker.context(a).latest());
    assertEquals(2, tracker.context(b).turns().size());
  }

  @Test
  void exchange_silentOrFailingResponder_recordsOnlyTheUserTurn() throws Exception {
    ConversationTracker tracker = tracker(ConversationLimits.defaults());
    ThreadKey k = new ThreadKey("discord", "123", "main");
    assertTrue(tracker.exchange(k, user("u", "hi"), c -> Optional.empty()).isEmpty());
    assertEquals(1, tracker.context(k).turns().size());
    assertThrows(IOException.class, () -> tracker.exchange(k, user("u", "again"), c -> {
      throw new IOException("model down");
    }));
    assertEquals(List.of("hi", "again"), tracker.context(k).turns().stream().map(Turn::text).toList());
  }

  @Test
  void window_boundedByTurnsAndTokens_evictingWholeTurns() throws Exception {
    ConversationTracker byTurns = tracker(ConversationLimits.builder().maxTurns(3).build());
    ThreadKey k = new ThreadKey("telegram", "42", "main");
    for (int i = 1; i <= 5; i++) {
      byTurns.record(k, user("u", "m" + i));
    }
    assertEquals(List.of("m3", "m4", "m5"), byTurns.context(k).turns().stream().map(Turn::text).toList());

    // tokens: ceil(chars/4)+4 → a 40-char turn costs 14; a budget of 30 holds two of them
    ConversationTracker byTokens = tracker(ConversationLimits.builder().maxTokens(30).build());
    for (int i = 1; i <= 4; i++) {
      byTokens.record(k, user("u", ("t" + i).repeat(20)));
    }
    ConversationContext ctx = byTokens.context(k);
    assertEquals(List.of("t3".repeat(20), "t4".repeat(20)), ctx.turns().stream().map(Turn::text).toList());
    assertEquals(28, ctx.approxTokens());
    // a single turn above the budget is still kept whole (never cut mid-message)
    byTokens.record(k, user("u", "x".repeat(400)));
    assertEquals(List.of("x".repeat(400)), byTokens.context(k).turns().stream().map(Turn::text).toList());
  }

  @Test
  void idleThread_expiresAndStartsOver() throws Exception {
    ConversationTracker tracker = tracker(ConversationLimits.builder().idleTimeout(Duration.ofMinutes(60)).build());
    ThreadKey stale = new ThreadKey("telegram", "1", "main");
    ThreadKey fresh = new ThreadKey("telegram", "2", "main");
    tracker.record(stale, user("u", "old"));
    clock.advance(Duration.ofMinutes(59));
    tracker.record(fresh, user("u", "new"));
    assertEquals(1, tracker.context(stale).turns().size()); // 59 min: still live
    clock.advance(Duration.ofMinutes(1));
    assertTrue(tracker.context(stale).isEmpty()); // 60 min idle: expired
    assertEquals(1, tracker.context(fresh).turns().size());
    tracker.record(stale, user("u", "hello again"));
    assertEquals(List.of("hello again"), tracker.context(stale).turns().stream().map(Turn::text).toList());
    clock.advance(Duration.ofHours(2));
    assertEquals(2, tracker.maintain());
    assertEquals(0, tracker.threadCount());
  }

  @Test
  void liveThreads_capped() throws Exception {
    ConversationTracker tracker = tracker(ConversationLimits.builder().maxLiveThreads(50).build());
    for (int i = 0; i < 500; i++) {
      tracker.record(new ThreadKey("discord", "c" + i, "main"), user("u", "x"));
    }
    assertTrue(tracker.threadCount() <= 50, "threads: " + tracker.threadCount());
    assertTrue(tracker.forget(new ThreadKey("discord", "c499", "main"))
        || tracker.context(new ThreadKey("discord", "c499", "main")).isEmpty());
  }

  @Test
  void exchange_oneThreadSerialisedOtherThreadsParallel() throws Exception {
    ConversationTracker tracker = tracker(ConversationLimits.defaults());
    ThreadKey k = new ThreadKey("slack", "C", "1.1");
    ThreadKey other = new ThreadKey("slack", "C", "2.2");
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<Optional<Turn>> first =
          pool.submit(() -> tracker.exchange(k, user("u", "first"), c -> {
            inFirst.countDown();
            try {
              releaseFirst.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            return Optional.of("answer one");
          }));
      assertTrue(inFirst.await(10, TimeUnit.SECONDS));
      RecordingModel model = new RecordingModel();
      // another thread is not blocked by the slow exchange
      pool.submit(() -> tracker.exchange(other, user("v", "elsewhere"), model)).get(10, TimeUnit.SECONDS);
      Future<Optional<Turn>> second = pool.submit(() -> tracker.exchange(k, user("u", "second"), model));
      assertFalse(second.isDone());
      releaseFirst.countDown();
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      // the second exchange ran after the first and saw its reply
      assertEquals(
          List.of("u: first", "answer one", "u: second"),
          model.lastInput().subList(1, 4).stream().map(Message::content).toList());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void builders_validateAndRefuseSecondSet() {
    assertThrows(IllegalArgumentException.class, () -> ConversationLimits.builder().maxTurns(0).build());
    assertThrows(IllegalArgumentException.class, () -> ConversationLimits.builder().maxTokens(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> ConversationLimits.builder().idleTimeout(Duration.ofMillis(10)).build());
    assertThrows(IllegalArgumentException.class, () -> ConversationLimits.builder().maxLiveThreads(0).build());
    assertThrows(IllegalStateException.class, () -> ConversationLimits.builder().maxTurns(2).maxTurns(3));
    assertThrows(IllegalStateException.class, () -> ConversationTracker.builder().clock(clock).clock(clock));
    assertThrows(IllegalArgumentException.class, () -> ConversationTracker.builder().assistantName(""));
    assertThrows(IllegalArgumentException.class, () -> Turn.user("", "x", T0));
    assertThrows(IllegalArgumentException.class, () -> Turn.user("a", "", T0));
    assertThrows(IllegalArgumentException.class, () -> Turn.user("a", "x".repeat(Turn.MAX_TEXT_CHARS + 1), T0));
    assertFalse(Turn.user("alice", "secret text", T0).toString().contains("secret"));
    assertFalse(Turn.user("alice", "secret text", T0).toString().contains("alice"));
    ConversationContext empty = new ConversationContext(new ThreadKey("x", "y", "z"), List.of(), 0);
    assertThrows(IllegalStateException.class, empty::latest);
    assertEquals(List.of(), empty.history());
    assertEquals(1, ConversationLimits.builder().tokenEstimator(t -> 0).build().tokens(user("a", "b")));
  }

  @Test
  void limits_fromYamlConfig_boundAndValidated() throws Exception {
    dev.secureyeoman.core.config.EncryptedConfigLoader loader =
        dev.secureyeoman.core.config.EncryptedConfigLoader.builder().build();
    dev.secureyeoman.core.config.SecurityConfig c =
        loader.parseSecurityConfig(
            "security:\n  integrations:\n    conversation:\n      retention: P7D\n      idle_timeout: PT15M\n"
                + "      max_turns: 5\n");
    assertEquals(Duration.ofDays(7), c.integrations().conversation().retention());
    ConversationLimits l = ConversationLimits.fromConfig(c.integrations().conversation());
    assertEquals(5, l.maxTurns());
    assertEquals(Duration.ofMinutes(15), l.idleTimeout());
    assertEquals(4000, l.maxTokens()); // unspecified keys keep their defaults
    dev.secureyeoman.core.config.ConfigException e =
        assertThrows(
            dev.secureyeoman.core.config.ConfigException.class,
            () -> loader.parseSecurityConfig(
                "security: {integrations: {conversation: {max_turns: 0, retention: PT0S}}}"));
    assertTrue(e.getMessage().contains("security.integrations.conversation.max_turns"), e.getMessage());
    assertTrue(e.getMessage().contains("security.integrations.conversation.retention"), e.getMessage());
  }

  @Test
  void limits_fromConfigDefaults() {
    ConversationLimits l =
        ConversationLimits.fromConfig(
            dev.secureyeoman.core.config.SecurityConfig.defaults().integrations().conversation());
    assertEquals(ConversationLimits.defaults().maxTurns(), l.maxTurns());
    assertEquals(Duration.ofMinutes(60), l.idleTimeout());
    assertEquals(4000, l.maxTokens());
    assertEquals(100_000, l.maxLiveThreads());
  }
}
