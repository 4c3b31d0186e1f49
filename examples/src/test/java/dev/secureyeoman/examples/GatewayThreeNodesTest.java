package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.examples.GatewayFixture.JSON;
import static dev.secureyeoman.examples.GatewayFixture.bearer;
import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three-node acceptance test of issue 18 (docs/scale-out.md): three real gateways on loopback ports (own data
 * directories) share one testkit PostgreSQL database for auth and the audit log ({@code security.storage}) and one testkit
 * Redis for the HTTP rate limit and login throttling ({@code security.cache.redis_url}), with the same auth master key.
 * Everything goes through HTTP. Each node has its own injected wall clock; the test keeps the three on the same instant
 * and moves them by the revocation bound (1 s, {@code revocationCheckInterval}) instead of sleeping.
 */
@EnabledIf(value = "dev.secureyeoman.examples.GatewayPostgresTest#available", disabledReason =
    "PostgreSQL 15 binaries missing under /usr/lib/postgresql/15/bin (apt-get install postgresql): skipped")
@ExtendWith({PostgresExtension.class, RedisExtension.class})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayThreeNodesTest {
  /** The stated bound: a revocation on one node is enforced by the others at most this much later. */
  static final Duration REVOCATION_BOUND = Duration.ofSeconds(1);

  static final String PASSWORD_VAR = "SY_TEST_PG_PASSWORD";
  static final String NEW_PASSWORD = "a fresh passphrase for the whole cluster, 40+ chars";
  static final String VERIFY = "/api/v1/audit/verify"; // any authenticated admin route

  @TempDir Path tmp;
  final List<GatewayFixture> nodes = new ArrayList<>();

  @BeforeEach
  void startThreeNodes(PostgresDatabase db, RedisServer redis) throws Exception {
    String config =
        "security:\n"
            + "  auth: { login_rate_limit: { capacity: 5, refill_period: PT1M } }\n"
            + "  http: { rate_limit: { window_ms: 60000, max_requests: 100000 } }\n"
            + "  cache: { redis_url: \"" + redis.uri() + "\", rate_limit_on_failure: local }\n"
            + "  storage: { engine: postgres, url: '" + db.jdbcUrl() + "', user: " + db.user()
            + ", password_env: " + PASSWORD_VAR + " }\n";
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] auditKey = new byte[32];
    new SecureRandom().nextBytes(auditKey);
    // one auth master key for the cluster (tokens signed on one node verify on the others), one audit key (one chain)
    Map<String, String> env =
        Map.of(
            PASSWORD_VAR, db.password(),
            "SECUREYEOMAN_AUTH_KEY", Base64.getEncoder().encodeToString(key),
            "SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(auditKey));
    for (int i = 1; i <= 3; i++) {
      Path dir = Files.createDirectory(tmp.resolve("node" + i));
      nodes.add(new GatewayFixture(dir, config, env));
    }
    // one wall clock for the cluster (token times, TOTP steps, bucket refill): move every node to the latest one
    Instant latest = nodes.stream().map(n -> n.clock.instant()).max(Instant::compareTo).orElseThrow();
    nodes.forEach(n -> n.clock.set(latest));
    assertEquals(3, nodes.stream().map(GatewayFixture::base).distinct().count(), "three ports");
  }

  @AfterEach
  void stopNodes() {
    for (GatewayFixture n : nodes) {
      n.close();
    }
  }

  private GatewayFixture node(int i) {
    return nodes.get(i - 1);
  }

  /** Moves every node's wall clock by the same amount. */
  private void advanceAll(Duration d) {
    nodes.forEach(n -> n.clock.advance(d));
  }

  private static HttpResponse<String> login(GatewayFixture n, String password) throws Exception {
    return n.post(
        "/api/v1/auth/login",
        JSON.writeValueAsString(Map.of("username", "admin", "password", password, "rememberMe", false)));
  }

  private static JsonNode tokens(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode n = json(r);
    assertTrue(n.has("accessToken") && n.has("refreshToken"), r.body());
    return n;
  }

  private static int use(GatewayFixture n, String accessToken) throws Exception {
    return n.get(VERIFY, "Authorization", bearer(accessToken)).statusCode();
  }

  private static HttpResponse<String> refresh(GatewayFixture n, String refreshToken) throws Exception {
    return n.post("/api/v1/auth/refresh", JSON.writeValueAsString(Map.of("refreshToken", refreshToken)));
  }

  @Test
  void loginOnOne_refreshOnTwo_logoutOnThree_tokensDeadOnOneAndTwoWithinTheBound() throws Exception {
    JsonNode first = tokens(login(node(1), ADMIN_PASSWORD));
    JsonNode second = tokens(refresh(node(2), first.get("refreshToken").asText()));
    String access1 = first.get("accessToken").asText();
    String access2 = second.get("accessToken").asText();
    String refresh2 = second.get("refreshToken").asText();
    // the legitimate path: both access tokens of the session work on every node
    for (GatewayFixture n : nodes) {
      assertEquals(200, use(n, access1));
      assertEquals(200, use(n, access2));
    }

    assertEquals(204, node(3).post("/api/v1/auth/logout", null, "Authorization", bearer(access2)).statusCode());
    assertEquals(401, use(node(3), access2), "the logging-out node rejects at once");
    // refresh always reads the database: the newest refresh token is dead on every node at once
    assertEquals(401, refresh(node(1), refresh2).statusCode());
    assertEquals(401, refresh(node(2), refresh2).statusCode());

    advanceAll(REVOCATION_BOUND); // the revocation poll is due on nodes 1 and 2
    for (GatewayFixture n : List.of(node(1), node(2))) {
      assertEquals(401, use(n, access1), "access token issued by node 1, after the bound");
      assertEquals(401, use(n, access2), "access token issued by node 2, after the bound");
      assertEquals(401, refresh(n, first.get("refreshToken").asText()).statusCode(), "the used refresh token");
    }
    // a new login still works anywhere, and its token everywhere
    String fresh = tokens(login(node(2), ADMIN_PASSWORD)).get("accessToken").asText();
    for (GatewayFixture n : nodes) {
      assertEquals(200, use(n, fresh));
    }
  }

  @Test
  void logoutOnOne_othersEnforceItWhenTheirTickerPassedTheBound_wallClockStandingStill() throws Exception {
    String access = tokens(login(node(1), ADMIN_PASSWORD)).get("accessToken").asText();
    for (GatewayFixture n : nodes) {
      assertEquals(200, use(n, access));
    }
    assertEquals(204, node(3).post("/api/v1/auth/logout", null, "Authorization", bearer(access)).statusCode());
    assertEquals(401, use(node(3), access), "the logging-out node rejects at once");
    // the gateway's monotonic ticker reaches the auth service: the poll is due on it alone (no wall-clock step, and
    // far less than the bound of real time passes in this test), so nodes 1 and 2 read the revocation now
    nodes.forEach(n -> n.ticker.addAndGet(REVOCATION_BOUND.toNanos()));
    for (GatewayFixture n : List.of(node(1), node(2))) {
      assertEquals(401, use(n, access), "revoked on node " + n.base() + " after the bound on its ticker");
    }
    // the legitimate path: a new login works on every node
    String fresh = tokens(login(node(2), ADMIN_PASSWORD)).get("accessToken").asText();
    for (GatewayFixture n : nodes) {
      assertEquals(200, use(n, fresh));
    }
  }

  @Test
  void passwordResetOnOneNode_killsSessionsOnEveryNode() throws Exception {
    JsonNode s1 = tokens(login(node(1), ADMIN_PASSWORD));
    JsonNode s2 = tokens(login(node(2), ADMIN_PASSWORD));
    String access3 = tokens(login(node(3), ADMIN_PASSWORD)).get("accessToken").asText();
    assertEquals(200, use(node(2), s1.get("accessToken").asText()));
    assertEquals(200, use(node(1), s2.get("accessToken").asText()));

    HttpResponse<String> reset =
        node(3).post(
            "/api/v1/auth/reset-password",
            JSON.writeValueAsString(Map.of("currentPassword", ADMIN_PASSWORD, "newPassword", NEW_PASSWORD)),
            "Authorization",
            bearer(access3));
    assertEquals(200, reset.statusCode(), reset.body());

    advanceAll(REVOCATION_BOUND);
    for (GatewayFixture n : nodes) {
      for (JsonNode s : List.of(s1, s2)) {
        assertEquals(401, use(n, s.get("accessToken").asText()), "old access token on " + n.base());
        assertEquals(401, refresh(n, s.get("refreshToken").asText()).statusCode(), "old refresh token on " + n.base());
      }
      assertEquals(401, use(n, access3));
    }
    assertEquals(401, login(node(1), ADMIN_PASSWORD).statusCode(), "the old password is gone on every node");
    // the legitimate path: the new password works on another node, and its token on every node at once
    String fresh = tokens(login(node(2), NEW_PASSWORD)).get("accessToken").asText();
    for (GatewayFixture n : nodes) {
      assertEquals(200, use(n, fresh));
    }
  }

  @Test
  void fiveWrongPasswordsSpreadOverThreeNodes_nextAttemptThrottledOnEveryNode() throws Exception {
    // the legitimate path: more correct logins than the capacity, over all nodes (each success refunds its tokens)
    for (int i = 0; i < 9; i++) {
      tokens(login(node(1 + i % 3), ADMIN_PASSWORD));
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(401, login(node(1 + i % 3), "wrong password number " + i + ", long enough").statusCode());
    }
    for (GatewayFixture n : nodes) {
      HttpResponse<String> limited = login(n, ADMIN_PASSWORD);
      assertEquals(429, limited.statusCode(), "even the right password is throttled on " + n.base());
      assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0")) >= 1);
    }
    // the shared bucket refills for the whole cluster
    advanceAll(Duration.ofMinutes(1));
    tokens(login(node(3), ADMIN_PASSWORD));
  }

  @Test
  void sameTotpCodeOnTwoNodesConcurrently_acceptedExactlyOnce() throws Exception {
    // enrol through the API: setup on node 1, confirm on node 2 (the pending secret lives in the shared database)
    String access = tokens(login(node(1), ADMIN_PASSWORD)).get("accessToken").asText();
    HttpResponse<String> setup =
        node(1).post(
            "/api/v1/auth/2fa/setup",
            JSON.writeValueAsString(Map.of("currentPassword", ADMIN_PASSWORD)),
            "Authorization",
            bearer(access));
    assertEquals(200, setup.statusCode(), setup.body());
    String secret = json(setup).get("manualEntryKey").asText();
    HttpResponse<String> enable =
        node(2).post(
            "/api/v1/auth/2fa/enable",
            JSON.writeValueAsString(Map.of("code", node(2).totp(secret))),
            "Authorization",
            bearer(access));
    assertEquals(200, enable.statusCode(), enable.body());

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) {
        advanceAll(Duration.ofSeconds(30)); // a TOTP step no code was used in yet (the enable code's step is spent)
        GatewayFixture a = node(1 + round % 3);
        GatewayFixture b = node(1 + (round + 1) % 3);
        String challengeA = mfaChallenge(a);
        String challengeB = mfaChallenge(b);
        String code = a.totp(secret);
        assertEquals(code, b.totp(secret), "the nodes share one clock");
        CyclicBarrier start = new CyclicBarrier(2);
        Future<HttpResponse<String>> onA = pool.submit(() -> submitCode(a, challengeA, code, start));
        Future<HttpResponse<String>> onB = pool.submit(() -> submitCode(b, challengeB, code, start));
        List<HttpResponse<String>> answers = List.of(onA.get(60, TimeUnit.SECONDS), onB.get(60, TimeUnit.SECONDS));
        List<HttpResponse<String>> accepted = answers.stream().filter(r -> r.statusCode() == 200).toList();
        assertEquals(1, accepted.size(), "round " + round + ": " + answers.get(0).body() + " / " + answers.get(1).body());
        HttpResponse<String> refused = answers.get(accepted.get(0) == answers.get(0) ? 1 : 0);
        // 401: the replay compare-and-set refused the spent step; 429: the shared second-factor count had the
        // winner's attempt in flight. Either way the code never opened a second session.
        assertTrue(refused.statusCode() == 401 || refused.statusCode() == 429, refused.statusCode() + " " + refused.body());
        System.out.printf("TOTP race round %d: one 200, the other %d%n", round, refused.statusCode());
        String token = json(accepted.get(0)).get("accessToken").asText();
        for (GatewayFixture n : nodes) {
          assertEquals(200, use(n, token));
        }
        // the code stays spent on the third node too, once any failure delay has passed
        advanceAll(REVOCATION_BOUND);
        GatewayFixture c = node(1 + (round + 2) % 3);
        HttpResponse<String> replay = submitCode(c, mfaChallenge(c), code, null);
        assertEquals(401, replay.statusCode(), replay.body());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String mfaChallenge(GatewayFixture n) throws Exception {
    HttpResponse<String> r = login(n, ADMIN_PASSWORD);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertTrue(body.path("mfaRequired").asBoolean(), r.body());
    return body.get("challengeToken").asText();
  }

  private static HttpResponse<String> submitCode(GatewayFixture n, String challenge, String code, CyclicBarrier start)
      throws Exception {
    String body = JSON.writeValueAsString(Map.of("challengeToken", challenge, "code", code));
    if (start != null) {
      start.await(30, TimeUnit.SECONDS);
    }
    return n.post("/api/v1/auth/login/mfa", body);
  }
}
