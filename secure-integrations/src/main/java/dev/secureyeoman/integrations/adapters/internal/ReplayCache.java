package dev.secureyeoman.integrations.adapters.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Remembers keys (request signatures, event ids) for a time window so a replayed webhook request is recognised.
 * Bounded: under a flood beyond {@code maxEntries} the least valuable entries go first; requests older than the
 * signature window are refused by their timestamp anyway, so the window is what matters.
 */
public final class ReplayCache {
  private final Cache<String, Boolean> seen;

  /**
   * Creates the cache.
   *
   * @param clock the clock (expiry follows it, so tests can move time)
   * @param window how long a key is remembered
   * @param maxEntries the most keys kept
   */
  public ReplayCache(Clock clock, Duration window, long maxEntries) {
    this.seen =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .expireAfterWrite(window)
            .ticker(() -> clock.millis() * 1_000_000L)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Records a key.
   *
   * @param key the key
   * @return true the first time within the window, false for a replay
   */
  public boolean firstSeen(String key) {
    return seen.asMap().putIfAbsent(key, Boolean.TRUE) == null;
  }

  /**
   * Forgets a key (when processing failed and the platform should be able to retry).
   *
   * @param key the key
   */
  public void forget(String key) {
    seen.invalidate(key);
  }
}
