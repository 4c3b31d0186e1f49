package dev.secureyeoman.integrations.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.ThreadResolver.TelegramMessage;
import dev.secureyeoman.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadResolverTest {
  private final TestClock clock = TestClock.at(Instant.parse("2026-11-01T10:00:00Z"));
  private final ThreadResolver r = new ThreadResolver(clock, Duration.ofHours(2));

  private static TelegramMessage group(long id, Long replyTo) {
    return new TelegramMessage(-100500, false, id, null, false, replyTo);
  }

  @Test
  void telegram_replyChainsForumTopicsAndPrivateChats() {
    ThreadKey root = r.telegram(group(10, null));
    assertEquals(new ThreadKey("telegram", "-100500", "msg-10"), root);
    assertEquals(root, r.telegram(group(11, 10L))); // reply to the root
    r.rememberTelegramReply(root, 12); // the bot answered in the thread
    assertEquals(root, r.telegram(group(13, 12L))); // a reply to the bot's answer continues it
    assertEquals(root, r.telegram(group(14, 13L)));
    ThreadKey other = r.telegram(group(20, null));
    assertNotEquals(root, other);
    assertEquals(new ThreadKey("telegram", "-100500", "msg-99"), r.telegram(group(21, 99L))); // unknown target: new root
    // supergroup reply threads named by Telegram, forum topics
    assertEquals("msg-7", r.telegram(new TelegramMessage(-100500, false, 30, 7L, false, 7L)).thread());
    assertEquals("topic-3", r.telegram(new TelegramMessage(-100500, false, 31, 3L, true, null)).thread());
    assertEquals("topic-3", r.telegram(new TelegramMessage(-100500, false, 32, 3L, true, 31L)).thread());
    // a private chat is one conversation
    assertEquals(new ThreadKey("telegram", "777", "main"), r.telegram(new TelegramMessage(777, true, 1, null, false, null)));
    assertEquals("main", r.telegram(new TelegramMessage(777, true, 2, null, false, 1L)).thread());
    // the same message ids in another chat are another scope
    assertEquals(new ThreadKey("telegram", "-100600", "msg-10"),
        r.telegram(new TelegramMessage(-100600, false, 11, null, false, 10L)));
    assertThrows(IllegalArgumentException.class,
        () -> r.rememberTelegramReply(new ThreadKey("slack", "C", "1"), 1));
  }

  @Test
  void telegram_replyMemoryForgottenAfterItsWindow() {
    ThreadKey root = r.telegram(group(10, null));
    assertEquals(root, r.telegram(group(11, 10L)));
    clock.advance(Duration.ofHours(3));
    assertEquals("msg-11", r.telegram(group(12, 11L)).thread()); // forgotten: the target becomes a root
  }

  @Test
  void discordAndSlack() {
    assertEquals(new ThreadKey("discord", "555", "main"), r.discord("555", null));
    assertEquals(new ThreadKey("discord", "555", "999"), r.discord("999", "555"));
    assertEquals(new ThreadKey("slack", "T1:C1", "1700.1"), r.slack("T1", "C1", "1700.1", null, false));
    assertEquals(new ThreadKey("slack", "T1:C1", "1700.1"), r.slack("T1", "C1", "1700.5", "1700.1", false));
    assertEquals(new ThreadKey("slack", "D1", "main"), r.slack(null, "D1", "1700.7", null, true));
    assertEquals(new ThreadKey("slack", "D1", "1700.2"), r.slack(null, "D1", "1700.9", "1700.2", true));
  }

  @Test
  void tracker_repliesOnEachPlatformLandInTheirOwnContexts() throws Exception {
    ConversationTracker tracker = ConversationTracker.builder().clock(clock).build();
    ThreadResolver t = tracker.threads();
    Instant now = clock.instant();
    record Msg(ThreadKey key, String text) {}
    List<Msg> msgs =
        List.of(
            new Msg(t.telegram(group(100, null)), "tg root A"),
            new Msg(t.telegram(group(200, null)), "tg root B"),
            new Msg(t.telegram(group(101, 100L)), "tg reply A1"),
            new Msg(t.telegram(group(201, 200L)), "tg reply B1"),
            new Msg(t.telegram(group(102, 101L)), "tg reply A2"),
            new Msg(t.discord("thread-1", "chan"), "dc thread 1"),
            new Msg(t.discord("chan", null), "dc channel"),
            new Msg(t.discord("thread-1", "chan"), "dc thread 1 again"),
            new Msg(t.slack("T", "C", "1.0", null, false), "sl top"),
            new Msg(t.slack("T", "C", "1.5", "1.0", false), "sl in thread"),
            new Msg(t.slack("T", "C", "2.0", null, false), "sl other top"));
    for (Msg m : msgs) {
      tracker.record(m.key(), Turn.user("u", m.text(), now));
    }
    assertEquals(List.of("tg root A", "tg reply A1", "tg reply A2"), texts(tracker, msgs.get(0).key()));
    assertEquals(List.of("tg root B", "tg reply B1"), texts(tracker, msgs.get(1).key()));
    assertEquals(List.of("dc thread 1", "dc thread 1 again"), texts(tracker, msgs.get(5).key()));
    assertEquals(List.of("dc channel"), texts(tracker, msgs.get(6).key()));
    assertEquals(List.of("sl top", "sl in thread"), texts(tracker, msgs.get(8).key()));
    assertEquals(List.of("sl other top"), texts(tracker, msgs.get(10).key()));
  }

  private static List<String> texts(ConversationTracker tracker, ThreadKey key) throws ConversationException {
    return tracker.context(key).turns().stream().map(Turn::text).toList();
  }
}
