package dev.secureyeoman.auth.spring;

import static dev.secureyeoman.auth.spring.AuthServices.ADMIN_PASSWORD;
import static dev.secureyeoman.auth.spring.AuthServices.BOB_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The adapters in a real Spring Security filter chain (MockMvc, no server): login through form-login with our provider,
 * bearer tokens through both bridges, against real SQLite auth databases.
 */
class SpringSecurityBridgeTest {
  private static final Pattern ACCESS = Pattern.compile("\"accessToken\":\"([^\"]+)\"");
  private static final Pattern CHALLENGE = Pattern.compile("\"challengeToken\":\"([^\"]+)\"");
  private static final String[] BRIDGES = {"/api", "/jwt"};

  @TempDir Path dir;

  private static MockHttpServletResponse login(MockMvc mvc, String user, String password) throws Exception {
    return mvc.perform(
            post("/login")
                .param("username", user)
                .param("password", password)
                .with(
                    r -> {
                      r.setRemoteAddr("203.0.113.50");
                      return r;
                    }))
        .andReturn()
        .getResponse();
  }

  private static String accessToken(MockMvc mvc, String user, String password) throws Exception {
    MockHttpServletResponse res = login(mvc, user, password);
    assertEquals(200, res.getStatus(), res.getContentAsString());
    Matcher m = ACCESS.matcher(res.getContentAsString());
    assertTrue(m.find(), res.getContentAsString());
    return m.group(1);
  }

  private static MockHttpServletResponse get(MockMvc mvc, String path, String token) throws Exception {
    return mvc.perform(
            org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get(path)
                .header("Authorization", "Bearer " + token))
        .andReturn()
        .getResponse();
  }

  /** The token is accepted on {@code path} behind both bridges ({@code /api} and {@code /jwt}). */
  private static void assertAccepted(MockMvc mvc, String path, String token) throws Exception {
    for (String bridge : BRIDGES) {
      assertEquals(200, get(mvc, bridge + path, token).getStatus(), bridge + path);
    }
  }

  /** The token is refused as invalid on {@code path} behind both bridges. */
  private static void assertRefused(MockMvc mvc, String path, String token) throws Exception {
    for (String bridge : BRIDGES) {
      assertInvalidToken(get(mvc, bridge + path, token));
    }
  }

  private static void assertInvalidToken(MockHttpServletResponse res) {
    assertEquals(401, res.getStatus());
    String wwwAuthenticate = res.getHeader("WWW-Authenticate");
    assertTrue(wwwAuthenticate != null && wwwAuthenticate.contains("error=\"invalid_token\""), wwwAuthenticate);
  }

  @Test
  void login_rightAndWrongPassword_tokensOr401WithGenericError() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      MockHttpServletResponse ok = login(app.mvc, "bob", BOB_PASSWORD);
      assertEquals(200, ok.getStatus());
      assertTrue(ACCESS.matcher(ok.getContentAsString()).find());
      // the client address comes from the servlet request (WebAuthenticationDetails)
      assertEquals("203.0.113.50", f.audit.named("auth.login.success").get(0).metadata().get("client"));

      MockHttpServletResponse bad = login(app.mvc, "bob", ADMIN_PASSWORD);
      MockHttpServletResponse unknown = login(app.mvc, "nobody", BOB_PASSWORD);
      assertEquals(401, bad.getStatus());
      assertEquals(bad.getContentAsString(), unknown.getContentAsString(), "no user enumeration");
      assertFalse(bad.getContentAsString().contains("accessToken"));
    }
  }

  @Test
  void login_userWith2fa_distinctMfaOutcomeWithoutTokens() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      f.enrollTotp(s, "bob", BOB_PASSWORD);
      MockHttpServletResponse res = login(app.mvc, "bob", BOB_PASSWORD);
      assertEquals(401, res.getStatus());
      assertTrue(res.getContentAsString().contains("\"mfaRequired\":true"), res.getContentAsString());
      assertFalse(res.getContentAsString().contains("accessToken"));
      Matcher m = CHALLENGE.matcher(res.getContentAsString());
      assertTrue(m.find());
      // the challenge is not a bearer token
      assertRefused(app.mvc, "/me", m.group(1));
    }
  }

  @Test
  void login_throttled_429WithRetryAfter() throws Exception {
    AuthServices f =
        new AuthServices(
            dir,
            AuthSettings.builder().hashParameters(AuthServices.CHEAP).loginRateLimit(2, Duration.ofMinutes(1)).build());
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      login(app.mvc, "bob", "wrong one");
      login(app.mvc, "bob", "wrong two");
      MockHttpServletResponse res = login(app.mvc, "bob", BOB_PASSWORD);
      assertEquals(429, res.getStatus());
      assertTrue(Long.parseLong(res.getHeader("Retry-After")) >= 1);
    }
  }

  @Test
  void bearer_validTokens_rolesMapToAuthoritiesOnBothBridges() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      String adminId = AuthServices.createAdmin(s);
      AuthServices.createBob(s);
      String admin = accessToken(app.mvc, "admin", ADMIN_PASSWORD);
      String bob = accessToken(app.mvc, "bob", BOB_PASSWORD);

      assertEquals(
          adminId + " admin FACTOR_BEARER,ROLE_admin,ROLE_user", get(app.mvc, "/api/me", admin).getContentAsString());
      assertEquals("admin FACTOR_BEARER,ROLE_admin,ROLE_user", get(app.mvc, "/jwt/me", admin).getContentAsString());
      assertEquals("bob FACTOR_BEARER,ROLE_user", get(app.mvc, "/jwt/me", bob).getContentAsString());
      for (String bridge : BRIDGES) {
        assertEquals(200, get(app.mvc, bridge + "/admin/ping", admin).getStatus(), bridge);
        assertEquals(403, get(app.mvc, bridge + "/admin/ping", bob).getStatus(), bridge);
        assertEquals(401, app.mvc.perform(
            org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get(bridge + "/me"))
            .andReturn().getResponse().getStatus(), "no token: " + bridge);
      }
    }
  }

  @Test
  void bearer_afterLogoutEverywhere_refusedOnBothBridgesFreshLoginWorks() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      String first = accessToken(app.mvc, "bob", BOB_PASSWORD);
      String second = accessToken(app.mvc, "bob", BOB_PASSWORD);
      assertAccepted(app.mvc, "/me", first);
      s.logoutEverywhere(s.authenticate(second));
      assertRefused(app.mvc, "/me", first);
      assertRefused(app.mvc, "/me", second);
      String fresh = accessToken(app.mvc, "bob", BOB_PASSWORD);
      assertAccepted(app.mvc, "/me", fresh);
    }
  }

  @Test
  void bearer_afterLogoutOfOneSession_onlyThatSessionRefused() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      String phone = accessToken(app.mvc, "bob", BOB_PASSWORD);
      String laptop = accessToken(app.mvc, "bob", BOB_PASSWORD);
      s.logout(s.authenticate(phone));
      assertRefused(app.mvc, "/me", phone);
      assertAccepted(app.mvc, "/me", laptop);
    }
  }

  @Test
  void bearer_afterPasswordReset_oldTokenRefusedOnBothBridges() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createAdmin(s);
      String old = accessToken(app.mvc, "admin", ADMIN_PASSWORD);
      String newPassword = "a brand new admin passphrase, long enough";
      s.resetPassword(s.authenticate(old), ADMIN_PASSWORD.toCharArray(), newPassword.toCharArray());
      assertRefused(app.mvc, "/admin/ping", old);
      assertEquals(401, login(app.mvc, "admin", ADMIN_PASSWORD).getStatus());
      String fresh = accessToken(app.mvc, "admin", newPassword);
      assertAccepted(app.mvc, "/admin/ping", fresh);
    }
  }

  @Test
  void bearer_revokedThenRestarted_staysRefusedThroughNewContext() throws Exception {
    AuthServices f = new AuthServices(dir);
    String revoked;
    String live;
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      AuthServices.createAdmin(s);
      revoked = accessToken(app.mvc, "bob", BOB_PASSWORD);
      live = accessToken(app.mvc, "admin", ADMIN_PASSWORD);
      s.logoutEverywhere(s.authenticate(revoked));
    }
    // a new process would build a new service and a new Spring context on the same database
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      assertRefused(app.mvc, "/me", revoked);
      assertAccepted(app.mvc, "/me", live); // unrelated sessions survive the restart
    }
  }

  /**
   * Two instances on one database: instance B revokes, the Spring app on instance A must refuse once A's revocation
   * bound ({@code revocationCheckInterval}) has passed; the bridges add no cache of their own.
   */
  @Test
  void bearer_revokedOnAnotherInstance_refusedOnBothBridges() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService a = f.open();
        AuthService b = f.open();
        SpringApp app = SpringApp.start(a)) {
      AuthServices.createBob(a);
      String token = accessToken(app.mvc, "bob", BOB_PASSWORD);
      assertAccepted(app.mvc, "/me", token);
      b.logoutEverywhere(b.authenticate(token));
      f.clock.advance(f.settings.revocationCheckInterval());
      assertRefused(app.mvc, "/me", token);
    }
  }

  @Test
  void bearer_expired_refused() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      String token = accessToken(app.mvc, "bob", BOB_PASSWORD);
      f.clock.advance(f.settings.accessTokenTtl().minusSeconds(1));
      assertAccepted(app.mvc, "/me", token);
      f.clock.advance(Duration.ofSeconds(1));
      assertRefused(app.mvc, "/me", token);
    }
  }

  @Test
  void bearer_tamperedOrForgedToken_refusedOnBothBridges() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createBob(s);
      String token = accessToken(app.mvc, "bob", BOB_PASSWORD);
      String[] parts = token.split("\\.");
      Base64.Decoder dec = Base64.getUrlDecoder();
      Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();

      // bob promotes himself: payload rewritten, signature kept
      String payload = new String(dec.decode(parts[1]), StandardCharsets.UTF_8);
      String promoted = payload.replace("\"roles\":[\"user\"]", "\"roles\":[\"admin\",\"user\"]");
      assertNotEquals(payload, promoted, payload);
      String escalated = parts[0] + "." + enc.encodeToString(promoted.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
      // one signature byte flipped
      byte[] sig = dec.decode(parts[2]);
      sig[0] ^= 1;
      String badSig = parts[0] + "." + parts[1] + "." + enc.encodeToString(sig);
      // alg "none" with the original claims and no signature
      String none =
          enc.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8))
              + "."
              + enc.encodeToString(promoted.getBytes(StandardCharsets.UTF_8))
              + ".";
      for (String forged : new String[] {escalated, badSig, none, token + " ", "garbage"}) {
        assertRefused(app.mvc, "/me", forged);
      }
      assertAccepted(app.mvc, "/me", token);
      for (String bridge : BRIDGES) {
        assertEquals(403, get(app.mvc, bridge + "/admin/ping", token).getStatus(), "the real token stays a user");
      }
    }
  }

  @Test
  void bearer_tokenOfAnotherDeployment_refused() throws Exception {
    // same user name, same schema, different master key: a token from elsewhere is not ours
    AuthServices other = new AuthServices(dir.resolve("other"));
    String foreign;
    try (AuthService s = other.open()) {
      AuthServices.createAdmin(s);
      foreign = AuthServices.login(s, "admin", ADMIN_PASSWORD).tokens().accessToken();
    }
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      AuthServices.createAdmin(s);
      assertRefused(app.mvc, "/admin/ping", foreign);
    }
  }

  @Test
  void bearer_userNamedLikeAnAuthority_getsOnlyItsRoles() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      s.createUser("ROLE_admin", BOB_PASSWORD.toCharArray(), java.util.Set.of());
      String token = accessToken(app.mvc, "ROLE_admin", BOB_PASSWORD);
      assertTrue(get(app.mvc, "/api/me", token).getContentAsString().endsWith(" ROLE_admin FACTOR_BEARER,ROLE_user"));
      for (String bridge : BRIDGES) {
        assertEquals(403, get(app.mvc, bridge + "/admin/ping", token).getStatus(), bridge);
      }
    }
  }

  @Test
  void bearerAndLogin_databaseFailsMidOperation_refusedThenRecover() throws Exception {
    AuthServices f = new AuthServices(dir);
    String token;
    try (AuthService first = f.open()) {
      AuthServices.createBob(first);
      token = AuthServices.login(first, "bob", BOB_PASSWORD).tokens().accessToken();
    }
    // a fresh instance has no cached token version: it must read the database, which now fails
    try (AuthService s = f.open();
        SpringApp app = SpringApp.start(s)) {
      renameUsersTable(f, "users", "users_gone");
      // not "invalid_token" (the client would drop a good token): Spring rethrows the service failure to the
      // container's error handling (5xx), on the bearer provider and on the JwtDecoder route alike
      for (String bridge : BRIDGES) {
        assertThrows(
            org.springframework.security.authentication.AuthenticationServiceException.class,
            () -> get(app.mvc, bridge + "/me", token));
      }
      MockHttpServletResponse login = login(app.mvc, "bob", BOB_PASSWORD);
      assertEquals(503, login.getStatus(), "InternalAuthenticationServiceException, not a credentials failure");
      assertFalse(login.getContentAsString().contains("accessToken"));
      // the legitimate path comes back with the database
      renameUsersTable(f, "users_gone", "users");
      assertAccepted(app.mvc, "/me", token);
      assertEquals(200, login(app.mvc, "bob", BOB_PASSWORD).getStatus());
    }
  }

  private static void renameUsersTable(AuthServices f, String from, String to) throws Exception {
    try (java.sql.Connection c = dev.secureyeoman.auth.AuthDataSources.sqlite(f.dbFile).getConnection();
        java.sql.Statement st = c.createStatement()) {
      st.execute("ALTER TABLE " + from + " RENAME TO " + to);
    }
  }

  @Test
  void jwtDecoder_claimsComeFromTheVerifiedPrincipal() throws Exception {
    AuthServices f = new AuthServices(dir);
    try (AuthService s = f.open()) {
      AuthServices.createAdmin(s);
      String token = AuthServices.login(s, "admin", ADMIN_PASSWORD).tokens().accessToken();
      Principal p = s.authenticate(token);
      org.springframework.security.oauth2.jwt.Jwt jwt = new SecureYeomanJwtDecoder(s).decode(token);
      assertEquals(p.userId(), jwt.getSubject());
      assertEquals(p.username(), jwt.getClaimAsString(SecureYeomanJwtDecoder.NAME_CLAIM));
      assertEquals(java.util.List.of("admin", "user"), jwt.getClaimAsStringList(SecureYeomanJwtDecoder.ROLES_CLAIM));
      assertEquals(p.sessionId(), jwt.getClaimAsString(SecureYeomanJwtDecoder.SESSION_CLAIM));
      assertEquals(p.expiresAt(), jwt.getExpiresAt());
      assertEquals(f.clock.instant(), jwt.getIssuedAt());
      assertEquals("HS256", jwt.getHeaders().get("alg"));
      assertEquals(token, jwt.getTokenValue());
    }
  }
}
