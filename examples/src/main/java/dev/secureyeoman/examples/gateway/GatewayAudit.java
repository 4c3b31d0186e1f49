package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.SecurityMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's audit sink, wrapped around the audit store and handed to the auth service too.
 *
 * <ul>
 *   <li>Every event recorded while a request is handled gets the request id as its correlation id (unless it has one),
 *       so {@code auth.*} entries written by the auth service can be matched to the HTTP request and its log lines.
 *   <li>Events that are also security counters ({@code auth.refresh.reuse}) are counted in {@link SecurityMetrics}.
 *   <li>{@link #recordOncePerWindow} keeps repetitive unauthenticated noise (rate-limit hits, CORS rejections, bad
 *       tokens) from flooding the log: the first event per key and minute is written with the number suppressed since
 *       the previous one; the counters still see every occurrence.
 * </ul>
 */
public final class GatewayAudit implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayAudit.class);
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final int MAX_KEYS = 10_000;

  private final AuditSink store;
  private final SecurityMetrics metrics;
  private final LongSupplier ticker;
  private final Map<String, long[]> windows = new ConcurrentHashMap<>();

  /**
   * Wraps a sink.
   *
   * @param store the audit store
   * @param metrics the counters
   * @param ticker monotonic nanoseconds (e.g. {@code System::nanoTime}) for the once-per-minute windows, so a wall
   *     clock stepping back cannot silence them
   */
  public GatewayAudit(AuditSink store, SecurityMetrics metrics, LongSupplier ticker) {
    this.store = Objects.requireNonNull(store, "store");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  @Override
  public void record(AuditEvent event) throws AuditException {
    AuditEvent e = event;
    if (e.correlationId().isEmpty() && RequestIds.current().isPresent()) {
      e = new AuditEvent(e.level(), e.event(), e.actor(), e.message(), e.metadata(), RequestIds.current());
    }
    store.record(e);
    if ("auth.refresh.reuse".equals(e.event())) {
      metrics.record(SecurityMetrics.Event.REFRESH_REUSE);
    }
  }

  /**
   * How many (event, key) windows are tracked (bounded by 10 000 plus one aggregate per event).
   *
   * @return the number of windows
   */
  int trackedWindows() {
    return windows.size();
  }

  /**
   * Records a repetitive event at most once per key and minute (keys beyond 10 000 live windows share one per event); failures are logged, not thrown (the request it
   * belongs to is refused anyway).
   *
   * @param event event name
   * @param key what repeats (e.g. the client key); not stored, only used to group
   * @param builder the event to write, without its {@code suppressed} count
   */
  public void recordOncePerWindow(String event, String key, AuditEvent.Builder builder) {
    long now = ticker.getAsLong();
    String k = event + "|" + key;
    if (windows.size() >= MAX_KEYS && !windows.containsKey(k)) {
      windows.entrySet().removeIf(en -> now - en.getValue()[0] >= WINDOW.toNanos());
      if (windows.size() >= MAX_KEYS) {
        // a flood of distinct keys: aggregate the rest into one entry per event instead of growing without bound
        k = event + "|*";
        builder.put("aggregated", true);
      }
    }
    long[] suppressed = {-1};
    windows.compute(
        k,
        (kk, w) -> {
          if (w == null || now - w[0] >= WINDOW.toNanos()) {
            suppressed[0] = w == null ? 0 : w[1];
            return new long[] {now, 0};
          }
          w[1]++;
          return w;
        });
    if (suppressed[0] < 0) {
      return;
    }
    try {
      record(builder.level(AuditLevel.WARN).put("suppressed_since_last", suppressed[0]).build());
    } catch (AuditException | RuntimeException e) {
      LOG.warn("could not audit {}: {}", event, e.toString());
    }
  }
}
