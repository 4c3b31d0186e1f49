package dev.secureyeoman.web;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The OWASP Secure Headers Project set (2024 recommended values), to send on <em>every</em> response, errors included:
 *
 * <pre>
 * Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;
 *                          object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'
 * Strict-Transport-Security: max-age=31536000; includeSubDomains
 * X-Content-Type-Options: nosniff
 * X-Frame-Options: DENY
 * X-XSS-Protection: 0                      (the legacy auditor is disabled: it created XS-leaks; CSP replaces it)
 * Referrer-Policy: no-referrer
 * Permissions-Policy: accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(),
 *                     payment=(), usb=()
 * Cross-Origin-Opener-Policy: same-origin
 * Cross-Origin-Embedder-Policy: require-corp
 * Cross-Origin-Resource-Policy: same-origin
 * X-Permitted-Cross-Domain-Policies: none
 * Cache-Control: no-store, max-age=0
 * </pre>
 *
 * <p><b>Security guarantees.</b> The CSP can be replaced, but one containing {@code 'unsafe-inline'},
 * {@code 'unsafe-eval'} or {@code 'unsafe-hashes'}, a wildcard source, a scheme-only source ({@code https:};
 * {@code data:} only in {@code img-src}/{@code font-src}) or no {@code default-src} is refused at build time, and no value may contain a control
 * character (no header injection). <b>Non-goals:</b> HSTS only takes effect over HTTPS (browsers ignore it on plain
 * HTTP); {@code Clear-Site-Data} belongs on the logout response only, so it is not part of the set.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecurityHeaders {

  /** The default Content-Security-Policy: same-origin scripts and styles only, images also from {@code data:}. */
  public static final String DEFAULT_CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
          + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private final Map<String, String> headers;

  private SecurityHeaders(Builder b) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Security-Policy", b.csp);
    if (!b.hstsMaxAge.isZero()) {
      h.put("Strict-Transport-Security", "max-age=" + b.hstsMaxAge.toSeconds() + "; includeSubDomains");
    }
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("X-XSS-Protection", "0");
    h.put("Referrer-Policy", "no-referrer");
    h.put(
        "Permissions-Policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()");
    h.put("Cross-Origin-Opener-Policy", "same-origin");
    h.put("Cross-Origin-Embedder-Policy", "require-corp");
    h.put("Cross-Origin-Resource-Policy", "same-origin");
    h.put("X-Permitted-Cross-Domain-Policies", "none");
    h.put("Cache-Control", "no-store, max-age=0");
    this.headers = Collections.unmodifiableMap(h);
  }

  /**
   * The default set.
   *
   * @return headers with {@link #DEFAULT_CSP} and one year of HSTS
   */
  public static SecurityHeaders defaults() {
    return builder().build();
  }

  /**
   * Starts a builder.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The headers to set on every response.
   *
   * @return header name to value, unmodifiable, in a stable order
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * The Content-Security-Policy value.
   *
   * @return the CSP
   */
  public String contentSecurityPolicy() {
    return headers.get("Content-Security-Policy");
  }

  /** Builder for {@link SecurityHeaders}. */
  public static final class Builder {
    private String csp = DEFAULT_CSP;
    private Duration hstsMaxAge = Duration.ofDays(365);
    private boolean cspSet;
    private boolean hstsSet;

    private Builder() {}

    /**
     * Replaces the Content-Security-Policy ({@code security.http.content_security_policy}).
     *
     * @param csp 1–4096 printable chars without {@code 'unsafe-inline'}, {@code 'unsafe-eval'}, {@code 'unsafe-hashes'}
     * @return this builder
     */
    public Builder contentSecurityPolicy(String csp) {
      if (cspSet) {
        throw new IllegalStateException("contentSecurityPolicy was already set");
      }
      Objects.requireNonNull(csp, "csp");
      if (csp.isBlank() || csp.length() > 4096 || !printable(csp)) {
        throw new IllegalArgumentException("contentSecurityPolicy must be 1-4096 printable ASCII chars");
      }
      String lower = csp.toLowerCase(Locale.ROOT);
      for (String bad : new String[] {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"}) {
        if (lower.contains(bad)) {
          throw new IllegalArgumentException("contentSecurityPolicy must not contain " + bad);
        }
      }
      requireExplicitAllowList(lower);
      this.csp = csp;
      cspSet = true;
      return this;
    }

    /**
     * An explicit allow-list: a {@code default-src} (so directives not listed fall back to it, not to "anything"),
     * no wildcard in any source ({@code *}, {@code https://*.cdn}), and no scheme-only source ({@code https:},
     * {@code wss:}, {@code blob:}), which admits every host of that scheme; {@code data:} only for images and fonts.
     */
    private static void requireExplicitAllowList(String lower) {
      boolean hasDefault = false;
      for (String directive : lower.split(";")) {
        String[] parts = directive.strip().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) {
          continue;
        }
        String name = parts[0];
        hasDefault |= name.equals("default-src");
        if (!name.endsWith("-src") && !name.equals("form-action") && !name.equals("frame-ancestors")
            && !name.equals("base-uri")) {
          continue; // report-uri, sandbox, upgrade-insecure-requests, …: no source lists
        }
        for (int i = 1; i < parts.length; i++) {
          String src = parts[i];
          if (src.contains("*")) {
            throw new IllegalArgumentException(
                "contentSecurityPolicy must list sources explicitly; wildcard '" + src + "' in " + name);
          }
          boolean schemeOnly = src.matches("[a-z][a-z0-9+.-]*:");
          boolean dataForMedia = src.equals("data:") && (name.equals("img-src") || name.equals("font-src"));
          if (schemeOnly && !dataForMedia) {
            throw new IllegalArgumentException(
                "contentSecurityPolicy must list hosts, not a whole scheme: '" + src + "' in " + name);
          }
        }
      }
      if (!hasDefault) {
        throw new IllegalArgumentException("contentSecurityPolicy must have a default-src directive");
      }
    }

    /**
     * Sets the HSTS max-age; zero omits the header (for hosts that must not pin HTTPS on their name).
     *
     * @param maxAge zero, or 1 second to 2 years
     * @return this builder
     */
    public Builder hstsMaxAge(Duration maxAge) {
      if (hstsSet) {
        throw new IllegalStateException("hstsMaxAge was already set");
      }
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.compareTo(Duration.ofDays(730)) > 0) {
        throw new IllegalArgumentException("hstsMaxAge must be between 0 and 730 days, got " + maxAge);
      }
      this.hstsMaxAge = maxAge;
      hstsSet = true;
      return this;
    }

    /**
     * Builds the header set.
     *
     * @return the headers
     */
    public SecurityHeaders build() {
      return new SecurityHeaders(this);
    }

    private static boolean printable(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          return false;
        }
      }
      return true;
    }
  }
}
