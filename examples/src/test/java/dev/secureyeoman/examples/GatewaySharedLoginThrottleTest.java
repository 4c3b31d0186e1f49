package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.examples.GatewayFixture.JSON;
import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.RedisExtension;
import dev.secureyeoman.testkit.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways (own data dirs and auth databases, own Redis clients) with {@code security.cache.redis_url} pointing at
 * one real Redis: the login throttle is one budget for both, and a Redis outage refuses every login with 503 (fail
 * closed) even though the HTTP rate limit falls back to local buckets.
 */
@ExtendWith(RedisExtension.class)
class GatewaySharedLoginThrottleTest {
  @TempDir Path tmp;

  private static String config(RedisServer redis) {
    return "security:\n"
        + "  auth: { login_rate_limit: { capacity: 5, refill_period: PT1M } }\n"
        + "  http: { rate_limit: { window_ms: 60000, max_requests: 100000 } }\n"
        + "  cache: { redis_url: \"" + redis.uri() + "\", rate_limit_on_failure: local }\n";
  }

  private GatewayFixture node(String name, RedisServer redis) throws Exception {
    return new GatewayFixture(Files.createDirectory(tmp.resolve(name)), config(redis));
  }

  private static HttpResponse<String> login(GatewayFixture g, String password) throws Exception {
    return g.post(
        "/api/v1/auth/login",
        JSON.writeValueAsString(Map.of("username", "admin", "password", password, "rememberMe", false)));
  }

  @Test
  void login_wrongPasswordsSpreadOverTwoGateways_429OnBoth_redisDown_503_thenBack(RedisServer redis) throws Exception {
    try (GatewayFixture a = node("a", redis);
        GatewayFixture b = node("b", redis)) {
      a.clock.advance(Duration.between(a.clock.instant(), b.clock.instant())); // one wall clock for the refill
      // the legitimate path: more correct logins than the capacity, over both nodes (each success refunds)
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> ok = login(i % 2 == 0 ? a : b, ADMIN_PASSWORD);
        assertEquals(200, ok.statusCode(), ok.body());
      }
      // five wrong passwords spread over both nodes spend the one shared budget ...
      for (int i = 0; i < 5; i++) {
        assertEquals(401, login(i % 2 == 0 ? a : b, "wrong password number " + i + " long").statusCode());
      }
      // ... so the next attempt is throttled on either node, even with the right password
      for (GatewayFixture g : List.of(a, b)) {
        HttpResponse<String> limited = login(g, ADMIN_PASSWORD);
        assertEquals(429, limited.statusCode(), limited.body());
        assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0")) >= 1);
      }

      redis.stop();
      for (GatewayFixture g : List.of(a, b)) {
        HttpResponse<String> down = login(g, ADMIN_PASSWORD);
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("service unavailable", json(down).get("error").asText());
        assertFalse(down.body().contains("redis"), "nothing about the store in the answer");
        assertEquals(200, g.get("/healthz").statusCode(), "the HTTP limit itself falls back to local buckets");
      }

      redis.restart();
      a.clock.advance(Duration.ofMinutes(1));
      b.clock.advance(Duration.ofMinutes(1));
      for (GatewayFixture g : List.of(a, b)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status;
        while ((status = login(g, ADMIN_PASSWORD).statusCode()) == 503 && System.nanoTime() - deadline < 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertEquals(200, status, "logins work again after the Redis restart, without a gateway restart");
      }
    }
  }
}
