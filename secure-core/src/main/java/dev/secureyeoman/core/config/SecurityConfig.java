package dev.secureyeoman.core.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code security:} section shared by every SecureYeoman module, bound from YAML in snake_case (accessors are the
 * camelCase of the keys). Every key has a default ({@link #defaults()}); a file only needs the keys it changes.
 * Durations are ISO-8601 only ({@code PT15M}, {@code P30D}; a bare number is refused) and bounded per key
 * ({@link DurationRange}).
 *
 * <pre>
 * security:
 *   audit:   { db_path: data/audit.db, retention_days: 90, max_entries: 1000000, maintenance_interval: PT1H,
 *              checkpoint_path: checkpoints/audit.checkpoints, full_verify_every: 24 }
 *   auth:    { access_token_ttl: PT15M, session_ttl: PT24H, remember_me_ttl: P30D, password_min_length: 32,
 *              login_rate_limit: { capacity: 5, refill_period: PT1M }, totp: { issuer: SecureYeoman, window: 1 } }
 *   http:    { rate_limit: { window_ms: 60000, max_requests: 100 }, cors: { allowed_origins: [] },
 *              max_body_bytes: 16384, max_header_bytes: 8192, idle_timeout: PT30S, content_security_policy: "",
 *              body_timeout: PT10S, trusted_proxies: [], allowed_hosts: [] }
 *   sandbox: { backend: auto, require_isolation: true, network: none, timeout: PT30S,
 *              limits: { memory_mb: 512, processes: 128, cpu_seconds: 60, tmp_size_mb: 128, open_files: 256,
 *                        file_size_mb: 256 },
 *              uid_range: { first: 1879048192, count: 4096 }, cgroup_parent: "" }
 *   integrations:
 *     conversation: { retention: P30D, idle_timeout: PT60M, max_turns: 20, max_tokens: 4000, max_live_threads: 100000 }
 *     adapters: { webhook_max_body_bytes: 262144, signature_max_age: PT5M, send_max_attempts: 3, max_retry_wait: PT30S }
 *   cache:   { redis_url: "", rate_limit_on_failure: local }
 *   storage: { engine: sqlite, url: "", user: "", password_env: "", password: "" }
 * </pre>
 *
 * @param audit audit log settings ({@code security.audit})
 * @param auth authentication settings ({@code security.auth})
 * @param http HTTP policy settings ({@code security.http})
 * @param sandbox sandbox settings ({@code security.sandbox})
 * @param integrations chat integration settings ({@code security.integrations})
 * @param cache shared state of a multi-node deployment ({@code security.cache}; default: none, everything per process)
 * @param storage the storage engine ({@code security.storage}; default embedded SQLite)
 */
public record SecurityConfig(
    @NotNull @Valid Audit audit,
    @NotNull @Valid Auth auth,
    @NotNull @Valid Http http,
    @NotNull @Valid Sandbox sandbox,
    @NotNull @Valid Integrations integrations,
    @NotNull @Valid Cache cache,
    @NotNull @Valid Storage storage) {

  /**
   * The configuration without a shared cache (every limit per process) and with the default storage (embedded SQLite),
   * as before {@code security.cache} and {@code security.storage} existed.
   *
   * @param audit audit log settings
   * @param auth authentication settings
   * @param http HTTP policy settings
   * @param sandbox sandbox settings
   * @param integrations chat integration settings
   */
  public SecurityConfig(Audit audit, Auth auth, Http http, Sandbox sandbox, Integrations integrations) {
    this(audit, auth, http, sandbox, integrations, Cache.NONE, Storage.DEFAULTS);
  }

  /**
   * The configuration with a shared cache and the default storage (embedded SQLite).
   *
   * @param audit audit log settings
   * @param auth authentication settings
   * @param http HTTP policy settings
   * @param sandbox sandbox settings
   * @param integrations chat integration settings
   * @param cache shared cache settings
   */
  public SecurityConfig(Audit audit, Auth auth, Http http, Sandbox sandbox, Integrations integrations, Cache cache) {
    this(audit, auth, http, sandbox, integrations, cache, Storage.DEFAULTS);
  }

  /**
   * The configuration without a shared cache and with the given storage.
   *
   * @param audit audit log settings
   * @param auth authentication settings
   * @param http HTTP policy settings
   * @param sandbox sandbox settings
   * @param integrations chat integration settings
   * @param storage storage settings
   */
  public SecurityConfig(Audit audit, Auth auth, Http http, Sandbox sandbox, Integrations integrations, Storage storage) {
    this(audit, auth, http, sandbox, integrations, Cache.NONE, storage);
  }

  /**
   * Returns the configuration with every default.
   *
   * @return the defaults
   */
  public static SecurityConfig defaults() {
    return new SecurityConfig(
        new Audit(
            "data/audit.db", 90, 1_000_000L, Duration.ofHours(1), "checkpoints/audit.checkpoints",
            Audit.DEFAULT_FULL_VERIFY_EVERY),
        new Auth(
            Duration.ofMinutes(15),
            Duration.ofHours(24),
            Duration.ofDays(30),
            32,
            new Auth.LoginRateLimit(5, Duration.ofMinutes(1)),
            new Auth.Totp("SecureYeoman", 1)),
        new Http(
            new Http.RateLimit(60_000L, 100),
            new Http.Cors(List.of()),
            16_384,
            8_192,
            Duration.ofSeconds(30),
            "",
            Duration.ofSeconds(10),
            List.of(),
            List.of()),
        new Sandbox(Sandbox.Backend.AUTO, true, Sandbox.Network.NONE, Duration.ofSeconds(30)),
        new Integrations(
            new Integrations.Conversation(Duration.ofDays(30), Duration.ofMinutes(60), 20, 4000, 100_000),
            new Integrations.Adapters(262_144, Duration.ofMinutes(5), 3, Duration.ofSeconds(30))),
        Cache.NONE,
        Storage.DEFAULTS);
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
   * @param fullVerifyEvery with checkpoints, every this many maintenance runs (the first included) the verification is a
   *     full one and the others are incremental from the newest signed checkpoint; 1 = always full, 1..10000 (default
   *     24: daily at the default hourly interval; absent or null = the default)
   */
  public record Audit(
      @NotBlank String dbPath,
      @Positive @Max(365_000) int retentionDays,
      @Positive long maxEntries,
      @NotNull @DurationRange(min = "PT1S", max = "P7D") Duration maintenanceInterval,
      @NotBlank String checkpointPath,
      @Min(1) @Max(10_000) Integer fullVerifyEvery) {

    /** Default of {@code full_verify_every}: a full verification every 24th maintenance run. */
    public static final int DEFAULT_FULL_VERIFY_EVERY = 24;

    /** Absent (a host record bound from the whole document without the key) means the default. */
    public Audit {
      if (fullVerifyEvery == null) {
        fullVerifyEvery = DEFAULT_FULL_VERIFY_EVERY;
      }
    }

    /**
     * The section without {@code full_verify_every} (it takes its default, {@value #DEFAULT_FULL_VERIFY_EVERY}).
     *
     * @param dbPath SQLite file of the audit log
     * @param retentionDays entries older than this are purged
     * @param maxEntries most entries kept
     * @param maintenanceInterval period of retention, checkpoint and verification
     * @param checkpointPath where signed checkpoints are written
     */
    public Audit(
        String dbPath, int retentionDays, long maxEntries, Duration maintenanceInterval, String checkpointPath) {
      this(dbPath, retentionDays, maxEntries, maintenanceInterval, checkpointPath, DEFAULT_FULL_VERIFY_EVERY);
    }
  }

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
   * @param maxBodyBytes largest request body accepted, 2..10485760 (default 16 384); larger ones get a 400
   * @param maxHeaderBytes largest request line plus headers, 1024..65536 (default 8 192); larger ones get a 431
   * @param idleTimeout how long a connection may send nothing (slow clients, idle keep-alive) before it is closed,
   *     also the bound on reading one request (default {@code PT30S})
   * @param contentSecurityPolicy the Content-Security-Policy; empty (default) means the SDK's default policy, and
   *     {@code 'unsafe-inline'}/{@code 'unsafe-eval'} are refused by the web module
   * @param bodyTimeout longest time to receive one request body, however the client paces it; beyond it the request
   *     gets a 408 and the connection is closed, {@code PT1S}..{@code PT10M} (default {@code PT10S})
   * @param trustedProxies addresses or CIDR blocks of reverse proxies whose {@code X-Forwarded-For} and
   *     {@code X-Forwarded-Proto} are honoured (default none: the socket peer is the client)
   * @param allowedHosts host names (without port) accepted in the {@code Host} header besides the loopback names
   *     {@code localhost}, {@code 127.0.0.1} and {@code [::1]}; any other host gets a 421 (DNS rebinding)
   */
  public record Http(
      @NotNull @Valid RateLimit rateLimit,
      @NotNull @Valid Cors cors,
      @Min(2) @Max(10_485_760) Integer maxBodyBytes,
      @Min(1024) @Max(65_536) Integer maxHeaderBytes,
      @DurationRange(min = "PT1S", max = "PT10M") Duration idleTimeout,
      @Size(max = 4096) String contentSecurityPolicy,
      @DurationRange(min = "PT1S", max = "PT10M") Duration bodyTimeout,
      @Size(max = 256) List<@NotBlank @Size(max = 64) String> trustedProxies,
      @Size(max = 256) List<@NotBlank @Size(max = 253) String> allowedHosts) {

    /**
     * Fills the keys added for the gateway with their defaults when absent, so a document written for the earlier
     * {@code http} section (only {@code rate_limit} and {@code cors}) still binds on its own.
     */
    public Http {
      maxBodyBytes = maxBodyBytes == null ? 16_384 : maxBodyBytes;
      maxHeaderBytes = maxHeaderBytes == null ? 8_192 : maxHeaderBytes;
      idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
      contentSecurityPolicy = contentSecurityPolicy == null ? "" : contentSecurityPolicy;
      bodyTimeout = bodyTimeout == null ? Duration.ofSeconds(10) : bodyTimeout;
      // not List.copyOf: a null element must reach validation as a violation, not fail binding
      trustedProxies =
          trustedProxies == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(trustedProxies));
      allowedHosts = allowedHosts == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(allowedHosts));
    }

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
   * @param limits resource limits of every sandboxed command ({@code security.sandbox.limits}; 0 = not limited)
   * @param uidRange host uids a root host gives each run its own identity from ({@code security.sandbox.uid_range})
   * @param cgroupParent a cgroup v2 directory delegated for sandbox runs; empty for the JVM's own cgroup
   */
  public record Sandbox(
      @NotNull Backend backend,
      boolean requireIsolation,
      @NotNull Network network,
      @NotNull @DurationRange(min = "PT1S", max = "PT24H") Duration timeout,
      @NotNull @Valid Limits limits,
      @NotNull @Valid UidRange uidRange,
      @NotNull String cgroupParent) {

    /**
     * The sandbox settings with default limits, uid range and cgroup parent.
     *
     * @param backend isolation backend
     * @param requireIsolation refuse to run without isolation
     * @param network network access
     * @param timeout wall-clock limit
     */
    public Sandbox(Backend backend, boolean requireIsolation, Network network, Duration timeout) {
      this(backend, requireIsolation, network, timeout, Limits.DEFAULTS, UidRange.DEFAULTS, "");
    }

    /**
     * {@code security.sandbox.limits}: the defaults are the SDK's {@code ResourceLimits.untrustedDefaults()}; 0 turns a
     * limit off.
     *
     * @param memoryMb memory of the whole run in MiB, tmpfs pages included (default 512)
     * @param processes processes and threads (default 128)
     * @param cpuSeconds CPU time in seconds (default 60)
     * @param tmpSizeMb size of the private {@code /tmp} and {@code /dev/shm} in MiB (default 128)
     * @param openFiles open files per process (default 256)
     * @param fileSizeMb largest file a process may write, in MiB (default 256)
     */
    public record Limits(
        @Min(0) long memoryMb,
        @Min(0) long processes,
        @Min(0) long cpuSeconds,
        @Min(0) long tmpSizeMb,
        @Min(0) long openFiles,
        @Min(0) long fileSizeMb) {
      /** The defaults. */
      public static final Limits DEFAULTS = new Limits(512, 128, 60, 128, 256, 256);
    }

    /**
     * {@code security.sandbox.uid_range}: must not overlap real users.
     *
     * @param first first uid (default 1879048192 = 0x70000000)
     * @param count number of uids (default 4096)
     */
    public record UidRange(@Min(1000) @Max(2_000_000_000) int first, @Min(1) @Max(1_000_000) int count) {
      /** The defaults. */
      public static final UidRange DEFAULTS = new UidRange(0x70000000, 4096);
    }

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

  /**
   * {@code security.integrations}.
   *
   * @param conversation conversation context settings
   * @param adapters settings shared by the Telegram, Discord and Slack adapters
   */
  public record Integrations(@NotNull @Valid Conversation conversation, @NotNull @Valid Adapters adapters) {

    /**
     * {@code security.integrations.adapters}: limits the built-in chat adapters apply to webhooks and API calls (bot
     * tokens and signing secrets live in each adapter's own section, {@code integrations.<id>}).
     *
     * @param webhookMaxBodyBytes largest webhook body accepted, 1024..1048576 (default 262144); larger gets 413
     * @param signatureMaxAge how far a signed webhook timestamp may be from now, {@code PT1S}..{@code PT5M} (default
     *     {@code PT5M}, Slack's documented window)
     * @param sendMaxAttempts tries per API call when the platform answers 429, 1..10 (default 3)
     * @param maxRetryWait longest Retry-After honoured, {@code PT0S}..{@code PT10M} (default {@code PT30S}); longer fails
     */
    public record Adapters(
        @Min(1024) @Max(1_048_576) int webhookMaxBodyBytes,
        @NotNull @DurationRange(min = "PT1S", max = "PT5M") Duration signatureMaxAge,
        @Min(1) @Max(10) int sendMaxAttempts,
        @NotNull @DurationRange(min = "PT0S", max = "PT10M") Duration maxRetryWait) {}

    /**
     * {@code security.integrations.conversation}.
     *
     * @param retention stored turns older than this are deleted (default {@code P30D})
     * @param idleTimeout a thread without activity for this long starts over (default {@code PT60M})
     * @param maxTurns most turns per thread window, 1..1000 (default 20)
     * @param maxTokens approximate token budget per window, 1..10 000 000 (default 4000)
     * @param maxLiveThreads most threads kept, 1..100 000 000 (default 100 000)
     */
    public record Conversation(
        @NotNull @DurationRange(min = "PT1H", max = "P3650D") Duration retention,
        @NotNull @DurationRange(min = "PT1S", max = "P365D") Duration idleTimeout,
        @Min(1) @Max(1000) int maxTurns,
        @Min(1) @Max(10_000_000) int maxTokens,
        @Min(1) @Max(100_000_000) int maxLiveThreads) {}
  }

  /**
   * {@code security.cache}: the Redis that nodes of one deployment share (issue 18; {@code docs/scale-out.md}). With a
   * URL, the HTTP rate limit is one budget for all nodes; without one (default) every limit is per process.
   *
   * @param redisUrl {@code redis://[:password@]host:port[/db]} or {@code rediss://…}; empty (default) for none. It may
   *     hold a password: keep it in the encrypted config; {@link #toString()} and error messages never show it
   * @param rateLimitOnFailure what the HTTP rate limit does while Redis is unreachable: {@code local} (default: each
   *     node limits alone) or {@code deny} (503); login throttling always fails closed
   */
  public record Cache(
      @NotNull @Size(max = 1024) @Pattern(regexp = "|rediss?://.+", message = "must be empty or a redis:// or rediss:// URL")
          String redisUrl,
      @NotNull OnFailure rateLimitOnFailure) {

    /** No shared cache. */
    public static final Cache NONE = new Cache("", OnFailure.LOCAL);

    /** Fills absent keys with their defaults. */
    public Cache {
      redisUrl = redisUrl == null ? "" : redisUrl;
      rateLimitOnFailure = rateLimitOnFailure == null ? OnFailure.LOCAL : rateLimitOnFailure;
    }

    /**
     * Whether a Redis URL is configured.
     *
     * @return true when {@code redis_url} is not empty
     */
    public boolean redisConfigured() {
      return !redisUrl.isEmpty();
    }

    /** Shows whether a URL is set, never the URL (it may hold a password). */
    @Override
    public String toString() {
      return "Cache[redisUrl=" + (redisUrl.isEmpty() ? "" : "(set)") + ", rateLimitOnFailure=" + rateLimitOnFailure + "]";
    }

    /** HTTP rate limit behaviour while Redis is unreachable, written in lower case in YAML. */
    public enum OnFailure {
      /** Each node falls back to its own in-memory limit. */
      LOCAL,
      /** Requests are refused with 503. */
      DENY
    }
  }

  /**
   * {@code security.storage}: where the auth service (and, where supported, the audit store) persists. {@code sqlite}
   * (the default) uses the embedded files; {@code postgres} needs {@code url} ({@code jdbc:postgresql://host:port/db}),
   * {@code user} and the password, either from the environment variable named by {@code password_env} (plain config
   * files) or as {@code password} (only in an encrypted config file). {@link #toString()} never shows the password, and
   * a violation names the key, never its value.
   *
   * @param engine {@code sqlite} or {@code postgres}
   * @param url the PostgreSQL JDBC URL ({@code ""} for SQLite)
   * @param user the PostgreSQL user ({@code ""} for SQLite)
   * @param passwordEnv name of the environment variable holding the password ({@code ""}: none)
   * @param password the password itself (encrypted config files; {@code ""}: none)
   */
  public record Storage(
      @NotNull Engine engine,
      @NotNull @Size(max = 2048) String url,
      @NotNull @Size(max = 256) String user,
      @NotNull @jakarta.validation.constraints.Pattern(regexp = "|[A-Za-z_][A-Za-z0-9_]{0,127}") String passwordEnv,
      @NotNull @Size(max = 1024) String password) {
    /** Embedded SQLite. */
    public static final Storage DEFAULTS = new Storage(Engine.SQLITE, "", "", "", "");

    /** The storage engines. */
    public enum Engine {
      /** Embedded SQLite files (the default). */
      SQLITE,
      /** A PostgreSQL server (15 tested) shared by every node. */
      POSTGRES
    }

    /**
     * For {@code postgres}: a PostgreSQL JDBC URL, a user and exactly one password source.
     *
     * @return whether the settings are usable
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    @jakarta.validation.constraints.AssertTrue(
        message = "postgres needs url (jdbc:postgresql://host:port/db), user and one of password_env or password")
    public boolean isPostgresComplete() {
      if (engine != Engine.POSTGRES) {
        return true;
      }
      return url != null
          && url.startsWith("jdbc:postgresql://")
          && user != null
          && !user.isBlank()
          && (passwordEnv == null || passwordEnv.isEmpty()) != (password == null || password.isEmpty());
    }

    /**
     * The password: the value of the environment variable {@code password_env}, else {@code password}. The caller
     * wipes the array after use.
     *
     * @param env the environment (e.g. {@code System::getenv})
     * @return the password
     * @throws IllegalStateException if {@code password_env} names a variable that is not set (the message names the
     *     variable, never a value)
     */
    public char[] resolvePassword(java.util.function.Function<String, String> env) {
      if (passwordEnv != null && !passwordEnv.isEmpty()) {
        String v = env.apply(passwordEnv);
        if (v == null) {
          throw new IllegalStateException("security.storage.password_env: environment variable " + passwordEnv
              + " is not set");
        }
        return v.toCharArray();
      }
      return password == null ? new char[0] : password.toCharArray();
    }

    /**
     * The URL as it may be logged or shown in an error: see {@link #redactUrl(String)}.
     *
     * @return the URL without credentials or parameters
     */
    public String redactedUrl() {
      return redactUrl(url);
    }

    /**
     * A JDBC URL as it may be logged or shown in an error: without its parameters and fragment ({@code ?password=…},
     * which the driver honours; shown as {@code ?…}) and without any {@code user:password@} before the host. The one
     * redaction used by the pools, the gateway and the CLI.
     *
     * @param jdbcUrl a JDBC URL, may be null or empty
     * @return e.g. {@code jdbc:postgresql://host:port/db}, or {@code (no url)}
     */
    public static String redactUrl(@Nullable String jdbcUrl) {
      if (jdbcUrl == null || jdbcUrl.isEmpty()) {
        return "(no url)";
      }
      String u = jdbcUrl;
      int hosts = u.indexOf("//");
      if (hosts >= 0) {
        // user-info first, from the LAST '@': a password written raw may itself hold '/', '?', '#' or '@' (red team
        // attack18: cutting at '?' or taking the first '/' as the path printed part or all of it)
        int start = hosts + 2;
        int at = u.lastIndexOf('@');
        if (at >= start) {
          String before = u.substring(start, at);
          if (before.indexOf('/') >= 0 || before.indexOf('?') >= 0 || before.indexOf('#') >= 0) {
            return u.substring(0, start) + "\u2026"; // cannot tell a password from a path or query: show no part
          }
          u = u.substring(0, start) + u.substring(at + 1);
        }
      }
      int q = u.indexOf('?');
      int h = u.indexOf('#');
      int cut = q < 0 ? h : h < 0 ? q : Math.min(q, h);
      if (cut >= 0) {
        u = u.substring(0, cut);
      }
      return cut >= 0 ? u + "?\u2026" : u;
    }

    /** Never a password: see {@link #redactUrl(String)}. */
    @Override
    public String toString() {
      String shown = url == null ? null : redactUrl(url);
      return "Storage[engine=" + engine + ", url=" + shown + ", user=" + user + ", passwordEnv=" + passwordEnv
          + ", password=" + (password == null || password.isEmpty() ? "" : "(redacted)") + "]";
    }
  }
}
