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
 * The default store: one Caffeine cache of windows, size-bounded by {@code maxLiveThreads}. Appends run inside
 * {@code asMap().compute}, so they are atomic per thread while different threads proceed in parallel. Idle expiry is
 * checked on every access and swept by {@link #maintain}.
 */
public final class InMemoryConversationStore implements ConversationStore {

  /** One thread's window; guarded by the cache's per-key compute. */
  private static final class Window {
    final ArrayDeque<Turn> turns = new ArrayDeque<>(4);
    int tokens;
    long lastActivityMillis;
  }

  private final Cache<ThreadKey, Window> cache;
  private volatile long maximum;

  /** Creates an empty store. */
  public InMemoryConversationStore() {
    this.maximum = 100_000;
    this.cache = Caffeine.newBuilder().maximumSize(maximum).executor(Runnable::run).build();
  }

  private void applyMaximum(ConversationLimits limits) {
    if (limits.maxLiveThreads() != maximum) {
      synchronized (this) {
        maximum = limits.maxLiveThreads();
        cache.policy().eviction().ifPresent(e -> e.setMaximum(maximum));
      }
    }
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
              w.lastActivityMillis = Math.max(w.lastActivityMillis, nowMillis);
              trim(w, limits);
              if (snapshot) {
                out[0] = new ConversationContext(key, List.copyOf(w.turns), w.tokens);
              }
              return w;
            });
    return out[0];
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
      w.turns.removeFirst();
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
