package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (own data dirs, own Redis clients) with {@code security.cache.redis_url} pointing at one real Redis: the
 * HTTP rate limit is one budget for both; a Redis outage is served per node ({@code local}) or refused with 503
 * ({@code deny}), and the shared limit comes back without a gateway restart.
 */
@ExtendWith(RedisExtension.class)
class GatewaySharedRateLimitTest {
  @TempDir Path tmp;

  private static String config(RedisServer redis, String onFailure) {
    return "security:\n"
        + "  auth: { login_rate_limit: { capacity: 1000, refill_period: PT1M } }\n"
        + "  http: { rate_limit: { window_ms: 60000, max_requests: 6 } }\n"
        + "  cache: { redis_url: \"" + redis.uri() + "\", rate_limit_on_failure: " + onFailure + " }\n";
  }

  private GatewayFixture node(String name, String config) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve(name));
    return new GatewayFixture(dir, config);
  }

  @Test
  void rateLimit_twoGatewaysOneRedis_oneBudget_redisDown_eachNodeLimitsAlone(RedisServer redis) throws Exception {
    String config = config(redis, "local");
    try (GatewayFixture a = node("a", config);
        GatewayFixture b = node("b", config)) {
      // one wall clock for both nodes (each fixture starts its own at its creation, seconds apart)
      a.clock.advance(java.time.Duration.between(a.clock.instant(), b.clock.instant()));
      int ok = 0;
      for (int i = 0; i < 12; i++) {
        ok += (i % 2 == 0 ? a : b).get("/healthz").statusCode() == 200 ? 1 : 0;
      }
      assertEquals(6, ok, "6 requests per minute for the cluster, not per gateway");
      HttpResponse<String> limited = a.get("/healthz");
      assertEquals(429, limited.statusCode());
      assertEquals("10", limited.headers().firstValue("Retry-After").orElse(""));

      redis.stop();
      // local fallback: each gateway still answers and still limits, with its own budget of 6
      int served = 0;
      for (int i = 0; i < 8; i++) {
        served += a.get("/healthz").statusCode() == 200 ? 1 : 0;
      }
      assertEquals(6, served);
      assertEquals(429, a.get("/healthz").statusCode());
    }
  }

  @Test
  void rateLimit_denyMode_redisDown_503_thenBackWithoutRestart(RedisServer redis) throws Exception {
    try (GatewayFixture a = node("a", config(redis, "deny"))) {
      assertEquals(200, a.get("/healthz").statusCode());
      redis.stop();
      HttpResponse<String> down = a.get("/healthz");
      assertEquals(503, down.statusCode(), down.body());
      assertEquals("1", down.headers().firstValue("Retry-After").orElse(""));
      assertEquals("service unavailable", json(down).get("error").asText());
      assertTrue(down.headers().firstValue("X-Request-ID").isPresent(), "the usual pipeline headers");
      redis.restart();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int status;
      while ((status = a.get("/healthz").statusCode()) == 503 && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      assertEquals(200, status, "the shared limit answers again without a gateway restart");
    }
  }
}
