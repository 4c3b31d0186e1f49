package dev.secureyeoman.examples.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.web.RequestBodies;
import dev.secureyeoman.web.SecurityMetrics;
import java.util.Objects;

/**
 * Bot activity routes; each checks the kill switch first (re-read from its file, so an operator's switch in another
 * process takes effect on the next request):
 *
 * <pre>
 * POST /api/v1/bot/messages {platform, thread, text} (Bearer) → 202 {accepted, reply} | 503 while the switch is engaged
 * </pre>
 *
 * <p>The example bot only echoes; the chat-platform integrations plug in here.
 */
public final class BotRoutes {
  private final AuthRoutes auth;
  private final KillSwitch killSwitch;
  private final GatewayAudit audit;
  private final SecurityMetrics metrics;
  private final RequestBodies bodies;

  /**
   * Creates the routes.
   *
   * @param auth authentication of requests
   * @param killSwitch the kill switch
   * @param audit the audit sink
   * @param metrics security counters
   * @param bodies request-body validation
   */
  public BotRoutes(
      AuthRoutes auth, KillSwitch killSwitch, GatewayAudit audit, SecurityMetrics metrics, RequestBodies bodies) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.killSwitch = Objects.requireNonNull(killSwitch, "killSwitch");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.bodies = Objects.requireNonNull(bodies, "bodies");
  }

  /**
   * Registers the routes.
   *
   * @param router the router
   */
  public void register(Router router) {
    router.post("/api/v1/bot/messages", this::message);
  }

  private ApiResponse message(ApiRequest r) throws Exception {
    Requests.BotMessage body = bodies.read(r.body(), Requests.BotMessage.class);
    Principal p = auth.authenticate(r);
    if (killSwitch.isEngaged()) {
      metrics.record(SecurityMetrics.Event.KILL_SWITCH_REFUSAL);
      // grouped by the signed-in user (a bounded set), not by the platform name the client chooses
      audit.recordOncePerWindow(
          "bot.refused",
          p.userId(),
          AuditEvent.builder("bot.refused")
              .actor(p.userId())
              .message("bot activity refused: kill switch engaged")
              .put("platform", body.platform()));
      throw new ApiException(503, "bot activity is paused (kill switch engaged)");
    }
    ObjectNode n = Json.object();
    n.put("accepted", true);
    n.put("platform", body.platform());
    n.put("thread", body.thread());
    n.put("reply", "echo: " + body.text());
    return ApiResponse.json(202, Json.write(n));
  }
}
