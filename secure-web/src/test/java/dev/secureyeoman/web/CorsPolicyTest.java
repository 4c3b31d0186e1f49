package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.web.CorsPolicy.CorsDecision.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {
  private static final String SELF = "http://127.0.0.1:8080";
  private final CorsPolicy cors =
      CorsPolicy.builder().allowedOrigins(List.of("https://App.Example.com", "http://localhost:3000")).build();

  @Test
  void preflight_allowedOrigin_passesWithAllowHeaders() {
    CorsPolicy.CorsDecision d =
        cors.evaluate("OPTIONS", "https://app.example.com", "POST", "content-type, authorization", SELF);
    assertEquals(Kind.PREFLIGHT_ALLOWED, d.kind());
    assertEquals("https://app.example.com", d.headers().get("Access-Control-Allow-Origin"));
    assertEquals("GET, POST", d.headers().get("Access-Control-Allow-Methods"));
    assertEquals("600", d.headers().get("Access-Control-Max-Age"));
    assertEquals("Origin", d.headers().get("Vary"));
  }

  @Test
  void preflight_otherOriginOrMethodOrHeader_rejectedWithoutAllowHeaders() {
    for (String[] c :
        new String[][] {
          {"https://evil.example", "POST", "content-type"},
          {"https://app.example.com.evil.example", "POST", null},
          {"null", "POST", null},
          {"https://app.example.com", "DELETE", null},
          {"https://app.example.com", "POST", "x-custom"},
          {"http://app.example.com", "POST", null}
        }) {
      CorsPolicy.CorsDecision d = cors.evaluate("OPTIONS", c[0], c[1], c[2], SELF);
      assertEquals(Kind.REJECTED, d.kind(), String.join(" ", c[0], c[1]));
      assertFalse(d.headers().containsKey("Access-Control-Allow-Origin"));
    }
  }

  @Test
  void evaluate_sameOriginOrNoOrigin_notCors_allowedOriginGetsExposeHeaders() {
    assertEquals(Kind.SAME_ORIGIN, cors.evaluate("POST", null, null, null, SELF).kind());
    assertEquals(Kind.SAME_ORIGIN, cors.evaluate("POST", SELF, null, null, SELF).kind());
    assertEquals(Kind.REJECTED, cors.evaluate("POST", "https://evil.example", null, null, SELF).kind());
    CorsPolicy.CorsDecision ok = cors.evaluate("GET", "http://localhost:3000", null, null, SELF);
    assertEquals(Kind.ALLOWED, ok.kind());
    assertEquals("http://localhost:3000", ok.headers().get("Access-Control-Allow-Origin"));
    assertFalse(ok.headers().containsKey("Access-Control-Allow-Credentials"));
    CorsPolicy cred =
        CorsPolicy.builder()
            .allowedOrigins(List.of("http://localhost:3000"))
            .allowCredentials(true)
            .allowedMethods(List.of("GET"))
            .allowedHeaders(List.of("X-Custom"))
            .maxAge(Duration.ZERO)
            .build();
    assertEquals(
        "true",
        cred.evaluate("OPTIONS", "http://localhost:3000", "GET", "x-custom", SELF)
            .headers()
            .get("Access-Control-Allow-Credentials"));
  }

  @Test
  void builder_originsWithPathWildcardOrOtherScheme_refused() {
    for (String bad : new String[] {"*", "https://*.example.com", "https://a.example/", "ftp://a.example", "a b"}) {
      assertThrows(
          IllegalArgumentException.class, () -> CorsPolicy.builder().allowedOrigins(List.of(bad)), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> CorsPolicy.builder().allowedMethods(List.of("get")));
    assertThrows(IllegalArgumentException.class, () -> CorsPolicy.builder().allowedHeaders(List.of("a b")));
    assertThrows(IllegalArgumentException.class, () -> CorsPolicy.builder().maxAge(Duration.ofDays(2)));
    assertEquals(
        List.of("https://a.example:8443"),
        List.copyOf(
            CorsPolicy.builder().allowedOrigins(List.of("HTTPS://A.example:8443")).build().allowedOrigins()));
  }
}
