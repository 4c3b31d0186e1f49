package dev.secureyeoman.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityHeadersTest {

  @Test
  void defaults_owasp2024Set() {
    Map<String, String> h = SecurityHeaders.defaults().headers();
    assertEquals("0", h.get("X-XSS-Protection"));
    assertEquals("nosniff", h.get("X-Content-Type-Options"));
    assertEquals("DENY", h.get("X-Frame-Options"));
    assertEquals("no-referrer", h.get("Referrer-Policy"));
    assertEquals("same-origin", h.get("Cross-Origin-Opener-Policy"));
    assertEquals("require-corp", h.get("Cross-Origin-Embedder-Policy"));
    assertEquals("same-origin", h.get("Cross-Origin-Resource-Policy"));
    assertEquals("none", h.get("X-Permitted-Cross-Domain-Policies"));
    assertEquals("max-age=31536000; includeSubDomains", h.get("Strict-Transport-Security"));
    assertTrue(h.get("Permissions-Policy").contains("camera=()"));
    assertTrue(h.get("Cache-Control").startsWith("no-store"));
    String csp = h.get("Content-Security-Policy");
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe"), csp);
  }

  @Test
  void contentSecurityPolicy_wildcardsSchemeSourcesOrNoDefaultSrc_refused_explicitListsAccepted() {
    for (String bad :
        new String[] {
          "default-src *",
          "default-src 'self'; img-src *",
          "default-src 'self'; script-src https://*.cdn.example",
          "default-src 'self'; script-src https:",
          "default-src 'self'; connect-src wss:",
          "default-src 'self'; script-src data:",
          "default-src 'self'; frame-src blob:",
          "default-src http:",
          "script-src 'self'; object-src 'none'",
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> SecurityHeaders.builder().contentSecurityPolicy(bad), bad);
      assertTrue(e.getMessage().startsWith("contentSecurityPolicy"), e.getMessage());
    }
    for (String ok :
        new String[] {
          SecurityHeaders.DEFAULT_CSP,
          "default-src 'none'",
          "default-src 'self'; script-src 'self' https://cdn.example:8443/lib/; img-src 'self' data:; font-src data:",
          "default-src 'self'; script-src 'sha256-abc=' 'nonce-xyz'; report-uri /csp",
          "default-src 'self'; upgrade-insecure-requests",
        }) {
      assertEquals(ok, SecurityHeaders.builder().contentSecurityPolicy(ok).build().contentSecurityPolicy());
    }
  }

  @Test
  void contentSecurityPolicy_unsafeInlineOrEvalOrControlChars_refused() {
    for (String bad :
        new String[] {
          "default-src 'self'; script-src 'self' 'unsafe-inline'",
          "script-src 'UNSAFE-EVAL'",
          "script-src 'unsafe-hashes' 'sha256-abc'",
          "default-src 'self'\r\nSet-Cookie: x=1",
          " "
        }) {
      assertThrows(
          IllegalArgumentException.class, () -> SecurityHeaders.builder().contentSecurityPolicy(bad), bad);
    }
    SecurityHeaders ok = SecurityHeaders.builder().contentSecurityPolicy("default-src 'none'").build();
    assertEquals("default-src 'none'", ok.contentSecurityPolicy());
  }

  @Test
  void hstsMaxAge_zero_omitsTheHeader_setTwice_throws() {
    SecurityHeaders h = SecurityHeaders.builder().hstsMaxAge(Duration.ZERO).build();
    assertFalse(h.headers().containsKey("Strict-Transport-Security"));
    assertThrows(IllegalArgumentException.class, () -> SecurityHeaders.builder().hstsMaxAge(Duration.ofDays(800)));
    assertThrows(
        IllegalStateException.class,
        () -> SecurityHeaders.builder().hstsMaxAge(Duration.ZERO).hstsMaxAge(Duration.ZERO));
    assertThrows(
        IllegalStateException.class,
        () -> SecurityHeaders.builder().contentSecurityPolicy("default-src 'none'").contentSecurityPolicy("default-src 'self'"));
    assertThrows(UnsupportedOperationException.class, () -> h.headers().put("X", "y"));
  }
}
