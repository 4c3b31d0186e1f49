package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.auth.AuthStorageException;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.TextNeutralizer.CharClass;
import dev.secureyeoman.core.TextNeutralizer.Marker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the auth service writes to the audit sink goes through here.
 *
 * <ul>
 *   <li>Text from clients (addresses, user agents, attempted names) is escaped: control, bidi and line-separator
 *       characters become {@code \\uXXXX}, so an entry cannot forge lines or terminal sequences.
 *   <li>A user name that matches no account may be a password typed into the wrong field: it is stored only as a keyed
 *       hash ({@code username_hash}, HMAC-SHA256 under a key derived from the master key, 128 bits in hex).
 *   <li>Unauthenticated failures go through a {@link FailureAggregator}: the first per key and window is recorded, the
 *       rest become one {@code auth.audit.summary} event with a count.
 *   <li>Failures to write are {@link AuthStorageException} (the caller fails closed).
 * </ul>
 */
final class AuditTrail implements AutoCloseable {
  /** Builds an event only when it is recorded (building may read the database). */
  @FunctionalInterface
  interface EventSource {
    AuditEvent get() throws AuthStorageException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  private static final int MAX_TEXT = 256;
  private static final TextNeutralizer CLEAN = TextNeutralizer.builder()
      .unsafe(CharClass.CONTROL, CharClass.BIDI, CharClass.LINE_SEPARATOR, CharClass.LONE_SURROGATE)
      .escapeBackslash(true).maxChars(MAX_TEXT).marker(Marker.ELLIPSIS_WITH_LENGTH).build();
  static final String SUMMARY_EVENT = "auth.audit.summary";

  private final AuditSink sink;
  private final SecretBytes nameKey;
  private final Clock clock;
  private final FailureAggregator aggregator;
  private final AtomicLong nextSummaryCheck = new AtomicLong();

  AuditTrail(AuditSink sink, SecretBytes nameKey, Clock clock, Duration failureWindow) {
    this.sink = sink;
    this.nameKey = nameKey;
    this.clock = clock;
    this.aggregator = new FailureAggregator(failureWindow);
  }

  /** Builds an event; {@code kv} are metadata key/value pairs. */
  static AuditEvent event(AuditLevel level, String name, String actor, String message, Object... kv) {
    AuditEvent.Builder b = AuditEvent.builder(name).level(level).actor(actor).message(message);
    for (int i = 0; i < kv.length; i += 2) {
      b.put((String) kv[i], kv[i + 1]);
    }
    return b.build();
  }

  /**
   * Metadata pairs describing the client (its escaped address and, when known, its escaped user agent) followed by
   * {@code more}; a null client (an action through an access token, where the API takes no client) adds nothing.
   */
  static Object[] client(@Nullable ClientInfo client, Object... more) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (client != null) {
      m.put("client", clean(client.address()));
      client.userAgent().ifPresent(ua -> m.put("user_agent", clean(ua)));
    }
    Object[] out = new Object[m.size() * 2 + more.length];
    int i = 0;
    for (Map.Entry<String, Object> e : m.entrySet()) {
      out[i++] = e.getKey();
      out[i++] = e.getValue();
    }
    System.arraycopy(more, 0, out, i, more.length);
    return out;
  }

  /**
   * Escapes text from outside: C0/C1 controls, DEL, bidi overrides and isolates, line/paragraph separators and lone
   * surrogates become {@code \\uXXXX}, a backslash becomes two; longer text is cut at 256 chars with a marker.
   */
  static String clean(String s) {
    return CLEAN.neutralize(s);
  }

  /** The keyed hash of a name that matches no account (never the name itself). */
  String nameHash(String name) {
    String bounded = name.length() > 1024 ? name.substring(0, 1024) + "#" + name.length() : name;
    byte[] h = Keys.hmac(nameKey, bounded);
    return HexFormat.of().formatHex(h, 0, 16);
  }

  /** Records one event; fails closed. */
  void record(AuditEvent event) throws AuthStorageException {
    recordAll(List.of(event));
  }

  /**
   * Records events in order (after any due failure summaries); fails closed on the first that cannot be written. The
   * events of one transaction describe one change: if a later one fails after earlier ones were written, the change
   * is rolled back by the caller, so a compensating {@code auth.tx.rolled_back} event names those already written
   * (best effort: the sink just failed).
   */
  void recordAll(List<AuditEvent> events) throws AuthStorageException {
    flushDue(false);
    int written = 0;
    try {
      for (AuditEvent e : events) {
        sink.record(e);
        written++;
      }
    } catch (AuditException e) {
      if (written > 0) {
        compensate(events.subList(0, written), e);
      }
      throw new AuthStorageException("audit log unavailable", e);
    }
  }

  /**
   * An unauthenticated failure: recorded (fail closed) when it is the first for its key in the window, otherwise only
   * counted.
   */
  void failure(String event, String reason, String clientKey, EventSource build) throws AuthStorageException {
    FailureAggregator.Key k =
        aggregator.admit(new FailureAggregator.Key(event, reason, clientKey), clock.millis());
    if (k != null) {
      try {
        record(build.get());
      } catch (AuthStorageException | RuntimeException e) {
        aggregator.unrecorded(k); // counted in the summary; the next failure is recorded in full
        throw e;
      }
    }
  }

  /** After a failed COMMIT: says which recorded events describe a change that did not happen (best effort). */
  void compensate(List<AuditEvent> recorded, Exception cause) {
    if (recorded.isEmpty()) {
      return;
    }
    try {
      sink.record(
          event(
              AuditLevel.ERROR,
              "auth.tx.rolled_back",
              "system",
              "the change described by the previous events was not committed",
              "events",
              recorded.stream().map(AuditEvent::event).toList(),
              "error",
              clean(String.valueOf(cause.getMessage()))));
    } catch (AuditException | RuntimeException e) {
      LOG.error("commit failed after its audit events were recorded, and the compensating event failed too", e);
    }
  }

  /** Writes the summaries of finished windows (at most once per second unless {@code all}). */
  void flushDue(boolean all) {
    long now = clock.millis();
    long next = nextSummaryCheck.get();
    if (!all && (now < next || !nextSummaryCheck.compareAndSet(next, now + 1000))) {
      return;
    }
    List<FailureAggregator.Summary> due = aggregator.due(now, all);
    for (int i = 0; i < due.size(); i++) {
      FailureAggregator.Summary s = due.get(i);
      try {
        sink.record(
            event(
                AuditLevel.WARN,
                SUMMARY_EVENT,
                "anonymous",
                s.suppressed() + " further " + s.key().event() + " events in the window were counted, not recorded",
                "event",
                s.key().event(),
                "reason",
                s.key().reason(),
                "client",
                s.key().client(),
                "suppressed",
                s.suppressed(),
                "first_at",
                Instant.ofEpochMilli(s.firstAt()).toString(),
                "last_at",
                Instant.ofEpochMilli(s.lastAt()).toString()));
      } catch (AuditException | RuntimeException e) {
        LOG.warn("audit summary not written; kept for the next attempt", e);
        aggregator.restore(due.subList(i, due.size()));
        return;
      }
    }
  }

  /** Writes every pending summary; the key is owned by the caller. */
  @Override
  public void close() {
    flushDue(true);
  }
}
