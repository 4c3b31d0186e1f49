package dev.secureyeoman.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.web.CorsPolicy;
import dev.secureyeoman.web.RateLimitPolicy;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.SecurityHeaders;
import dev.secureyeoman.web.SecurityMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP layer's lifecycle, with a route the test controls. */
class GatewayHttpTest {
  private final List<AuditEvent> audited = new ArrayList<>();

  private GatewayHttp start(Router router) throws IOException {
    SecurityMetrics metrics = new SecurityMetrics(new SimpleMeterRegistry());
    GatewayHttp.Policies p =
        new GatewayHttp.Policies(
            SecurityHeaders.defaults(),
            new RequestIds(),
            CorsPolicy.builder().build(),
            RateLimitPolicy.builder().build(),
            1024,
            8192,
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            dev.secureyeoman.web.TrustedProxies.none(),
            dev.secureyeoman.web.HostAllowlist.of(List.of()),
            metrics,
            new GatewayAudit(audited::add, metrics, System::nanoTime));
    return GatewayHttp.start(0, p, router);
  }

  @Test
  void close_inFlightRequestFinishes_thenNewConnectionsAreRefused() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Router router = new Router();
    router.get(
        "/slow",
        r -> {
          entered.countDown();
          assertTrue(release.await(30, TimeUnit.SECONDS));
          return ApiResponse.json(200, "{\"done\":true}");
        });
    GatewayHttp http = start(router);
    int port = http.port();
    CompletableFuture<HttpResponse<String>> inFlight =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertTrue(entered.await(30, TimeUnit.SECONDS));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(http::close);
    release.countDown();
    HttpResponse<String> r = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), "graceful stop lets the in-flight request finish");
    assertEquals("{\"done\":true}", r.body());
    closing.get(30, TimeUnit.SECONDS);
    assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
  }

  @Test
  void routeThrowsUnexpectedly_500WithoutStackTrace_invalidTokenAuditedOncePerMinute() throws Exception {
    Router router = new Router();
    router.get("/boom", r -> {
      throw new IllegalStateException("secret internal detail");
    });
    router.get("/private", r -> {
      throw new dev.secureyeoman.auth.InvalidTokenException();
    });
    try (GatewayHttp http = start(router)) {
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<String> r =
          c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/boom")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(500, r.statusCode());
      assertTrue(r.body().startsWith("{\"error\":\"internal error\",\"details\":[],\"requestId\":\""), r.body());
      assertFalse(r.body().contains("secret"), r.body());
      for (int i = 0; i < 3; i++) {
        assertEquals(401, c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/private")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      assertEquals(1, audited.stream().filter(e -> e.event().equals("http.unauthenticated")).count());
      assertTrue(audited.get(0).correlationId().isPresent(), "correlated with the request");
    }
  }

  @Test
  void secureCookie_relaxedOnlyForPlainHttpOnALoopbackOnlyListener() {
    assertFalse(AuthRoutes.secureCookie(false, true));
    assertTrue(AuthRoutes.secureCookie(true, true));
    assertTrue(AuthRoutes.secureCookie(false, false));
    assertTrue(AuthRoutes.secureCookie(true, false));
  }

  @Test
  void router_duplicateRoute_refused() {
    Router router = new Router();
    router.get("/x", r -> ApiResponse.empty(204));
    assertThrows(IllegalStateException.class, () -> router.get("/x", r -> ApiResponse.empty(204)));
  }

  @Test
  void auditAggregation_keySpray_boundedWindows_floodAggregatedIntoOneEntry() {
    SecurityMetrics metrics = new SecurityMetrics(new SimpleMeterRegistry());
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    List<AuditEvent> written = new ArrayList<>();
    GatewayAudit a = new GatewayAudit(written::add, metrics, now::get);
    for (int i = 0; i < 50_000; i++) {
      a.recordOncePerWindow("http.rate_limited", "ip6:" + i, AuditEvent.builder("http.rate_limited").message("x"));
    }
    assertTrue(a.trackedWindows() <= 10_001, "bounded: " + a.trackedWindows());
    assertEquals(10_001, written.size(), "10 000 keys, then one aggregate entry for the rest of the minute");
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    a.recordOncePerWindow("http.rate_limited", "ip6:new", AuditEvent.builder("http.rate_limited").message("x"));
    assertEquals(10_002, written.size());
    assertTrue(a.trackedWindows() <= 2, "expired windows are dropped: " + a.trackedWindows());
  }
}
