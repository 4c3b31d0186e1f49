package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.bearer;
import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.core.killswitch.KillSwitch;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audit, metrics, kill-switch and bot routes over real HTTP on loopback. */
class GatewayAdminRoutesTest {
  private static final String BOT_MESSAGE = "{\"platform\":\"telegram\",\"thread\":\"t-1\",\"text\":\"hello\"}";

  @TempDir java.nio.file.Path tmp;
  private GatewayFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new GatewayFixture(tmp);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void auditVerifyAndSearch_admin200_user403_anonymous401() throws Exception {
    String admin = f.adminToken();
    HttpResponse<String> v = f.get("/api/v1/audit/verify", "Authorization", bearer(admin));
    assertEquals(200, v.statusCode(), v.body());
    JsonNode vr = json(v);
    assertTrue(vr.get("valid").asBoolean());
    assertTrue(vr.get("entriesChecked").asLong() >= 3, v.body());
    assertTrue(vr.get("firstBrokenSeq").isNull());
    HttpResponse<String> s = f.get("/api/v1/audit/search?q=gateway%20started&limit=5", "Authorization", bearer(admin));
    assertEquals(200, s.statusCode(), s.body());
    JsonNode entries = json(s).get("entries");
    assertEquals(1, entries.size(), s.body());
    assertEquals("gateway.started", entries.get(0).get("event").asText());

    String user = f.userToken("carol");
    assertEquals(403, f.get("/api/v1/audit/verify", "Authorization", bearer(user)).statusCode());
    HttpResponse<String> forbidden = f.get("/api/v1/audit/search?q=x", "Authorization", bearer(user));
    assertEquals(403, forbidden.statusCode());
    assertEquals("forbidden", json(forbidden).get("error").asText());
    assertEquals(401, f.get("/api/v1/audit/verify").statusCode());
    assertEquals(401, f.get("/api/v1/audit/search?q=x", "Authorization", "Bearer not.a.jwt").statusCode());
    // the refusal itself is audited by the auth service
    List<AuditEntry> denied = f.gateway.audit().query(AuditQuery.builder().event("auth.forbidden").limit(10).build());
    assertEquals(2, denied.size());
  }

  @Test
  void auditSearch_badParameters_400WithEveryProblem_ftsSyntaxIsLiteral() throws Exception {
    String admin = f.adminToken();
    HttpResponse<String> bad = f.get("/api/v1/audit/search?limit=0", "Authorization", bearer(admin));
    assertEquals(400, bad.statusCode());
    assertEquals(2, json(bad).get("details").size(), bad.body());
    HttpResponse<String> inject =
        f.get("/api/v1/audit/search?q=%22gateway%22%20OR%20*", "Authorization", bearer(admin));
    assertEquals(200, inject.statusCode(), inject.body());
    assertEquals(0, json(inject).get("entries").size(), "FTS operators in the query have no effect");
    // 33 words: refused with the store's reason (a 33rd word must never be dropped silently)
    HttpResponse<String> tooMany =
        f.get("/api/v1/audit/search?q=" + "%21%20".repeat(31) + "gateway%20nowhere", "Authorization", bearer(admin));
    assertEquals(400, tooMany.statusCode(), tooMany.body());
    assertEquals("q: search text must have at most 32 words, got 33", json(tooMany).get("details").get(0).asText(),
        tooMany.body());
    HttpResponse<String> thirtyTwo =
        f.get("/api/v1/audit/search?q=" + "%21%20".repeat(30) + "gateway%20started", "Authorization", bearer(admin));
    assertEquals(200, thirtyTwo.statusCode(), thirtyTwo.body());
    assertEquals(1, json(thirtyTwo).get("entries").size(), thirtyTwo.body());
  }

  @Test
  void metrics_adminGetsPrometheusText_userForbidden() throws Exception {
    f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"wrong\"}");
    HttpResponse<String> m = f.get("/metrics", "Authorization", bearer(f.adminToken()));
    assertEquals(200, m.statusCode());
    assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    assertTrue(m.body().contains("secureyeoman_security_events_total{event=\"login_failure\"} 1.0"), m.body());
    assertTrue(m.body().contains("secureyeoman_security_events_total{event=\"refresh_reuse\"} 0.0"), m.body());
    assertTrue(m.body().contains("secureyeoman_kill_switch_engaged 0.0"), m.body());
    assertEquals(403, f.get("/metrics", "Authorization", bearer(f.userToken("dave"))).statusCode());
    assertEquals(401, f.get("/metrics").statusCode());
  }

  @Test
  void killSwitch_engaged_botRoutesRefuse_survivesRestart_thenReleased() throws Exception {
    String user = f.userToken("erin");
    assertEquals(202, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode());
    String admin = f.adminToken();
    assertEquals(
        403,
        f.post("/api/v1/admin/kill-switch", "{\"engaged\":true}", "Authorization", bearer(user)).statusCode(),
        "only an admin may pull the switch");
    HttpResponse<String> on =
        f.post("/api/v1/admin/kill-switch", "{\"engaged\":true,\"reason\":\"spam wave\"}", "Authorization", bearer(admin));
    assertEquals(200, on.statusCode(), on.body());
    assertTrue(json(on).get("engaged").asBoolean());
    HttpResponse<String> refused = f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user));
    assertEquals(503, refused.statusCode());
    assertTrue(json(refused).get("error").asText().contains("kill switch"), refused.body());
    assertEquals(503, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode());

    f.restart();
    assertEquals(503, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode(), "after restart");
    JsonNode state = json(f.get("/api/v1/admin/kill-switch", "Authorization", bearer(admin)));
    assertTrue(state.get("engaged").asBoolean());
    assertEquals("spam wave", state.get("reason").asText());
    assertEquals(
        200, f.post("/api/v1/admin/kill-switch", "{\"engaged\":false,\"reason\":\"over\"}", "Authorization", bearer(admin)).statusCode());
    assertEquals(202, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode());
    List<AuditEntry> changes = f.gateway.audit().query(AuditQuery.builder().limit(1000).build()).stream()
        .filter(e -> e.event().startsWith("killswitch.")).toList();
    assertEquals(List.of("killswitch.engaged", "killswitch.released"), changes.stream().map(AuditEntry::event).toList());
    assertEquals(2, f.gateway.audit().query(AuditQuery.builder().event("bot.refused").limit(10).build()).size(),
        "three refusals, two process lifetimes: repeats within a minute are aggregated, one entry per process");
  }

  @Test
  void killSwitch_engagedByAnotherProcessOnTheSameFile_takesEffectWithoutRestart() throws Exception {
    String user = f.userToken("frank");
    KillSwitch operator = KillSwitch.builder(f.dataDir.resolve("kill-switch.json")).build();
    operator.engage("ops-cli", "incident 42");
    assertEquals(503, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode());
    operator.release("ops-cli", "resolved");
    assertEquals(202, f.post("/api/v1/bot/messages", BOT_MESSAGE, "Authorization", bearer(user)).statusCode());
    assertEquals(401, f.post("/api/v1/bot/messages", BOT_MESSAGE).statusCode(), "bots routes need a token");
    assertFalse(f.gateway.killSwitch().isEngaged());
  }

  @Test
  void auditLogDown_loginAndKillSwitchFailClosed_503_nothingChanged() throws Exception {
    String admin = f.adminToken();
    f.gateway.audit().close(); // the audit sink fails from now on
    HttpResponse<String> login =
        f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + GatewayFixture.ADMIN_PASSWORD + "\"}");
    assertEquals(503, login.statusCode(), login.body());
    assertEquals("service unavailable", json(login).get("error").asText());
    HttpResponse<String> engage =
        f.post("/api/v1/admin/kill-switch", "{\"engaged\":true}", "Authorization", bearer(admin));
    assertEquals(503, engage.statusCode(), engage.body());
    assertFalse(f.gateway.killSwitch().isEngaged(), "an unaudited change does not happen");
    assertFalse(java.nio.file.Files.exists(f.dataDir.resolve("kill-switch.json")));
  }
}
