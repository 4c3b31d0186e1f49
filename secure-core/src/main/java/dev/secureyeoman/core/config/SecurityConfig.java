package dev.secureyeoman.core.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code security:} section shared by every SecureYeoman module, bound from YAML in snake_case (accessors are the
 * camelCase of the keys). Every key has a default ({@link #defaults()}); a file only needs the keys it changes.
 * Durations are ISO-8601 only ({@code PT15M}, {@code P30D}; a bare number is refused) and bounded per key
 * ({@link DurationRange}).
 *
 * <pre>
 * security:
 *   audit:   { db_path: data/audit.db, retention_days: 90, max_entries: 1000000, maintenance_interval: PT1H,
 *              checkpoint_path: checkpoints/audit.checkpoints }
 *   auth:    { access_token_ttl: PT15M, session_ttl: PT24H, remember_me_ttl: P30D, password_min_length: 32,
 *              login_rate_limit: { capacity: 5, refill_period: PT1M }, totp: { issuer: SecureYeoman, window: 1 } }
 *   http:    { rate_limit: { window_ms: 60000, max_requests: 100 }, cors: { allowed_origins: [] } }
 *   sandbox: { backend: auto, require_isolation: true, network: none, timeout: PT30S }
 * </pre>
 *
 * @param audit audit log settings ({@code security.audit})
 * @param auth authentication settings ({@code security.auth})
 * @param http HTTP policy settings ({@code security.http})
 * @param sandbox sandbox settings ({@code security.sandbox})
 */
public record SecurityConfig(
    @NotNull @Valid Audit audit, @NotNull @Valid Auth auth, @NotNull @Valid Http http, @NotNull @Valid Sandbox sandbox) {

  /**
   * Returns the configuration with every default.
   *
   * @return the defaults
   */
  public static SecurityConfig defaults() {
    return new SecurityConfig(
        new Audit("data/audit.db", 90, 1_000_000L, Duration.ofHours(1), "checkpoints/audit.checkpoints"),
        new Auth(
            Duration.ofMinutes(15),
            Duration.ofHours(24),
            Duration.ofDays(30),
            32,
            new Auth.LoginRateLimit(5, Duration.ofMinutes(1)),
            new Auth.Totp("SecureYeoman", 1)),
        new Http(new Http.RateLimit(60_000L, 100), new Http.Cors(List.of())),
        new Sandbox(Sandbox.Backend.AUTO, true, Sandbox.Network.NONE, Duration.ofSeconds(30)));
  }

  /**
   * {@code security.audit}.
   *
   * @param dbPath SQLite file of the audit log (default {@code data/audit.db})
   * @param retentionDays entries older than this are purged, 1..365000 (default 90)
   * @param maxEntries most entries kept (default 1 000 000)
   * @param maintenanceInterval period of retention, checkpoint and verification, {@code PT1S}..{@code P7D} (default
   *     {@code PT1H})
   * @param checkpointPath where signed checkpoints are written (default {@code checkpoints/audit.checkpoints}: deliberately
   *     not in the database directory, so restoring an old copy of {@code data/} cannot roll back the checkpoints too)
   */
  public record Audit(
      @NotBlank String dbPath,
      @Positive @Max(365_000) int retentionDays,
      @Positive long maxEntries,
      @NotNull @DurationRange(min = "PT1S", max = "P7D") Duration maintenanceInterval,
      @NotBlank String checkpointPath) {}

  /**
   * {@code security.auth}.
   *
   * @param accessTokenTtl lifetime of access tokens, {@code PT1S}..{@code PT24H} (default {@code PT15M})
   * @param sessionTtl lifetime of a session without remember-me, {@code PT1M}..{@code P30D} (default {@code PT24H})
   * @param rememberMeTtl lifetime of a remember-me session, {@code PT1M}..{@code P365D} (default {@code P30D})
   * @param passwordMinLength minimum password length in characters, 8..1024 (default 32)
   * @param loginRateLimit login throttling (default 5 attempts, refilled every {@code PT1M})
   * @param totp TOTP settings
   */
  public record Auth(
      @NotNull @DurationRange(min = "PT1S", max = "PT24H") Duration accessTokenTtl,
      @NotNull @DurationRange(min = "PT1M", max = "P30D") Duration sessionTtl,
      @NotNull @DurationRange(min = "PT1M", max = "P365D") Duration rememberMeTtl,
      @Min(8) @Max(1024) int passwordMinLength,
      @NotNull @Valid LoginRateLimit loginRateLimit,
      @NotNull @Valid Totp totp) {

    /**
     * {@code security.auth.login_rate_limit}: a token bucket.
     *
     * @param capacity attempts allowed in a burst (default 5)
     * @param refillPeriod time to refill the bucket, {@code PT1S}..{@code PT24H} (default {@code PT1M})
     */
    public record LoginRateLimit(
        @Positive int capacity, @NotNull @DurationRange(min = "PT1S", max = "PT24H") Duration refillPeriod) {}

    /**
     * {@code security.auth.totp}.
     *
     * @param issuer issuer shown in authenticator apps (default {@code SecureYeoman})
     * @param window accepted steps before and after the current one, 0..10 (default 1)
     */
    public record Totp(@NotBlank @Size(max = 100) String issuer, @Min(0) @Max(10) int window) {}
  }

  /**
   * {@code security.http}.
   *
   * @param rateLimit request rate limit per client
   * @param cors CORS allowlist
   */
  public record Http(@NotNull @Valid RateLimit rateLimit, @NotNull @Valid Cors cors) {

    /**
     * {@code security.http.rate_limit}.
     *
     * @param windowMs window length in milliseconds, 1..86 400 000 (24 h; default 60 000)
     * @param maxRequests requests allowed per window (default 100)
     */
    public record RateLimit(@Positive @Max(86_400_000L) long windowMs, @Positive int maxRequests) {}

    /**
     * {@code security.http.cors}.
     *
     * @param allowedOrigins exact origins allowed, e.g. {@code http://localhost:8080} (default none)
     */
    public record Cors(@NotNull List<@NotBlank String> allowedOrigins) {
      /**
       * Copies the list.
       *
       * @param allowedOrigins exact origins allowed
       */
      public Cors {
        // not List.copyOf: a null element must reach validation as a violation, not fail binding
        allowedOrigins =
            allowedOrigins == null ? null : Collections.unmodifiableList(new ArrayList<>(allowedOrigins));
      }
    }
  }

  /**
   * {@code security.sandbox}.
   *
   * @param backend isolation backend (default {@code auto}: the strongest available)
   * @param requireIsolation refuse to run without isolation (default true)
   * @param network network access of sandboxed commands (default {@code none})
   * @param timeout wall-clock limit of a sandboxed command, {@code PT1S}..{@code PT24H} (default {@code PT30S})
   */
  public record Sandbox(
      @NotNull Backend backend,
      boolean requireIsolation,
      @NotNull Network network,
      @NotNull @DurationRange(min = "PT1S", max = "PT24H") Duration timeout) {

    /** Isolation backends, written in lower case in YAML. */
    public enum Backend {
      /** Probe and use the strongest available backend. */
      AUTO,
      /** bubblewrap. */
      BWRAP,
      /** unshare + seccomp. */
      UNSHARE,
      /** Landlock + seccomp on the current process tree. */
      LANDLOCK,
      /** No isolation (refused when {@code require_isolation} is true). */
      NONE
    }

    /** Network modes, written in lower case in YAML. */
    public enum Network {
      /** No network (own empty network namespace). */
      NONE,
      /** The host's network. */
      HOST
    }
  }
}
