package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.integrations.ThreadKey;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a bounded context window per conversation thread and hands it to the AI.
 *
 * <p><b>Guarantees.</b> Each {@link ThreadKey} has its own window: turns recorded under one key never appear in another
 * key's context. Windows keep at most {@link ConversationLimits#maxTurns()} turns and about
 * {@link ConversationLimits#maxTokens()} tokens, evicting whole turns, oldest first. A thread without activity for
 * {@link ConversationLimits#idleTimeout()} (default 60 min, measured on the injected {@link Clock}) starts over empty.
 * At most {@link ConversationLimits#maxLiveThreads()} threads are kept. {@link #exchange} runs one exchange per thread
 * at a time (a second message in the same thread waits and then sees the first reply), while different threads run in
 * parallel.
 *
 * <p><b>Persistence</b> is the {@link ConversationStore}'s: in memory by default, or {@link SqliteConversationStore}
 * (sealed bodies, retention). <b>Non-goals:</b> no summarisation of evicted turns; token counts are estimates.
 *
 * <p>Typical router use:
 *
 * <pre>{@code
 * ThreadKey key = tracker.threads().slack(team, channel, ts, threadTs, false);
 * Optional<Turn> reply = tracker.exchange(key, Turn.user(sender, text, sentAt), responder);
 * reply.ifPresent(r -> adapter.sendInThread(key, r.text()));
 * }</pre>
 */
public final class ConversationTracker implements AutoCloseable {
  private final ConversationStore store;
  private final ConversationLimits limits;
  private final Clock clock;
  private final String assistantName;
  private final ThreadResolver threads;
  private final ConcurrentHashMap<ThreadKey, KeyLock> exchanges = new ConcurrentHashMap<>();

  /** A lock with a count of holders and waiters, removed from the map when the count drops to zero. */
  private static final class KeyLock {
    final ReentrantLock lock = new ReentrantLock();
    int users;
  }

  private ConversationTracker(Builder b) {
    this.store = b.store == null ? ConversationStore.inMemory() : b.store;
    this.limits = b.limits == null ? ConversationLimits.defaults() : b.limits;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.assistantName = b.assistantName == null ? "assistant" : b.assistantName;
    this.threads = new ThreadResolver(this.clock, this.limits.idleTimeout().multipliedBy(2));
  }

  /**
   * A new builder (defaults: in-memory store, {@link ConversationLimits#defaults()}, system UTC clock).
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the resolver adapters use to map platform messages to thread keys.
   *
   * @return the resolver
   */
  public ThreadResolver threads() {
    return threads;
  }

  /**
   * Returns the limits in force.
   *
   * @return the limits
   */
  public ConversationLimits limits() {
    return limits;
  }

  /**
   * Records a turn in a thread.
   *
   * @param key the thread
   * @param turn the turn
   * @throws ConversationException if the store failed
   */
  public void record(ThreadKey key, Turn turn) throws ConversationException {
    store.append(Objects.requireNonNull(key, "key"), Objects.requireNonNull(turn, "turn"), limits, now());
  }

  /**
   * Returns a thread's current window.
   *
   * @param key the thread
   * @return the context (empty for new or expired threads)
   * @throws ConversationException if the store failed
   */
  public ConversationContext context(ThreadKey key) throws ConversationException {
    return store.load(Objects.requireNonNull(key, "key"), limits, now());
  }

  /**
   * Records an inbound turn, asks the responder with this thread's window (ending with that turn), records the reply
   * as an assistant turn and returns it for sending back into the same thread.
   *
   * @param key the thread
   * @param incoming the user's turn
   * @param responder the model call
   * @return the reply (recorded unless the thread was forgotten or expired while it was produced), or empty if the
   *     responder stayed silent
   * @throws ConversationException if the store failed
   * @throws IOException if the responder failed (the inbound turn stays recorded, no reply is)
   * @throws InterruptedException if interrupted while waiting for the thread or the responder
   */
  public Optional<Turn> exchange(ThreadKey key, Turn incoming, AiResponder responder)
      throws ConversationException, IOException, InterruptedException {
    Objects.requireNonNull(responder, "responder");
    KeyLock kl = exchanges.compute(key, (k, v) -> {
      KeyLock l = v == null ? new KeyLock() : v;
      l.users++;
      return l;
    });
    try {
      kl.lock.lockInterruptibly();
      try {
        // one atomic step: the window ends with this turn even if another writer appends right after it
        ConversationContext context =
            store.appendAndLoad(key, Objects.requireNonNull(incoming, "incoming"), limits, now());
        Optional<String> reply = responder.respond(context);
        if (reply.isEmpty() || reply.get().isEmpty()) {
          return Optional.empty();
        }
        Turn answer = Turn.assistant(assistantName, reply.get(), now());
        // recorded only while the thread still holds the message: a thread forgotten meanwhile stays forgotten
        store.appendAfter(key, incoming, answer, limits, now());
        return Optional.of(answer);
      } finally {
        kl.lock.unlock();
      }
    } finally {
      exchanges.compute(key, (k, v) -> --v.users == 0 ? null : v);
    }
  }

  /**
   * Forgets a thread.
   *
   * @param key the thread
   * @return whether it existed
   * @throws ConversationException if the store failed
   */
  public boolean forget(ThreadKey key) throws ConversationException {
    return store.delete(key);
  }

  /**
   * Expires idle threads (and lets the store apply retention). Call periodically, e.g. every few minutes.
   *
   * @return how many threads were removed
   * @throws ConversationException if the store failed
   */
  public int maintain() throws ConversationException {
    return store.maintain(limits, now());
  }

  /**
   * Returns the number of stored threads.
   *
   * @return the count
   * @throws ConversationException if the store failed
   */
  public long threadCount() throws ConversationException {
    return store.threadCount();
  }

  private Instant now() {
    return clock.instant();
  }

  /** Closes the store. */
  @Override
  public void close() throws ConversationException {
    store.close();
  }

  /** Builder for {@link ConversationTracker}; each option settable once. */
  public static final class Builder {
    private @Nullable ConversationStore store;
    private @Nullable ConversationLimits limits;
    private @Nullable Clock clock;
    private @Nullable String assistantName;

    private Builder() {}

    private static void once(@Nullable Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    /**
     * Sets the store (default in-memory). The tracker closes it on {@link ConversationTracker#close()}.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(ConversationStore store) {
      once(this.store, "store");
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets the limits.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(ConversationLimits limits) {
      once(this.limits, "limits");
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Sets the clock (idle expiry, reply timestamps).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the author name recorded for the AI's replies (default {@code assistant}).
     *
     * @param name 1..256 characters
     * @return this builder
     */
    public Builder assistantName(String name) {
      once(this.assistantName, "assistantName");
      if (name == null || name.isEmpty() || name.length() > 256) {
        throw new IllegalArgumentException("assistantName must be 1-256 characters");
      }
      this.assistantName = name;
      return this;
    }

    /**
     * Builds the tracker.
     *
     * @return the tracker
     */
    public ConversationTracker build() {
      return new ConversationTracker(this);
    }
  }
}
