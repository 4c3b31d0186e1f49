package dev.secureyeoman.integrations.conversation.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.conversation.ConversationContext;
import dev.secureyeoman.integrations.conversation.ConversationLimits;
import dev.secureyeoman.integrations.conversation.ConversationStore;
import dev.secureyeoman.integrations.conversation.Turn;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The default store: one Caffeine cache of windows, bounded by the number of live threads and by the text it holds.
 * Appends run inside {@code asMap().compute}, so they are atomic per thread while different threads proceed in
 * parallel. Idle expiry is checked on every access and swept by {@link #maintain}.
 *
 * <p>Each window weighs the characters of its turns (plus a small overhead), but at least {@code maxStoredChars /
 * maxLiveThreads}: the total weight stays within {@code maxStoredChars}, which bounds both the text held and (through
 * the minimum weight) the number of threads. Eviction is Caffeine's W-TinyLFU, so a flood of new threads does not
 * flush established ones.
 */
public final class InMemoryConversationStore implements ConversationStore {

  /** Default text budget: 64 Mi characters (64 to 128 MiB of heap for the text). */
  public static final long DEFAULT_MAX_STORED_CHARS = 64L * 1024 * 1024;

  private static final int TURN_OVERHEAD_CHARS = 32;

  /** One thread's window; guarded by the cache's per-key compute. */
  private static final class Window {
    final ArrayDeque<Turn> turns = new ArrayDeque<>(4);
    int tokens;
    long chars;
    long lastActivityMillis;
  }

  private final Cache<ThreadKey, Window> cache;
  private final long maxStoredChars;
  private volatile long maxLiveThreads;

  /** Creates an empty store with the default text budget. */
  public InMemoryConversationStore() {
    this(DEFAULT_MAX_STORED_CHARS);
  }

  /**
   * Creates an empty store.
   *
   * @param maxStoredChars most characters of turn text and authors held at once (1 Mi .. 2^40)
   */
  public InMemoryConversationStore(long maxStoredChars) {
    if (maxStoredChars < 1024 * 1024 || maxStoredChars > (1L << 40)) {
      throw new IllegalArgumentException("maxStoredChars must be in 1048576..2^40, got " + maxStoredChars);
    }
    this.maxStoredChars = maxStoredChars;
    this.maxLiveThreads = 100_000;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxStoredChars)
            .weigher((ThreadKey k, Window w) -> weight(w))
            .executor(Runnable::run)
            .build();
  }

  private int weight(Window w) {
    long floor = Math.max(1, maxStoredChars / maxLiveThreads);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(floor, w.chars));
  }

  private static long chars(Turn t) {
    return (long) t.text().length() + t.author().length() + TURN_OVERHEAD_CHARS;
  }

  private void applyMaximum(ConversationLimits limits) {
    maxLiveThreads = limits.maxLiveThreads(); // read by the weigher: the floor weight per thread
  }

  @Override
  public void append(ThreadKey key, Turn turn, ConversationLimits limits, Instant now) {
    append(key, turn, limits, now, false);
  }

  @Override
  public ConversationContext appendAndLoad(ThreadKey key, Turn turn, ConversationLimits limits, Instant now) {
    return append(key, turn, limits, now, true);
  }

  private ConversationContext append(
      ThreadKey key, Turn turn, ConversationLimits limits, Instant now, boolean snapshot) {
    ConversationContext[] out = new ConversationContext[1];
    applyMaximum(limits);
    long nowMillis = now.toEpochMilli();
    long idleMillis = limits.idleTimeout().toMillis();
    cache
        .asMap()
        .compute(
            key,
            (k, w) -> {
              if (w == null || nowMillis - w.lastActivityMillis >= idleMillis) {
                w = new Window();
              }
              w.turns.addLast(turn);
              w.tokens += limits.tokens(turn);
              w.chars += chars(turn);
              w.lastActivityMillis = Math.max(w.lastActivityMillis, nowMillis);
              trim(w, limits);
              if (snapshot) {
                out[0] = new ConversationContext(key, List.copyOf(w.turns), w.tokens);
              }
              return w;
            });
    return out[0];
  }

  @Override
  public boolean appendAfter(ThreadKey key, Turn after, Turn turn, ConversationLimits limits, Instant now) {
    applyMaximum(limits);
    long nowMillis = now.toEpochMilli();
    long idleMillis = limits.idleTimeout().toMillis();
    boolean[] appended = {false};
    cache
        .asMap()
        .computeIfPresent(
            key,
            (k, w) -> {
              if (nowMillis - w.lastActivityMillis >= idleMillis || !w.turns.contains(after)) {
                return w;
              }
              w.turns.addLast(turn);
              w.tokens += limits.tokens(turn);
              w.chars += chars(turn);
              w.lastActivityMillis = Math.max(w.lastActivityMillis, nowMillis);
              trim(w, limits);
              appended[0] = true;
              return w;
            });
    return appended[0];
  }

  private static void trim(Window w, ConversationLimits limits) {
    int n = w.turns.size();
    if (n <= limits.maxTurns() && w.tokens <= limits.maxTokens()) {
      return;
    }
    int[] tokens = new int[n];
    int i = 0;
    for (Turn t : w.turns) {
      tokens[i++] = limits.tokens(t);
    }
    int evict = limits.turnsToEvict(tokens, n);
    for (int e = 0; e < evict; e++) {
      w.chars -= chars(w.turns.removeFirst());
      w.tokens -= tokens[e];
    }
  }

  @Override
  public ConversationContext load(ThreadKey key, ConversationLimits limits, Instant now) {
    long nowMillis = now.toEpochMilli();
    long idleMillis = limits.idleTimeout().toMillis();
    ConversationContext[] out = new ConversationContext[1];
    cache
        .asMap()
        .computeIfPresent(
            key,
            (k, w) -> {
              if (nowMillis - w.lastActivityMillis >= idleMillis) {
                return null; // expired: removed
              }
              out[0] = new ConversationContext(key, List.copyOf(w.turns), w.tokens);
              return w;
            });
    return out[0] != null ? out[0] : new ConversationContext(key, List.of(), 0);
  }

  @Override
  public boolean delete(ThreadKey key) {
    return cache.asMap().remove(key) != null;
  }

  @Override
  public int maintain(ConversationLimits limits, Instant now) {
    applyMaximum(limits);
    long cutoff = now.toEpochMilli() - limits.idleTimeout().toMillis();
    int[] removed = {0};
    for (ThreadKey key : cache.asMap().keySet()) {
      cache
          .asMap()
          .computeIfPresent(
              key,
              (k, w) -> {
                if (w.lastActivityMillis <= cutoff) {
                  removed[0]++;
                  return null;
                }
                return w;
              });
    }
    cache.cleanUp();
    return removed[0];
  }

  @Override
  public long threadCount() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  @Override
  public void close() {
    cache.invalidateAll();
  }
}
