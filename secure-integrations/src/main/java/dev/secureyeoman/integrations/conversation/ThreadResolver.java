package dev.secureyeoman.integrations.conversation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.secureyeoman.integrations.ThreadKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Maps a platform message to the {@link ThreadKey} of the conversation it belongs to. Adapters call one method per
 * inbound message (and {@link #rememberTelegramReply} for each reply they send), then record the turn under the key.
 *
 * <ul>
 *   <li><b>Telegram</b>: a forum-topic message belongs to its topic ({@code topic-<message_thread_id>}); in a
 *       supergroup, a message with {@code message_thread_id} belongs to the reply thread Telegram names
 *       ({@code msg-<id>}); otherwise a reply belongs to the thread of the message it replies to (remembered as
 *       messages arrive; an unknown target starts a thread rooted at it), and a message that replies to nothing starts
 *       its own thread {@code msg-<message_id>}. Private chats are one conversation ({@code main}) outside topics.
 *       Scope: the chat id.
 *   <li><b>Discord</b>: a message in a thread channel belongs to that thread (scope: the parent channel, thread: the
 *       thread channel id); any other channel is one conversation ({@code main}).
 *   <li><b>Slack</b>: a message with {@code thread_ts} belongs to that thread; a top-level channel message starts the
 *       thread named by its own {@code ts} (where the bot's reply goes); direct messages without {@code thread_ts} are
 *       one conversation ({@code main}). Scope: {@code team:channel}.
 * </ul>
 *
 * <p>The Telegram reply memory is bounded (most recent 200 000 messages, forgotten after twice the idle timeout) and
 * in-memory: after a restart, a reply to an older message starts a thread rooted at that message.
 *
 * <p>Thread-safe.
 */
public final class ThreadResolver {
  /** Thread name of an unthreaded conversation. */
  public static final String MAIN = "main";

  private final Cache<String, String> telegramRoots;

  /**
   * Creates a resolver.
   *
   * @param clock time source for forgetting old reply-chain entries
   * @param memory how long a message id is remembered
   */
  public ThreadResolver(Clock clock, Duration memory) {
    Objects.requireNonNull(clock, "clock");
    this.telegramRoots =
        Caffeine.newBuilder()
            .maximumSize(200_000)
            .expireAfterWrite(memory)
            .ticker(() -> clock.millis() * 1_000_000L)
            .executor(Runnable::run)
            .build();
  }

  /**
   * A Telegram message, as the Bot API's {@code Message} object describes it.
   *
   * @param chatId {@code chat.id}
   * @param privateChat whether {@code chat.type} is {@code private}
   * @param messageId {@code message_id}
   * @param messageThreadId {@code message_thread_id}, or null
   * @param topicMessage {@code is_topic_message}
   * @param replyToMessageId {@code reply_to_message.message_id}, or null
   */
  public record TelegramMessage(
      long chatId, boolean privateChat, long messageId, @Nullable Long messageThreadId, boolean topicMessage,
      @Nullable Long replyToMessageId) {}

  /**
   * Resolves a Telegram message and remembers it for later replies.
   *
   * @param m the message
   * @return its thread
   */
  public ThreadKey telegram(TelegramMessage m) {
    String scope = Long.toString(m.chatId());
    String thread;
    if (m.topicMessage() && m.messageThreadId() != null) {
      thread = "topic-" + m.messageThreadId();
    } else if (m.privateChat()) {
      thread = MAIN;
    } else if (m.messageThreadId() != null) {
      thread = "msg-" + m.messageThreadId();
    } else if (m.replyToMessageId() != null) {
      String known = telegramRoots.getIfPresent(scope + "/" + m.replyToMessageId());
      thread = known != null ? known : "msg-" + m.replyToMessageId();
    } else {
      thread = "msg-" + m.messageId();
    }
    telegramRoots.put(scope + "/" + m.messageId(), thread);
    return new ThreadKey("telegram", scope, thread);
  }

  /**
   * Remembers a message the bot sent into a Telegram thread, so that replies to it continue that thread.
   *
   * @param thread the thread the reply was sent to
   * @param sentMessageId the {@code message_id} Telegram returned for it
   */
  public void rememberTelegramReply(ThreadKey thread, long sentMessageId) {
    if (!thread.platform().equals("telegram")) {
      throw new IllegalArgumentException("not a telegram thread: " + thread.platform());
    }
    telegramRoots.put(thread.scope() + "/" + sentMessageId, thread.thread());
  }

  /**
   * Resolves a Discord message.
   *
   * @param channelId {@code channel_id} of the message
   * @param threadParentId the parent channel id when the channel is a thread (channel types 10, 11, 12), else null
   * @return its thread
   */
  public ThreadKey discord(String channelId, @Nullable String threadParentId) {
    return threadParentId == null
        ? new ThreadKey("discord", channelId, MAIN)
        : new ThreadKey("discord", threadParentId, channelId);
  }

  /**
   * Resolves a Slack message.
   *
   * @param teamId the workspace ({@code team}), or null for single-workspace apps
   * @param channelId {@code channel}
   * @param ts the message's {@code ts}
   * @param threadTs the message's {@code thread_ts}, or null
   * @param directMessage whether {@code channel_type} is {@code im}
   * @return its thread
   */
  public ThreadKey slack(
      @Nullable String teamId, String channelId, String ts, @Nullable String threadTs, boolean directMessage) {
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(ts, "ts");
    String scope = teamId == null ? channelId : teamId + ":" + channelId;
    String thread = threadTs != null ? threadTs : directMessage ? MAIN : ts;
    return new ThreadKey("slack", scope, thread);
  }
}
