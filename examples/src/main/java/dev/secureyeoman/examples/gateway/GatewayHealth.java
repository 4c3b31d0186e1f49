package dev.secureyeoman.examples.gateway;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.VerificationResult;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code GET /healthz} answers, kept in step with the audit store's fail-closed state while the gateway runs.
 *
 * <ul>
 *   <li>{@code audit.read_only} is the store's persisted state ({@link AuditStore#tamperingDetected()}): true after any
 *       failed verification of the log (the start-up check, a maintenance run, {@code secureyeoman audit verify} from
 *       another process), false again after {@link AuditStore#acknowledgeTampering(String)}. While it is true the
 *       answer is 503: the store refuses appends, so nothing the gateway does can be audited. A failed verification
 *       that did not make the store read-only (a torn checkpoint file, a wrong key) is 503 too; one the host
 *       acknowledged is 200 {@code degraded}.
 *   <li>{@code audit.verified} and {@code audit.entries} are the most recent verification (start-up, then each
 *       maintenance run). {@code status} is {@code ok} when that verification passed and the store is writable,
 *       {@code degraded} otherwise (after an acknowledgement the log still holds the evidence: 200 {@code degraded}).
 *   <li>On PostgreSQL ({@code security.storage: postgres}) the store's state is the cluster's: a failed verification
 *       by any node (or by {@code secureyeoman audit verify}) makes every node answer 503 {@code read_only}; the body
 *       adds {@code "engine":"postgres"} and {@code "maintenance"}; a database that cannot be reached is 503 with
 *       {@code "unavailable":true}.
 * </ul>
 *
 * <p>The state is read from the database at most once per second of the monotonic ticker (a health probe under load
 * must not queue a read per request on the audit writer), and at once after {@link #verified} or
 * {@link #invalidate()} (a maintenance run, an acknowledgement made through this gateway's store).
 */
public final class GatewayHealth {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHealth.class);

  /** How long a computed answer is reused, in ticker nanoseconds. */
  public static final long REFRESH_NANOS = 1_000_000_000L;

  /**
   * One answer.
   *
   * @param status HTTP status (200 or 503)
   * @param body JSON body
   * @param readOnly whether the audit store refuses appends
   */
  public record Answer(int status, String body, boolean readOnly) {}

  private record Cached(Answer answer, long at) {}

  /** The event {@link AuditStore#acknowledgeTampering(String)} appends. */
  static final String ACKNOWLEDGED_EVENT = "audit.tampering_acknowledged";

  private final AuditStore audit;
  private final LongSupplier ticker;
  private final String sandboxBackend;
  private final String engine;
  private final String maintenance;
  private volatile VerificationResult lastVerification;
  private volatile Cached cached;

  /**
   * Creates the health state.
   *
   * @param audit the gateway's audit store
   * @param ticker monotonic nanoseconds
   * @param sandboxBackend the probed sandbox backend, reported as is
   * @param startVerification the start-up verification
   */
  public GatewayHealth(
      AuditStore audit, LongSupplier ticker, String sandboxBackend, VerificationResult startVerification) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sandboxBackend = Objects.requireNonNull(sandboxBackend, "sandboxBackend");
    this.lastVerification = Objects.requireNonNull(startVerification, "startVerification");
    this.engine = "sqlite";
    this.maintenance = "full";
  }

  /**
   * Creates the health state for a given storage engine. On {@code postgres} the body also says {@code "engine"}
   * and {@code "maintenance"} (what the periodic maintenance does: {@code full} = verification, retention and a
   * checkpoint); on {@code sqlite} the body is unchanged.
   *
   * @param audit the gateway's audit store
   * @param ticker monotonic nanoseconds
   * @param sandboxBackend the probed sandbox backend, reported as is
   * @param startVerification the start-up verification
   * @param engine {@code sqlite} or {@code postgres}
   * @param maintenance {@code full}
   */
  public GatewayHealth(
      AuditStore audit,
      LongSupplier ticker,
      String sandboxBackend,
      VerificationResult startVerification,
      String engine,
      String maintenance) {
    this.audit = Objects.requireNonNull(audit, "audit");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sandboxBackend = Objects.requireNonNull(sandboxBackend, "sandboxBackend");
    this.lastVerification = Objects.requireNonNull(startVerification, "startVerification");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
  }

  /**
   * Records a newer verification (e.g. of a maintenance run) and recomputes on the next request.
   *
   * @param result the verification
   */
  public void verified(VerificationResult result) {
    lastVerification = Objects.requireNonNull(result, "result");
    cached = null;
  }

  /** Recomputes on the next request (the store's state may have changed). */
  public void invalidate() {
    cached = null;
  }

  /**
   * The current answer.
   *
   * @return status and body
   */
  public Answer current() {
    long now = ticker.getAsLong();
    Cached c = cached;
    if (c == null || now - c.at() >= REFRESH_NANOS || now < c.at()) {
      c = new Cached(compute(), now);
      cached = c;
    }
    return c.answer();
  }

  /**
   * Whether the host acknowledged the failure of {@code v} (an {@code audit.tampering_acknowledged} entry after its first
   * broken seq). A failure that never made the store read-only (a torn checkpoint file, a wrong key) has none: 503.
   */
  private boolean acknowledged(VerificationResult v) {
    if (v.firstBrokenSeq().isEmpty()) {
      return false;
    }
    try {
      return !audit
          .query(
              AuditQuery.builder()
                  .event(ACKNOWLEDGED_EVENT)
                  .afterSeq(Math.max(0, v.firstBrokenSeq().getAsLong() - 1))
                  .limit(1)
                  .build())
          .isEmpty();
    } catch (AuditException | RuntimeException e) {
      return false;
    }
  }

  private Answer compute() {
    VerificationResult v = lastVerification;
    boolean readOnly;
    boolean storeUp = true;
    try {
      Optional<VerificationResult> t = audit.tamperingDetected();
      readOnly = t.isPresent();
    } catch (AuditException | RuntimeException e) {
      // a store that cannot be read cannot record anything either: report it unavailable, fail closed
      LOG.warn("health: audit state unreadable: {}", e.getMessage());
      readOnly = true;
      storeUp = false;
    }
    boolean ok = v.valid() && !readOnly;
    long entries = v.headSeq() == 0 ? 0 : v.headSeq() - v.firstSeq() + 1;
    String body =
        "{\"status\":\""
            + (ok ? "ok" : "degraded")
            + "\",\"audit\":{\"verified\":"
            + v.valid()
            + ",\"entries\":"
            + entries
            + ",\"read_only\":"
            + readOnly
            + (storeUp ? "" : ",\"unavailable\":true")
            + ("sqlite".equals(engine)
                ? ""
                : ",\"engine\":\"" + engine + "\",\"maintenance\":\"" + maintenance + "\"")
            + "},\"sandbox\":{\"backend\":\""
            + sandboxBackend
            + "\"}}";
    return new Answer(readOnly || (!v.valid() && !acknowledged(v)) ? 503 : 200, body, readOnly);
  }
}
