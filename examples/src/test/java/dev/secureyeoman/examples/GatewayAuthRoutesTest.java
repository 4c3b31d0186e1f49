package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.examples.GatewayFixture.bearer;
import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.web.SecurityMetrics;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth routes of DESIGN §7 over real HTTP on loopback. */
class GatewayAuthRoutesTest {
  private static final String RID = "test-request-id-0123456789";

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

  private String cookie(HttpResponse<String> r) {
    String name = f.gateway.refreshCookieName() + "=";
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name)).findFirst().orElse("");
  }

  private String cookieValue(HttpResponse<String> r) {
    String c = cookie(r);
    return c.substring(f.gateway.refreshCookieName().length() + 1, c.indexOf(';'));
  }

  @Test
  void login_withoutRememberMe_24hSession_browserSessionCookie() throws Exception {
    HttpResponse<String> r =
        f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode t = json(r);
    assertEquals("Bearer", t.get("tokenType").asText());
    assertEquals(900, t.get("expiresIn").asLong());
    assertEquals(f.clock.instant().plus(Duration.ofHours(24)), Instant.parse(t.get("sessionExpiresAt").asText()));
    assertFalse(t.get("refreshToken").asText().isEmpty());
    String c = cookie(r);
    assertTrue(c.contains("; Path=/api/v1/auth/refresh; HttpOnly; SameSite=Strict"), c);
    assertFalse(c.contains("Max-Age"), "no remember-me: the cookie ends with the browser session: " + c);
    assertFalse(c.contains("Secure"), "plain HTTP on a loopback-only listener relaxes Secure: " + c);
    assertEquals(t.get("refreshToken").asText(), cookieValue(r));
  }

  @Test
  void login_withRememberMe_30dSessionAndCookie_keptAcrossRefresh() throws Exception {
    HttpResponse<String> r =
        f.post(
            "/api/v1/auth/login",
            "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\",\"rememberMe\":true}");
    JsonNode t = json(r);
    Instant sessionEnd = f.clock.instant().plus(Duration.ofDays(30));
    assertEquals(sessionEnd, Instant.parse(t.get("sessionExpiresAt").asText()));
    assertTrue(cookie(r).endsWith("; Max-Age=" + Duration.ofDays(30).toSeconds()), cookie(r));
    f.clock.advance(Duration.ofDays(2));
    HttpResponse<String> refreshed = f.post("/api/v1/auth/refresh", null, "Cookie", f.gateway.refreshCookieName() + "=" + cookieValue(r));
    assertEquals(200, refreshed.statusCode(), refreshed.body());
    assertEquals(sessionEnd, Instant.parse(json(refreshed).get("sessionExpiresAt").asText()), "fixed at login");
    assertTrue(cookie(refreshed).endsWith("; Max-Age=" + Duration.ofDays(28).toSeconds()), cookie(refreshed));
  }

  @Test
  void login_fromBrowser_refreshTokenOnlyInTheHttpOnlyCookie() throws Exception {
    HttpResponse<String> r =
        f.post(
            "/api/v1/auth/login",
            "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}",
            "Sec-Fetch-Mode",
            "cors");
    assertEquals(200, r.statusCode());
    assertFalse(json(r).has("refreshToken"), r.body());
    assertFalse(cookieValue(r).isEmpty());
  }

  @Test
  void login_unknownUserAndWrongPassword_byteIdentical401() throws Exception {
    HttpResponse<String> unknown =
        f.post("/api/v1/auth/login", "{\"username\":\"nobody\",\"password\":\"whatever\"}", "X-Request-ID", RID);
    HttpResponse<String> wrong =
        f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"whatever\"}", "X-Request-ID", RID);
    assertEquals(401, unknown.statusCode());
    assertEquals(401, wrong.statusCode());
    assertArrayEquals(
        unknown.body().getBytes(StandardCharsets.UTF_8), wrong.body().getBytes(StandardCharsets.UTF_8));
    assertEquals("{\"error\":\"invalid credentials\",\"details\":[],\"requestId\":\"" + RID + "\"}", wrong.body());
    assertEquals(2, f.gateway.metrics().count(SecurityMetrics.Event.LOGIN_FAILURE));
    // the auth service's audit entry carries the request id as correlation id
    List<AuditEntry> failures =
        f.gateway.audit().query(AuditQuery.builder().event("auth.login.failure").limit(10).build());
    assertEquals(2, failures.size());
    assertEquals(RID, failures.get(1).correlationId().orElse(""));
  }

  @Test
  void refresh_withExpiredAccessToken_worksAndTheOldAccessTokenIsRefused() throws Exception {
    JsonNode t = f.login("admin", ADMIN_PASSWORD, false);
    f.clock.advance(Duration.ofMinutes(16));
    HttpResponse<String> old = f.get("/api/v1/audit/verify", "Authorization", bearer(t.get("accessToken").asText()));
    assertEquals(401, old.statusCode());
    assertEquals("Bearer", old.headers().firstValue("WWW-Authenticate").orElse(""));
    HttpResponse<String> r =
        f.post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + t.get("refreshToken").asText() + "\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(
        200, f.get("/api/v1/audit/verify", "Authorization", bearer(json(r).get("accessToken").asText())).statusCode());
  }

  @Test
  void refresh_reusedToken_revokesTheWholeFamily_countedAndAudited() throws Exception {
    JsonNode t = f.login("admin", ADMIN_PASSWORD, false);
    String first = "{\"refreshToken\":\"" + t.get("refreshToken").asText() + "\"}";
    JsonNode second = json(f.post("/api/v1/auth/refresh", first));
    HttpResponse<String> replay = f.post("/api/v1/auth/refresh", first, "X-Request-ID", RID);
    assertEquals(401, replay.statusCode());
    assertTrue(replay.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.contains("Max-Age=0")));
    // the legitimate holder's newer tokens die with the family
    assertEquals(
        401, f.post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + second.get("refreshToken").asText() + "\"}").statusCode());
    assertEquals(
        401,
        f.get("/api/v1/audit/verify", "Authorization", bearer(second.get("accessToken").asText())).statusCode());
    assertEquals(1, f.gateway.metrics().count(SecurityMetrics.Event.REFRESH_REUSE));
    List<AuditEntry> reuse = f.gateway.audit().query(AuditQuery.builder().event("auth.refresh.reuse").limit(5).build());
    assertEquals(1, reuse.size());
    assertEquals(RID, reuse.get(0).correlationId().orElse(""));
  }

  @Test
  void refresh_withoutTokenOrCookie_400_junkToken_401() throws Exception {
    HttpResponse<String> none = f.post("/api/v1/auth/refresh", null);
    assertEquals(400, none.statusCode());
    assertTrue(json(none).get("details").get(0).asText().startsWith("refreshToken: "), none.body());
    assertEquals(401, f.post("/api/v1/auth/refresh", "{\"refreshToken\":\"junk\"}").statusCode());
  }

  @Test
  void resetPassword_revokesOldTokens_alsoAfterRestart_newPasswordWorks() throws Exception {
    JsonNode other = f.login("admin", ADMIN_PASSWORD, true);
    String token = f.adminToken();
    String newPassword = "a brand new admin passphrase, 32+ characters";
    HttpResponse<String> r =
        f.post(
            "/api/v1/auth/reset-password",
            "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\",\"newPassword\":\"" + newPassword + "\"}",
            "Authorization",
            bearer(token));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(json(r).get("sessionsRevoked").asBoolean());
    String otherRefresh = "{\"refreshToken\":\"" + other.get("refreshToken").asText() + "\"}";
    assertEquals(401, f.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    assertEquals(401, f.post("/api/v1/auth/refresh", otherRefresh).statusCode());
    f.restart();
    assertEquals(401, f.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode(), "after restart");
    assertEquals(
        401,
        f.get("/api/v1/audit/verify", "Authorization", bearer(other.get("accessToken").asText())).statusCode());
    assertEquals(401, f.post("/api/v1/auth/refresh", otherRefresh).statusCode(), "after restart");
    assertEquals(401, f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}").statusCode());
    assertEquals(200, f.get("/api/v1/audit/verify", "Authorization", bearer(f.login("admin", newPassword, false).get("accessToken").asText())).statusCode());
  }

  @Test
  void resetPassword_wrongCurrent401_weakNew400_user403() throws Exception {
    String token = f.adminToken();
    assertEquals(
        401,
        f.post("/api/v1/auth/reset-password", "{\"currentPassword\":\"nope\",\"newPassword\":\"" + "x".repeat(40) + "\"}",
                "Authorization", bearer(token))
            .statusCode());
    HttpResponse<String> weak =
        f.post(
            "/api/v1/auth/reset-password",
            "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\",\"newPassword\":\"short\"}",
            "Authorization",
            bearer(token));
    assertEquals(400, weak.statusCode());
    assertTrue(json(weak).get("details").get(0).asText().startsWith("newPassword: "), weak.body());
    String user = f.userToken("bob");
    assertEquals(
        403,
        f.post("/api/v1/auth/reset-password",
                "{\"currentPassword\":\"" + GatewayFixture.USER_PASSWORD + "\",\"newPassword\":\"" + "y".repeat(40) + "\"}",
                "Authorization", bearer(user))
            .statusCode());
  }

  @Test
  void twoFactor_setupEnableLoginWithCodeAndRecoveryCode_disable() throws Exception {
    String token = f.adminToken();
    // re-authentication: a stolen access token alone cannot start binding an authenticator
    assertEquals(401, f.post("/api/v1/auth/2fa/setup", "{\"currentPassword\":\"wrong\"}", "Authorization", bearer(token)).statusCode());
    assertEquals(400, f.post("/api/v1/auth/2fa/setup", null, "Authorization", bearer(token)).statusCode());
    HttpResponse<String> setup = f.post("/api/v1/auth/2fa/setup", "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\"}", "Authorization", bearer(token));
    assertEquals(200, setup.statusCode(), setup.body());
    JsonNode s = json(setup);
    assertTrue(s.get("otpauthUri").asText().startsWith("otpauth://totp/"), setup.body());
    assertTrue(s.get("qrCode").asText().startsWith("data:image/png;base64,"));
    String key = s.get("manualEntryKey").asText();
    HttpResponse<String> wrongCode =
        f.post("/api/v1/auth/2fa/enable", "{\"code\":\"000000\"}", "Authorization", bearer(token));
    assertEquals(401, wrongCode.statusCode());
    // a wrong enrolment code counts as an MFA failure: the next attempt waits out the delay (429 until then)
    assertEquals(429, f.post("/api/v1/auth/2fa/enable", "{\"code\":\"" + f.totp(key) + "\"}", "Authorization", bearer(token)).statusCode());
    f.clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> enable =
        f.post("/api/v1/auth/2fa/enable", "{\"code\":\"" + f.totp(key) + "\"}", "Authorization", bearer(token));
    assertEquals(200, enable.statusCode(), enable.body());
    JsonNode codes = json(enable).get("recoveryCodes");
    assertEquals(10, codes.size());

    HttpResponse<String> step1 =
        f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
    JsonNode challenge = json(step1);
    assertTrue(challenge.get("mfaRequired").asBoolean(), step1.body());
    assertFalse(challenge.has("accessToken"));
    String ch = challenge.get("challengeToken").asText();
    assertEquals(401, f.post("/api/v1/auth/login/mfa", "{\"challengeToken\":\"" + ch + "\",\"code\":\"000000\"}").statusCode());
    assertEquals(1, f.gateway.metrics().count(SecurityMetrics.Event.MFA_FAILURE));
    HttpResponse<String> both =
        f.post("/api/v1/auth/login/mfa", "{\"challengeToken\":\"" + ch + "\",\"code\":\"123456\",\"recoveryCode\":\"x\"}");
    assertEquals(400, both.statusCode());
    f.clock.advance(Duration.ofSeconds(30)); // the enrolment code's step is used up (replay protection)
    HttpResponse<String> ok =
        f.post("/api/v1/auth/login/mfa", "{\"challengeToken\":\"" + ch + "\",\"code\":\"" + f.totp(key) + "\"}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(json(ok).has("accessToken"));

    String ch2 = json(f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}"))
        .get("challengeToken").asText();
    HttpResponse<String> recovery =
        f.post("/api/v1/auth/login/mfa", "{\"challengeToken\":\"" + ch2 + "\",\"recoveryCode\":\"" + codes.get(0).asText() + "\"}");
    assertEquals(200, recovery.statusCode(), recovery.body());
    String t2 = json(recovery).get("accessToken").asText();

    f.clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> disable =
        f.post("/api/v1/auth/2fa/disable",
            "{\"password\":\"" + ADMIN_PASSWORD + "\",\"code\":\"" + f.totp(key) + "\"}", "Authorization", bearer(t2));
    assertEquals(200, disable.statusCode(), disable.body());
    assertFalse(json(disable).get("enabled").asBoolean());
    assertTrue(f.login("admin", ADMIN_PASSWORD, false).has("accessToken"), "no second step any more");
  }

  @Test
  void twoFactor_setupTwiceWhenEnabled_409_withoutToken_401() throws Exception {
    assertEquals(401, f.post("/api/v1/auth/2fa/setup", "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\"}").statusCode());
    String token = f.adminToken();
    String key = json(f.post("/api/v1/auth/2fa/setup", "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\"}", "Authorization", bearer(token))).get("manualEntryKey").asText();
    assertEquals(200, f.post("/api/v1/auth/2fa/enable",
        "{\"code\":\"" + f.totp(key) + "\"}", "Authorization", bearer(token)).statusCode());
    HttpResponse<String> again = f.post("/api/v1/auth/2fa/setup", "{\"currentPassword\":\"" + ADMIN_PASSWORD + "\"}", "Authorization", bearer(token));
    assertEquals(409, again.statusCode(), again.body());
  }

  @Test
  void login_afterAnAdminReset_answersPasswordChangeRequired_changeThenTokens_oldPasswordDead() throws Exception {
    f.userToken("carol");
    var admin = f.gateway.auth().authenticate(f.adminToken());
    String temporary = "a temporary password set by the administrator";
    f.gateway.auth().admin(admin).resetPassword("carol", temporary.toCharArray());

    HttpResponse<String> step1 =
        f.post("/api/v1/auth/login", "{\"username\":\"carol\",\"password\":\"" + temporary + "\"}");
    assertEquals(200, step1.statusCode(), step1.body());
    JsonNode challenge = json(step1);
    assertTrue(challenge.get("passwordChangeRequired").asBoolean(), step1.body());
    assertFalse(challenge.has("accessToken"), "no tokens before the change");
    String ch = challenge.get("challengeToken").asText();

    assertEquals(401, f.post("/api/v1/auth/login/change-password",
        "{\"challengeToken\":\"not-a-challenge\",\"newPassword\":\"" + "z".repeat(40) + "\"}").statusCode());
    assertEquals(400, f.post("/api/v1/auth/login/change-password",
        "{\"challengeToken\":\"" + ch + "\",\"newPassword\":\"short\"}").statusCode());
    String chosen = "carol's own new passphrase, long enough for the policy";
    HttpResponse<String> done = f.post("/api/v1/auth/login/change-password",
        "{\"challengeToken\":\"" + ch + "\",\"newPassword\":\"" + chosen + "\"}");
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(json(done).has("accessToken"), done.body());
    assertEquals(401, f.post("/api/v1/auth/login/change-password",
        "{\"challengeToken\":\"" + ch + "\",\"newPassword\":\"" + chosen + "!\"}").statusCode(), "challenge used up");

    assertEquals(401, f.post("/api/v1/auth/login", "{\"username\":\"carol\",\"password\":\"" + temporary + "\"}").statusCode());
    assertTrue(f.login("carol", chosen, false).has("accessToken"));
  }

  @Test
  void logout_endsTheSession_clearsTheCookie() throws Exception {
    JsonNode t = f.login("admin", ADMIN_PASSWORD, false);
    String token = t.get("accessToken").asText();
    HttpResponse<String> r = f.post("/api/v1/auth/logout", null, "Authorization", bearer(token));
    assertEquals(204, r.statusCode());
    assertTrue(cookie(r).contains("Max-Age=0"), cookie(r));
    assertEquals(401, f.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    assertEquals(401, f.post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + t.get("refreshToken").asText() + "\"}").statusCode());
    assertNotEquals(204, f.post("/api/v1/auth/logout", null).statusCode());
  }
}
