package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.SecurityMetrics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web policies as the gateway applies them to every request. */
class GatewayPoliciesTest {
  @TempDir java.nio.file.Path tmp;

  private static final List<String> SECURITY_HEADERS =
      List.of(
          "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
          "Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
          "Strict-Transport-Security", "Cache-Control", "X-Request-ID");

  private static void assertHardened(HttpHeaders h, String what) {
    for (String name : SECURITY_HEADERS) {
      assertTrue(h.firstValue(name).isPresent(), what + " lacks " + name);
    }
    assertEquals("0", h.firstValue("X-XSS-Protection").orElseThrow());
    assertFalse(h.firstValue("Content-Security-Policy").orElseThrow().contains("unsafe-inline"));
    assertTrue(RequestIds.isValid(h.firstValue("X-Request-ID").orElseThrow()), what);
    assertFalse(h.firstValue("Server").isPresent(), what + " names the server");
  }

  @Test
  void everyResponse_errorsAnd404Too_carriesSecurityHeadersAndARequestId() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      List<HttpResponse<String>> all =
          List.of(
              f.get("/healthz"),
              f.get("/login"),
              f.get("/no/such/page"),
              f.post("/healthz", "{}"),
              f.post("/api/v1/auth/login", "{bad json"),
              f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"nope\"}"),
              f.get("/api/v1/audit/verify"));
      List<Integer> statuses = all.stream().map(HttpResponse::statusCode).toList();
      assertEquals(List.of(200, 200, 404, 405, 400, 401, 401), statuses);
      for (HttpResponse<String> r : all) {
        assertHardened(r.headers(), r.request().method() + " " + r.uri().getPath() + " " + r.statusCode());
      }
      assertEquals("GET, HEAD", all.get(3).headers().firstValue("Allow").orElse(""));
      JsonNode notFound = json(all.get(2));
      assertEquals("not found", notFound.get("error").asText());
      assertEquals(all.get(2).headers().firstValue("X-Request-ID").orElseThrow(), notFound.get("requestId").asText());
      assertTrue(all.get(1).headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }
  }

  @Test
  void requestId_wellFormedKept_malformedReplaced_traceparentAccepted() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String good = "client-chosen-id-0123456789";
      assertEquals(good, f.get("/healthz", "X-Request-ID", good).headers().firstValue("X-Request-ID").orElse(""));
      for (String bad : List.of("short", "with space and more than twenty", "a".repeat(201), "<script>alert(1)</script>xx")) {
        String got = f.get("/healthz", "X-Request-ID", bad).headers().firstValue("X-Request-ID").orElse("");
        assertNotEquals(bad, got);
        assertTrue(RequestIds.isValid(got), got);
      }
      HttpResponse<String> traced =
          f.get("/healthz", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      assertEquals(200, traced.statusCode());
    }
  }

  @Test
  void invalidBodies_400WithTheJsonErrorList() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      record Case(String body, String detail) {}
      for (Case c :
          List.of(
              new Case("{\"username\":", "body: malformed JSON"),
              new Case("[]", "body: must be a JSON object"),
              new Case("{}", "password: must not be null"),
              new Case("{\"username\":\"admin\"}", "password: must not be null"),
              new Case("{\"username\":7,\"password\":\"x\"}", "username: must be a string"),
              new Case("{\"username\":\"a\",\"password\":\"x\",\"rememberMe\":\"yes\"}", "rememberMe: must be a boolean"),
              new Case("{\"username\":\"a\",\"password\":\"x\",\"admin\":true}", "admin: unknown field"),
              new Case("{\"username\":\"" + "u".repeat(65) + "\",\"password\":\"x\"}", "username: size must be between 0 and 64"))) {
        HttpResponse<String> r = f.post("/api/v1/auth/login", c.body());
        assertEquals(400, r.statusCode(), c.body());
        JsonNode j = json(r);
        assertEquals("invalid request", j.get("error").asText());
        assertTrue(j.get("details").toString().contains(c.detail()), c.body() + " -> " + r.body());
        assertEquals(r.headers().firstValue("X-Request-ID").orElseThrow(), j.get("requestId").asText());
      }
      assertTrue(f.gateway.metrics().count(SecurityMetrics.Event.INVALID_REQUEST) >= 8);
    }
  }

  @Test
  void oversizedBody_400_withContentLengthAndChunked() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String big = "{\"username\":\"" + "a".repeat(5000) + "\",\"password\":\"x\"}";
      HttpResponse<String> declared = f.post("/api/v1/auth/login", big);
      assertEquals(400, declared.statusCode());
      assertEquals("body: must be at most 4096 bytes", json(declared).get("details").get(0).asText());
      byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
      HttpRequest chunked =
          HttpRequest.newBuilder(URI.create(f.base() + "/api/v1/auth/login"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
              .build();
      HttpResponse<String> r = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
      assertEquals("body: must be at most 4096 bytes", json(r).get("details").get(0).asText());
    }
  }

  @Test
  void rateLimit_overTheWindow_429WithRetryAfter_thenAllowedAgain_firstHitAudited() throws Exception {
    String config =
        "security:\n  http: { rate_limit: { window_ms: 60000, max_requests: 5 } }\n"
            + "  auth: { login_rate_limit: { capacity: 1000, refill_period: PT1M } }\n";
    try (GatewayFixture f = new GatewayFixture(tmp, config)) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> ok = f.get("/healthz");
        assertEquals(200, ok.statusCode());
        assertEquals(String.valueOf(4 - i), ok.headers().firstValue("RateLimit-Remaining").orElse(""));
      }
      HttpResponse<String> limited = f.get("/healthz");
      assertEquals(429, limited.statusCode());
      assertEquals("12", limited.headers().firstValue("Retry-After").orElse(""));
      assertEquals("too many requests", json(limited).get("error").asText());
      assertHardened(limited.headers(), "429");
      assertEquals(429, f.post("/api/v1/auth/login", "{}").statusCode(), "every route is limited");
      f.ticker.addAndGet(Duration.ofSeconds(12).toNanos());
      assertEquals(200, f.get("/healthz").statusCode());
      assertEquals(2, f.gateway.metrics().count(SecurityMetrics.Event.RATE_LIMIT_HIT));
      assertEquals(
          1, f.gateway.audit().query(AuditQuery.builder().event("http.rate_limited").limit(10).build()).size());
    }
  }

  @Test
  void loginThrottle_perUser_429WithRetryAfter() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, "security: {}\n")) {
      String wrong = "{\"username\":\"admin\",\"password\":\"wrong\"}";
      int throttled = 0;
      String retryAfter = "";
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = f.post("/api/v1/auth/login", wrong);
        if (r.statusCode() == 429) {
          throttled++;
          retryAfter = r.headers().firstValue("Retry-After").orElse("");
        } else {
          assertEquals(401, r.statusCode());
        }
      }
      assertEquals(1, throttled, "the default login limit is 5 attempts per minute");
      assertTrue(Integer.parseInt(retryAfter) >= 1, retryAfter);
    }
  }

  @Test
  void cors_preflightFromAllowedOriginPasses_othersFail() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      HttpResponse<String> ok = preflight(f, "http://localhost:3000", "content-type");
      assertEquals(204, ok.statusCode());
      assertEquals("http://localhost:3000", ok.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      assertTrue(ok.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
      assertHardened(ok.headers(), "preflight");
      HttpResponse<String> evil = preflight(f, "https://evil.example", "content-type");
      assertEquals(403, evil.statusCode());
      assertFalse(evil.headers().firstValue("Access-Control-Allow-Origin").isPresent());
      HttpResponse<String> crossPost =
          f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}", "Origin", "https://evil.example");
      assertEquals(403, crossPost.statusCode(), "a simple cross-site POST never reaches the handler");
      HttpResponse<String> allowedPost =
          f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}", "Origin", "http://localhost:3000");
      assertEquals(401, allowedPost.statusCode());
      assertEquals("http://localhost:3000", allowedPost.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      HttpResponse<String> sameOrigin =
          f.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}", "Origin", f.base());
      assertEquals(401, sameOrigin.statusCode(), "the gateway's own pages are same-origin");
      assertEquals(2, f.gateway.metrics().count(SecurityMetrics.Event.CORS_REJECTED));
    }
  }

  @Test
  void oversizedHeaders_431AsJsonWithSecurityHeaders() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String response = raw(f.gateway.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(10_000)
          + "\r\nConnection: close\r\n\r\n", Duration.ofSeconds(20));
      assertTrue(response.startsWith("HTTP/1.1 431"), response);
      assertTrue(response.contains("X-Content-Type-Options: nosniff"), response);
      assertTrue(response.contains("X-Request-ID: "), response);
      assertTrue(response.contains("\"error\":\"request header fields too large\""), response);
    }
  }

  @Test
  void slowClient_sendsHalfARequest_connectionClosedAfterTheIdleTimeout() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, GatewayFixture.SHORT_IDLE_CONFIG)) {
      long start = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.gateway.port())) {
        s.setSoTimeout(20_000); // the test's own bound; the server must close long before
        OutputStream out = s.getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
          // drain whatever the server sends before it closes
        }
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "closed after " + took);
    }
  }

  @Test
  void keepAlive_severalRequestsOnOneConnection() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String two = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      String response = raw(f.gateway.port(), two, Duration.ofSeconds(20));
      assertEquals(2, response.split("HTTP/1.1 200", -1).length - 1, response);
    }
  }

  private static HttpResponse<String> preflight(GatewayFixture f, String origin, String headers) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(f.base() + "/api/v1/auth/login"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", headers)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String raw(int port, String request, Duration bound) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout((int) bound.toMillis());
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
