package dev.secureyeoman.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of security events in a Micrometer registry, one meter {@value #METER} tagged {@code event=<name>}; in
 * Prometheus format {@code secureyeoman_security_events_total{event="login_failure"} 3.0}. Every event is registered at
 * construction, so a scrape shows zeros rather than missing series (alerts such as {@code rate(...[5m]) > 10} then work
 * from the first failure on).
 *
 * <p>Alert on these, not on logs: the counters cannot be flooded away and carry no user data (no names, no addresses).
 *
 * <p>Thread-safe.
 */
public final class SecurityMetrics {

  /** The meter name. */
  public static final String METER = "secureyeoman.security.events";

  /** Security events counted. */
  public enum Event {
    /** A wrong password or unknown user at login. */
    LOGIN_FAILURE,
    /** A wrong or replayed second-factor code. */
    MFA_FAILURE,
    /** A request refused by a rate limit or login throttle (429). */
    RATE_LIMIT_HIT,
    /** A refresh token presented twice: its whole family was revoked. */
    REFRESH_REUSE,
    /** An audit-log verification that found tampering, truncation or a broken chain. */
    AUDIT_VERIFICATION_FAILURE,
    /** A request without a valid access token on a protected route (401). */
    UNAUTHENTICATED,
    /** An authenticated request lacking the required role (403). */
    FORBIDDEN,
    /** A cross-origin request or preflight from an origin not on the allowlist. */
    CORS_REJECTED,
    /** A request refused because the kill switch is engaged. */
    KILL_SWITCH_REFUSAL,
    /** A request body that failed parsing or validation (400). */
    INVALID_REQUEST;

    /**
     * The tag value.
     *
     * @return e.g. {@code login_failure}
     */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Event, Counter> counters = new EnumMap<>(Event.class);

  /**
   * Registers every counter.
   *
   * @param registry where the counters live
   */
  public SecurityMetrics(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    for (Event e : Event.values()) {
      counters.put(
          e,
          Counter.builder(METER)
              .description("Security events seen by the SecureYeoman HTTP policies")
              .tag("event", e.tag())
              .register(registry));
    }
  }

  /**
   * Counts one event.
   *
   * @param event the event
   */
  public void record(Event event) {
    counter(event).increment();
  }

  /**
   * The current count of an event.
   *
   * @param event the event
   * @return the count since start
   */
  public long count(Event event) {
    return (long) counter(event).count();
  }

  private Counter counter(Event event) {
    return Objects.requireNonNull(counters.get(Objects.requireNonNull(event, "event")), "a counter per event");
  }
}
