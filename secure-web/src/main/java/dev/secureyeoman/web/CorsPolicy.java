package dev.secureyeoman.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * CORS with an exact-origin allowlist ({@code security.http.cors.allowed_origins}).
 *
 * <p>{@link #evaluate} classifies a request:
 *
 * <ul>
 *   <li>no {@code Origin}, or the request's own origin: {@link CorsDecision.Kind#SAME_ORIGIN}, no CORS headers;
 *   <li>a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) from an allowed origin asking only for
 *       allowed methods and headers: {@link CorsDecision.Kind#PREFLIGHT_ALLOWED} with the {@code Access-Control-Allow-*}
 *       headers (answer 204);
 *   <li>any other request from an allowed origin: {@link CorsDecision.Kind#ALLOWED} with
 *       {@code Access-Control-Allow-Origin} echoing that one origin;
 *   <li>everything else (unknown origin, {@code Origin: null}, a preflight for a method or header not allowed):
 *       {@link CorsDecision.Kind#REJECTED}, no allow headers — the host answers 403, so even requests a browser would
 *       send without a preflight (a form POST) never reach a handler from a foreign origin.
 * </ul>
 *
 * <p><b>Security guarantees.</b> Origins match exactly (scheme, host and port as configured, compared
 * case-insensitively); there are no wildcards, no suffix matching and no reflection of unknown origins. {@code Vary:
 * Origin} is added whenever an {@code Origin} was sent, so caches do not mix answers. <b>Non-goals:</b> CORS is a
 * browser policy; it does not authenticate anything.
 *
 * <p>Immutable and thread-safe.
 */
public final class CorsPolicy {
  private final Set<String> origins;
  private final Set<String> methods;
  private final Set<String> headersLower;
  private final String methodsHeader;
  private final String headersHeader;
  private final Duration maxAge;
  private final boolean allowCredentials;
  private final String exposeHeaders;

  private CorsPolicy(Builder b) {
    this.origins = Collections.unmodifiableSet(new LinkedHashSet<>(b.origins));
    this.methods = Collections.unmodifiableSet(new LinkedHashSet<>(b.methods));
    Set<String> lower = new LinkedHashSet<>();
    b.headers.forEach(h -> lower.add(h.toLowerCase(Locale.ROOT)));
    this.headersLower = Collections.unmodifiableSet(lower);
    this.methodsHeader = String.join(", ", methods);
    this.headersHeader = String.join(", ", b.headers);
    this.maxAge = b.maxAge;
    this.allowCredentials = b.allowCredentials;
    this.exposeHeaders = String.join(", ", b.exposeHeaders);
  }

  /**
   * Starts a builder (no origins; methods GET, POST; headers Authorization, Content-Type, X-Request-ID; max age 10
   * minutes; no credentials).
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The allowed origins.
   *
   * @return the normalized origins
   */
  public Set<String> allowedOrigins() {
    return origins;
  }

  /**
   * Classifies a request.
   *
   * @param method the request method
   * @param origin the {@code Origin} header, or null
   * @param requestMethod the {@code Access-Control-Request-Method} header, or null
   * @param requestHeaders the {@code Access-Control-Request-Headers} header, or null
   * @param selfOrigin this server's origin as the client addressed it (e.g. {@code http://127.0.0.1:8080}), or null
   * @return the decision with the headers to add
   */
  public CorsDecision evaluate(
      String method, String origin, String requestMethod, String requestHeaders, String selfOrigin) {
    Objects.requireNonNull(method, "method");
    if (origin == null) {
      return new CorsDecision(CorsDecision.Kind.SAME_ORIGIN, Map.of());
    }
    String o = origin.strip().toLowerCase(Locale.ROOT);
    boolean preflight = "OPTIONS".equals(method) && requestMethod != null;
    if (!preflight && selfOrigin != null && o.equals(selfOrigin.toLowerCase(Locale.ROOT))) {
      return new CorsDecision(CorsDecision.Kind.SAME_ORIGIN, Map.of("Vary", "Origin"));
    }
    if (!origins.contains(o)) {
      return new CorsDecision(CorsDecision.Kind.REJECTED, Map.of("Vary", "Origin"));
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Access-Control-Allow-Origin", o);
    h.put("Vary", "Origin");
    if (allowCredentials) {
      h.put("Access-Control-Allow-Credentials", "true");
    }
    if (!preflight) {
      if (!exposeHeaders.isEmpty()) {
        h.put("Access-Control-Expose-Headers", exposeHeaders);
      }
      return new CorsDecision(CorsDecision.Kind.ALLOWED, h);
    }
    if (!methods.contains(requestMethod.strip())) {
      return new CorsDecision(CorsDecision.Kind.REJECTED, Map.of("Vary", "Origin"));
    }
    if (requestHeaders != null && !requestHeaders.isBlank()) {
      for (String name : requestHeaders.split(",")) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (!n.isEmpty() && !headersLower.contains(n)) {
          return new CorsDecision(CorsDecision.Kind.REJECTED, Map.of("Vary", "Origin"));
        }
      }
    }
    h.put("Access-Control-Allow-Methods", methodsHeader);
    h.put("Access-Control-Allow-Headers", headersHeader);
    h.put("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
    return new CorsDecision(CorsDecision.Kind.PREFLIGHT_ALLOWED, h);
  }

  /**
   * The outcome of {@link CorsPolicy#evaluate}.
   *
   * @param kind the classification
   * @param headers headers to add to the response
   */
  public record CorsDecision(Kind kind, Map<String, String> headers) {
    /** Copies the headers. */
    public CorsDecision {
      Objects.requireNonNull(kind, "kind");
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Classification of a request. */
    public enum Kind {
      /** No {@code Origin}, or the server's own: not a CORS request. */
      SAME_ORIGIN,
      /** A cross-origin request from an allowed origin. */
      ALLOWED,
      /** An allowed preflight: answer 204 with the headers and stop. */
      PREFLIGHT_ALLOWED,
      /** Refused: answer 403 without allow headers. */
      REJECTED
    }
  }

  /** Builder for {@link CorsPolicy}. */
  public static final class Builder {
    private final List<String> origins = new ArrayList<>();
    private List<String> methods = List.of("GET", "POST");
    private List<String> headers = List.of("Authorization", "Content-Type", RequestIds.HEADER);
    private List<String> exposeHeaders =
        List.of(RequestIds.HEADER, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After");
    private Duration maxAge = Duration.ofMinutes(10);
    private boolean allowCredentials;

    private Builder() {}

    /**
     * Adds allowed origins.
     *
     * @param allowed origins such as {@code https://app.example.com} or {@code http://localhost:8080}: scheme http or
     *     https, a host, an optional port, nothing else (no path, no wildcard)
     * @return this builder
     */
    public Builder allowedOrigins(List<String> allowed) {
      for (String o : allowed) {
        origins.add(normalizeOrigin(o));
      }
      return this;
    }

    /**
     * Sets the methods a preflight may ask for.
     *
     * @param allowedMethods upper-case method names
     * @return this builder
     */
    public Builder allowedMethods(List<String> allowedMethods) {
      for (String m : allowedMethods) {
        if (!m.matches("[A-Z]{1,16}")) {
          throw new IllegalArgumentException("allowedMethods must be upper-case method names, got '" + m + "'");
        }
      }
      this.methods = List.copyOf(allowedMethods);
      return this;
    }

    /**
     * Sets the request headers a preflight may ask for.
     *
     * @param allowedHeaders header names (token characters)
     * @return this builder
     */
    public Builder allowedHeaders(List<String> allowedHeaders) {
      for (String h : allowedHeaders) {
        if (!h.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")) {
          throw new IllegalArgumentException("allowedHeaders must be header names, got '" + h + "'");
        }
      }
      this.headers = List.copyOf(allowedHeaders);
      return this;
    }

    /**
     * Sets how long browsers may cache a preflight answer.
     *
     * @param maxAge 0 to 24 hours
     * @return this builder
     */
    public Builder maxAge(Duration maxAge) {
      if (maxAge.isNegative() || maxAge.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("maxAge must be between 0 and 24 hours, got " + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Whether allowed origins may send credentials (cookies); off by default.
     *
     * @param allow true to send {@code Access-Control-Allow-Credentials: true}
     * @return this builder
     */
    public Builder allowCredentials(boolean allow) {
      this.allowCredentials = allow;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public CorsPolicy build() {
      return new CorsPolicy(this);
    }

    static String normalizeOrigin(String origin) {
      Objects.requireNonNull(origin, "origin");
      URI u;
      try {
        u = new URI(origin.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("allowed origin is not a URI: '" + origin + "'");
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      boolean bare =
          (u.getRawPath() == null || u.getRawPath().isEmpty())
              && u.getRawQuery() == null
              && u.getRawFragment() == null
              && u.getRawUserInfo() == null;
      if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null || !bare) {
        throw new IllegalArgumentException(
            "allowed origin must be scheme://host[:port] with scheme http or https, got '" + origin + "'");
      }
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() >= 0 ? ":" + u.getPort() : "");
    }
  }
}
