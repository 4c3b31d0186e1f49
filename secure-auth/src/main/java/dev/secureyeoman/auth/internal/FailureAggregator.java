package dev.secureyeoman.auth.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Counts repeated unauthenticated failures instead of auditing each: per key (event, reason, client) the first failure of
 * a window is recorded in full, later ones in the same window are only counted, and when the window has ended the count
 * becomes one summary. Bounded: beyond {@link #MAX_KEYS} distinct keys, new keys share one overflow key per event and
 * reason (client {@code *}), so a flood of fresh client addresses cannot grow memory or the log.
 *
 * <p>Time is passed in by the caller (the service's injected clock). Thread-safe (one monitor; every operation is O(1)
 * except {@link #due}, which the caller runs at most once per second).
 */
final class FailureAggregator {
  static final int MAX_KEYS = 10_000;
  static final String OVERFLOW_CLIENT = "*";

  /** What failures are counted by. */
  record Key(String event, String reason, String client) {}

  /** A finished window with failures that were counted but not recorded. */
  record Summary(Key key, long firstAt, long lastAt, long suppressed) {}

  private static final class Window {
    final long start;
    long last;
    long suppressed;
    boolean needsFirst; // the failure admitted to be recorded in full could not be written

    Window(long start) {
      this.start = start;
      this.last = start;
    }
  }

  private final long windowMillis;
  private final Map<Key, Window> windows = new LinkedHashMap<>();
  private final List<Summary> finished = new ArrayList<>();

  FailureAggregator(Duration window) {
    this.windowMillis = window.toMillis();
  }

  /**
   * Registers one failure.
   *
   * @return the key under which it was counted if it must be recorded now (first of its window), else null
   */
  synchronized @Nullable Key admit(Key key, long now) {
    if (windowMillis == 0) {
      return key;
    }
    Key k = key;
    if (!windows.containsKey(k) && windows.size() >= MAX_KEYS) {
      k = new Key(key.event(), key.reason(), OVERFLOW_CLIENT);
    }
    Window w = windows.get(k);
    if (w != null && now - w.start < windowMillis && w.needsFirst) {
      w.needsFirst = false;
      w.last = now;
      return k; // the window's full record was lost: this failure is recorded in full instead
    }
    if (w != null && now - w.start < windowMillis) {
      w.suppressed++;
      w.last = now;
      return null;
    }
    if (w != null && w.suppressed > 0) {
      finished.add(new Summary(k, w.start, w.last, w.suppressed));
    }
    windows.put(k, new Window(now));
    return k;
  }

  /**
   * Removes and returns the summaries of windows that have ended (all of them when {@code all}).
   *
   * @param now the current time
   * @param all also end the running windows (at close)
   * @return summaries with at least one suppressed failure
   */
  synchronized List<Summary> due(long now, boolean all) {
    List<Summary> out = new ArrayList<>(finished);
    finished.clear();
    for (Iterator<Map.Entry<Key, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Window> e = it.next();
      Window w = e.getValue();
      if (all || now - w.start >= windowMillis) {
        if (w.suppressed > 0) {
          out.add(new Summary(e.getKey(), w.start, w.last, w.suppressed));
        }
        it.remove();
      }
    }
    return out;
  }

  /**
   * The failure that {@link #admit} asked to record in full could not be written (the caller failed closed): it is
   * counted into the window's summary, and the next failure of the window is recorded in full instead, so every
   * failure is accounted for either way.
   */
  synchronized void unrecorded(Key key) {
    Window w = windows.get(key);
    if (w != null) {
      w.suppressed++;
      w.needsFirst = true;
    }
  }

  /** Puts back summaries that could not be written, so their counts are not lost. */
  synchronized void restore(List<Summary> unwritten) {
    finished.addAll(0, unwritten);
  }
}
