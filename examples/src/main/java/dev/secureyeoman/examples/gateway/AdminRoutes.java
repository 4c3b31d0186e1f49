package dev.secureyeoman.examples.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.core.killswitch.KillSwitchState;
import dev.secureyeoman.web.RequestBodies;
import dev.secureyeoman.web.RequestValidationException;
import dev.secureyeoman.web.SecurityMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Admin-only routes (Bearer token with the {@code admin} role; 401 without a valid token, 403 for other users):
 *
 * <pre>
 * GET  /api/v1/audit/verify                 → {valid, entriesChecked, firstSeq, headSeq, checkpointsChecked, firstBrokenSeq, problem, summary}
 * GET  /api/v1/audit/search?q=WORDS&amp;limit=N  → {entries:[…]} newest first (FTS5, input escaped by the store)
 * GET  /metrics                             → Prometheus text
 * GET  /api/v1/admin/kill-switch            → {engaged, changedAt, changedBy, reason}
 * POST /api/v1/admin/kill-switch {engaged, reason} → the new state (audited before it is written)
 * </pre>
 */
public final class AdminRoutes {
  private final AuthRoutes auth;
  private final AuditStore audit;
  private final KillSwitch killSwitch;
  private final PrometheusMeterRegistry registry;
  private final SecurityMetrics metrics;
  private final RequestBodies bodies;

  /**
   * Creates the routes.
   *
   * @param auth authentication of requests
   * @param audit the audit store
   * @param killSwitch the kill switch
   * @param registry the Prometheus registry
   * @param metrics security counters
   * @param bodies request-body validation
   */
  public AdminRoutes(
      AuthRoutes auth,
      AuditStore audit,
      KillSwitch killSwitch,
      PrometheusMeterRegistry registry,
      SecurityMetrics metrics,
      RequestBodies bodies) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.killSwitch = Objects.requireNonNull(killSwitch, "killSwitch");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  /**
   * Registers the routes.
   *
   * @param router the router
   */
  public void register(Router router) {
    router.get("/api/v1/audit/verify", this::verify);
    router.get("/api/v1/audit/search", this::search);
    router.get("/metrics", this::metrics);
    router.get("/api/v1/admin/kill-switch", this::killSwitchState);
    router.post("/api/v1/admin/kill-switch", this::setKillSwitch);
  }

  private ApiResponse verify(ApiRequest r) throws Exception {
    auth.requireAdmin(r);
    VerificationResult v = audit.verify();
    if (!v.valid()) {
      metrics.record(SecurityMetrics.Event.AUDIT_VERIFICATION_FAILURE);
    }
    ObjectNode n = Json.object();
    n.put("valid", v.valid());
    n.put("entriesChecked", v.entriesChecked());
    n.put("firstSeq", v.firstSeq());
    n.put("headSeq", v.headSeq());
    n.put("checkpointsChecked", v.checkpointsChecked());
    if (v.firstBrokenSeq().isPresent()) {
      n.put("firstBrokenSeq", v.firstBrokenSeq().getAsLong());
    } else {
      n.putNull("firstBrokenSeq");
    }
    n.put("problem", v.problem().map(Enum::name).orElse(null));
    n.put("summary", v.summary());
    return ApiResponse.json(200, Json.write(n));
  }

  private ApiResponse search(ApiRequest r) throws Exception {
    auth.requireAdmin(r);
    String q = r.query().get("q");
    List<String> problems = new ArrayList<>();
    if (q == null || q.isBlank() || q.length() > 200) {
      problems.add("q: must be 1 to 200 characters");
    }
    int limit = 50;
    String l = r.query().get("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 500) {
        problems.add("limit: must be an integer from 1 to 500");
      }
    }
    if (!problems.isEmpty()) {
      throw new RequestValidationException(problems);
    }
    List<AuditEntry> found;
    try {
      found = audit.search(q, limit);
    } catch (IllegalArgumentException e) {
      // the store's own bounds (e.g. at most AuditReader.MAX_SEARCH_WORDS words): one rule, stated by the library
      throw new RequestValidationException(List.of("q: " + e.getMessage()));
    }
    ObjectNode n = Json.object();
    ArrayNode entries = n.putArray("entries");
    for (AuditEntry e : found) {
      entries.add(Json.read(e.toJson()));
    }
    return ApiResponse.json(200, Json.write(n));
  }

  private ApiResponse metrics(ApiRequest r) throws Exception {
    auth.requireAdmin(r);
    return new ApiResponse(
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape().getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  private ApiResponse killSwitchState(ApiRequest r) throws Exception {
    auth.requireAdmin(r);
    return ApiResponse.json(200, state(killSwitch.state()));
  }

  private ApiResponse setKillSwitch(ApiRequest r) throws Exception {
    Requests.KillSwitch body = bodies.read(r.body(), Requests.KillSwitch.class);
    Principal p = auth.requireAdmin(r);
    String reason = body.reason() == null ? "" : body.reason();
    KillSwitchState s =
        body.engaged() ? killSwitch.engage(p.userId(), reason) : killSwitch.release(p.userId(), reason);
    return ApiResponse.json(200, state(s));
  }

  static String state(KillSwitchState s) {
    ObjectNode n = Json.object();
    n.put("engaged", s.engaged());
    n.put("changedAt", s.changedAt().toString());
    n.put("changedBy", s.changedBy());
    n.put("reason", s.reason());
    return Json.write(n);
  }
}
