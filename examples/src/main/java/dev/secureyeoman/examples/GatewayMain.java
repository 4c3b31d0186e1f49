package dev.secureyeoman.examples;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditMaintenanceSettings;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthSettings;
import dev.secureyeoman.auth.PasswordPolicy;
import dev.secureyeoman.auth.PasswordPolicyException;
import dev.secureyeoman.auth.UserExistsException;
import dev.secureyeoman.auth.Principal;
import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.KeySourceException;
import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.examples.gateway.AdminRoutes;
import dev.secureyeoman.examples.gateway.ApiResponse;
import dev.secureyeoman.examples.gateway.AuthRoutes;
import dev.secureyeoman.examples.gateway.BotRoutes;
import dev.secureyeoman.examples.gateway.GatewayAudit;
import dev.secureyeoman.examples.gateway.GatewayHealth;
import dev.secureyeoman.examples.gateway.GatewayHttp;
import dev.secureyeoman.examples.gateway.GatewayStorage;
import dev.secureyeoman.examples.gateway.Pages;
import dev.secureyeoman.examples.gateway.RedisLoginBuckets;
import dev.secureyeoman.examples.gateway.Router;
import dev.secureyeoman.web.CorsPolicy;
import dev.secureyeoman.web.HostAllowlist;
import dev.secureyeoman.web.RateLimitPolicy;
import dev.secureyeoman.web.RateLimiter;
import dev.secureyeoman.web.RedisBuckets;
import dev.secureyeoman.web.RedisRateLimiter;
import dev.secureyeoman.web.RequestBodies;
import dev.secureyeoman.web.RequestIds;
import dev.secureyeoman.web.SecurityHeaders;
import dev.secureyeoman.web.SecurityMetrics;
import dev.secureyeoman.web.TrustedProxies;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxCapabilities;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example gateway: {@code java -jar examples/target/gateway.jar [--port P] [--data-dir D] [--config F]}.
 *
 * <p>Wires what the SDK offers today on embedded defaults: the configuration ({@link EncryptedConfigLoader}, plain or
 * encrypted YAML), the tamper-evident audit log (verified once at start, periodic maintenance), the auth service
 * (bootstrap {@code admin} user) — both on SQLite by default, or both on one PostgreSQL database shared by every node
 * with {@code security.storage: postgres} ({@link GatewayStorage}, docs/scale-out.md) — the persisted kill switch, a sandbox probe, and the HTTP routes of
 * DESIGN §7 on loopback behind the {@code dev.secureyeoman.web} policies (see {@link GatewayHttp} and docs/gateway.md).
 *
 * <p>Everything lives under the data directory (created {@code 0700}; refused when owned by another user or writable
 * by group or others; locked through {@code gateway.lock} so a second gateway on it is refused): {@code auth.db}, {@code keys/} and the audit
 * paths of {@code security.audit.*} resolved against it (by default {@code data/audit.db} and
 * {@code checkpoints/audit.checkpoints}, two different directories as the audit store requires) and
 * {@code kill-switch.json}.
 *
 * <p>Environment (read only here, by the host application; the libraries never read it): {@code SECUREYEOMAN_CONFIG_KEY}
 * (key of an encrypted config), {@code SECUREYEOMAN_AUDIT_KEY} and {@code SECUREYEOMAN_AUTH_KEY} (base64 of 32 bytes;
 * generated and kept under {@code keys/} when unset), {@code SECUREYEOMAN_ADMIN_PASSWORD} (bootstrap password;
 * random and printed once when unset).
 */
public final class GatewayMain implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

  /** Usage line printed with argument errors. */
  public static final String USAGE = "usage: gateway [--port P] [--data-dir D] [--config F]";

  /** What {@code --help} prints on stdout (exit 0). */
  static final String HELP =
      USAGE
          + " [--help]\n"
          + "Runs the SecureYeoman example gateway on 127.0.0.1 (GET /healthz, /login, /api/v1/...).\n"
          + "  --port P       TCP port on loopback, 0 for an ephemeral one (default 8080)\n"
          + "  --data-dir D   directory for keys, audit log and auth database (default data)\n"
          + "  --config F     plain or encrypted (*.enc.yaml) YAML config (default: built-in defaults)\n"
          + "  -h, --help     print this help and exit\n";

  /** Name of the bootstrap administrator. */
  public static final String ADMIN_USER = "admin";

  /**
   * File in the data directory holding a generated bootstrap password (0600) until the operator deletes it; written
   * before the admin is created, so a crash can never leave an admin whose password nobody received.
   */
  public static final String BOOTSTRAP_PASSWORD_FILE = "bootstrap-admin-password";

  /**
   * Hibernate Validator (used by the config loader) logs its version through java.util.logging on stderr; the gateway
   * keeps stderr to its own log lines and one {@code error:} line. Held in a field: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger HIBERNATE_VALIDATOR_JUL =
      java.util.logging.Logger.getLogger("org.hibernate.validator");

  private static final String PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final GatewayHttp http;
  private final Path dataDir;
  private final KillSwitch killSwitch;
  private final SecurityMetrics metrics;
  private final RequestBodies bodies;
  private final AuditStore audit;
  private final AuthService auth;
  private final GatewayStorage.Maintenance maintenance;
  private final ScheduledExecutorService maintenanceScheduler;
  private final VerificationResult startVerification;
  private final String refreshCookie;
  private final FileChannel lock;
  private final RedisBuckets sharedBuckets;
  private final GatewayStorage storage;
  private final Object closeLock = new Object();
  private boolean closed;

  private GatewayMain(Parts p) {
    this.http = p.http;
    this.dataDir = p.dataDir;
    this.killSwitch = p.killSwitch;
    this.metrics = p.metrics;
    this.bodies = p.bodies;
    this.audit = p.audit;
    this.auth = p.auth;
    this.storage = p.storage;
    this.maintenance = p.maintenance;
    this.maintenanceScheduler = p.scheduler;
    this.startVerification = p.verification;
    this.refreshCookie = p.refreshCookie;
    this.lock = p.lock;
    this.sharedBuckets = p.sharedBuckets;
  }

  /**
   * Command-line options.
   *
   * @param port TCP port on loopback, 0 for an ephemeral one
   * @param dataDir directory for embedded state
   * @param config optional config file (plain or encrypted YAML)
   */
  public record Options(int port, Path dataDir, Optional<Path> config) {
    /**
     * Validates the options.
     *
     * @param port 0-65535
     * @param dataDir not null
     * @param config not null (empty for the defaults)
     */
    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535, got " + port);
      }
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(config, "config");
    }

    /**
     * Parses {@code [--port P] [--data-dir D] [--config F]}; defaults: port 8080, data dir {@code data}, no config.
     *
     * @param args the arguments
     * @return the options
     * @throws GatewayException with exit code 2 for a usage error
     */
    public static Options parse(String... args) throws GatewayException {
      int port = 8080;
      Path dataDir = Path.of("data");
      Path config = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        boolean known = "--port".equals(a) || "--data-dir".equals(a) || "--config".equals(a);
        if (!known) {
          throw new GatewayException(2, "unknown argument '" + a + "' (" + USAGE + ")");
        }
        if (i + 1 >= args.length || args[i + 1].isEmpty()) {
          throw new GatewayException(2, a + " needs a value (" + USAGE + ")");
        }
        String v = args[++i];
        switch (a) {
          case "--port" -> {
            try {
              port = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              port = -1;
            }
            if (port < 0 || port > 65535) {
              throw new GatewayException(2, "--port must be 0-65535");
            }
          }
          case "--data-dir" -> dataDir = Path.of(v);
          default -> config = Path.of(v);
        }
      }
      return new Options(port, dataDir, Optional.ofNullable(config));
    }
  }

  /** A start-up failure with the process exit code it maps to (2 usage, 1 anything else). */
  public static final class GatewayException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The exit code. */
    private final int exitCode;

    /**
     * Creates the exception.
     *
     * @param exitCode 1 or 2
     * @param message one line, no secrets
     */
    public GatewayException(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }

    /**
     * Creates the exception with a cause.
     *
     * @param exitCode 1 or 2
     * @param message one line, no secrets
     * @param cause the cause
     */
    public GatewayException(int exitCode, String message, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }

    /**
     * Returns the process exit code.
     *
     * @return 1 or 2
     */
    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * Starts the gateway: loads the config, opens the audit log and the auth service, bootstraps {@code admin}, probes
   * the sandbox, starts audit maintenance and the loopback HTTP server, and records {@code gateway.started}.
   *
   * @param options the options
   * @param env environment lookup (returns null when unset), e.g. {@code System::getenv}
   * @param console where the one-time bootstrap password is printed (never through the logger)
   * @return the running gateway; {@link #close()} stops it
   * @throws GatewayException if anything fails (everything opened so far is closed again)
   */
  public static GatewayMain start(Options options, Function<String, String> env, PrintStream console)
      throws GatewayException {
    return start(options, env, console, Clock.systemUTC());
  }

  /**
   * Starts the gateway with a given clock (tests move time instead of sleeping).
   *
   * @param options the options
   * @param env environment lookup (returns null when unset)
   * @param console where the one-time bootstrap password is printed
   * @param clock the clock of the auth service, the rate limits and the kill switch
   * @return the running gateway
   * @throws GatewayException if anything fails (everything opened so far is closed again)
   */
  public static GatewayMain start(Options options, Function<String, String> env, PrintStream console, Clock clock)
      throws GatewayException {
    return start(options, env, console, clock, System::nanoTime);
  }

  /**
   * Starts the gateway with a given clock and monotonic ticker (tests move both instead of sleeping).
   *
   * @param options the options
   * @param env environment lookup (returns null when unset)
   * @param console where the one-time bootstrap password is printed
   * @param clock the wall clock of the auth service and the kill switch
   * @param ticker monotonic nanoseconds of the rate limit, the audit aggregation and the auth service's revocation poll
   *     (wall-clock steps must not refill or freeze them)
   * @return the running gateway
   * @throws GatewayException if anything fails (everything opened so far is closed again)
   */
  public static GatewayMain start(
      Options options, Function<String, String> env, PrintStream console, Clock clock, LongSupplier ticker)
      throws GatewayException {
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(console, "console");
    SecurityConfig config = loadConfig(options.config(), env);
    if (config.storage().engine() == SecurityConfig.Storage.Engine.POSTGRES
        && env.apply("SECUREYEOMAN_AUDIT_KEY") == null) {
      // a key generated under one node's keys/ differs on every node: the shared chain would fail verification and,
      // the fail-closed state being shared, make the log read-only for the whole cluster
      throw new GatewayException(
          1,
          "security.storage: postgres needs SECUREYEOMAN_AUDIT_KEY (the same base64 32-byte key on every node:"
              + " all nodes append to one audit chain)");
    }
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      Parts p = new Parts();
      p.dataDir = options.dataDir();
      createPrivateDir(p.dataDir);
      requirePrivateDir(p.dataDir);
      p.lock = lockDataDir(p.dataDir);
      opened.push(p.lock);
      SecureRandom random = new SecureRandom();

      // Keys: from the environment if set, else generated once and kept under keys/. This keeps the example
      // self-contained; a production host keeps keys outside the data directory (KMS, secret manager, another volume),
      // because whoever can read keys/ can forge audit entries and tokens.
      Path keyDir = p.dataDir.resolve("keys");
      // the store would create missing parents with the default umask; keep them owner-only like the data dir
      createPrivateDir(p.dataDir.resolve(config.audit().dbPath()).toAbsolutePath().getParent());
      createPrivateDir(p.dataDir.resolve(config.audit().checkpointPath()).toAbsolutePath().getParent());
      try (SecretBytes auditKey = loadOrCreateKey(env, "SECUREYEOMAN_AUDIT_KEY", keyDir.resolve("audit.key"), random);
          SecretBytes authKey = loadOrCreateKey(env, "SECUREYEOMAN_AUTH_KEY", keyDir.resolve("auth.key"), random)) {
        p.storage = GatewayStorage.open(config, p.dataDir, env, auditKey, clock);
        opened.push(p.storage); // closed after the auth service (the stack pops the service first)
        p.audit = p.storage.audit();
        LOG.info("storage: {}", p.storage.describe()); // URL without credentials, user; never the password
        p.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        p.metrics = new SecurityMetrics(p.registry);
        p.gatewayAudit = new GatewayAudit(p.audit, p.metrics, ticker);
        // incremental from the newest signed checkpoint: start-up cost grows with new entries only; maintenance runs
        // the full verification periodically (AuditMaintenanceSettings.fullVerifyEvery)
        p.verification = p.storage.verifyAtStart();
        if (p.verification.valid()) {
          LOG.info("audit log verified: {}", p.verification.summary());
        } else {
          LOG.error("AUDIT LOG FAILED VERIFICATION: {}", p.verification.summary());
          p.metrics.record(SecurityMetrics.Event.AUDIT_VERIFICATION_FAILURE);
        }
        p.sharedBuckets = sharedBuckets(config, clock, opened);
        javax.sql.DataSource authData = p.storage.authDataSource();
        AuthService.Builder authBuilder =
            AuthService.builder()
                .dataSource(authData)
                .auditSink(p.gatewayAudit)
                .masterKey(authKey)
                .settings(AuthSettings.fromConfig(config.auth()))
                .clock(clock)
                .ticker(ticker)
                .random(random);
        if (p.sharedBuckets != null) {
          // one budget of guesses for the cluster; Redis unreachable → every login 503 (fail closed, no local fallback)
          authBuilder.sharedLoginBuckets(new RedisLoginBuckets(p.sharedBuckets));
        }
        p.auth = authBuilder.build();
        opened.push(p.auth);
      }
      bootstrapAdmin(
          p.auth, AuthSettings.fromConfig(config.auth()).passwordPolicy(), p.dataDir, env, console, random);

      p.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "audit-maintenance");
                t.setDaemon(true);
                return t;
              });
      ScheduledExecutorService scheduler = p.scheduler;
      SecurityMetrics metrics = p.metrics;
      opened.push(scheduler::shutdownNow);
      // SQLite: verify, retention, checkpoint; PostgreSQL until retention and checkpoints land: verify only (WARN)
      p.maintenance =
          p.storage.maintenance(
              AuditMaintenanceSettings.fromConfig(config.audit()),
              scheduler,
              Clock.systemUTC(),
              report -> {
                countVerificationFailure(report.verification(), metrics);
                // /healthz follows the store: a failed maintenance verify makes it read-only (503) at once
                GatewayHealth h = p.health;
                if (h != null) {
                  report.verification().ifPresentOrElse(h::verified, h::invalidate);
                }
              });
      p.maintenance.start();
      GatewayStorage.Maintenance m = p.maintenance;
      opened.push(m::stop);

      String backend = probeSandbox();
      p.health =
          new GatewayHealth(
              p.audit, ticker, backend, p.verification, p.storage.engineName(), p.storage.maintenanceState());
      GatewayHealth health = p.health;

      p.killSwitch = openKillSwitch(p.dataDir, p.audit, clock);
      KillSwitch ks = p.killSwitch;
      p.registry.gauge("secureyeoman.kill_switch.engaged", ks, k -> k.isEngaged() ? 1 : 0);
      SecurityConfig.Http httpConfig = config.http();
      p.bodies = RequestBodies.create(httpConfig.maxBodyBytes());
      opened.push(p.bodies);
      GatewayHttp.Policies policies =
          new GatewayHttp.Policies(
              httpConfig.contentSecurityPolicy().isEmpty()
                  ? SecurityHeaders.defaults()
                  : SecurityHeaders.builder().contentSecurityPolicy(httpConfig.contentSecurityPolicy()).build(),
              new RequestIds(random),
              CorsPolicy.builder().allowedOrigins(httpConfig.cors().allowedOrigins()).build(),
              rateLimiter(config, ticker, p),
              httpConfig.maxBodyBytes(),
              httpConfig.maxHeaderBytes(),
              httpConfig.idleTimeout(),
              httpConfig.bodyTimeout(),
              TrustedProxies.of(httpConfig.trustedProxies()),
              HostAllowlist.of(httpConfig.allowedHosts()),
              p.metrics,
              p.gatewayAudit);
      Router router = new Router();
      AuthRoutes authRoutes = new AuthRoutes(p.auth, p.bodies, p.metrics, clock, true, instanceTag(p.dataDir));
      p.refreshCookie = authRoutes.loopbackRefreshCookie();
      authRoutes.register(router);
      new AdminRoutes(authRoutes, p.audit, ks, p.registry, p.metrics, p.bodies).register(router);
      new BotRoutes(authRoutes, ks, p.gatewayAudit, p.metrics, p.bodies).register(router);
      Pages.register(router);
      // live: the store's fail-closed state (read-only after a failed verify, writable after acknowledgeTampering)
      router.get("/healthz", r -> {
        GatewayHealth.Answer a = health.current();
        return ApiResponse.json(a.status(), a.body());
      });
      // a load balancer's probe: the status, no body
      router.head("/healthz", r -> ApiResponse.empty(health.current().status()));
      p.http = GatewayHttp.start(options.port(), policies, router);
      GatewayHttp started = p.http;
      opened.push(started);
      GatewayMain g = new GatewayMain(p);

      if (p.audit.tamperingDetected().isEmpty()) { // a read-only log (failed verification) records nothing new
        try {
          p.audit.record(
              AuditEvent.builder("gateway.started")
                  .actor("system")
                  .message("gateway started")
                  .put("port", g.port())
                  .put("audit_verified", p.verification.valid())
                  .put("sandbox_backend", backend)
                  .build());
        } catch (AuditException e) {
          if (p.verification.valid()) {
            throw e;
          }
          // e.g. a wrong audit key: the store refuses appends without locking the log for the right key; the gateway
          // still starts degraded (/healthz 503) so an operator can see why
          LOG.error("audit log refuses appends: {}", e.getMessage());
        }
      }
      // sign the head now, so deleting entries or restoring an older copy before the first maintenance run shows up
      // (never over a log that failed verification: the store refuses that, and a degraded gateway still starts)
      if (p.audit.checkpointsConfigured() && p.verification.valid()) {
        p.audit.checkpoint();
      }
      opened.clear();
      return g;
    } catch (GatewayException e) {
      closeAll(opened);
      throw e;
    } catch (IOException | AuditException | AuthException | RuntimeException e) {
      // RuntimeException: e.g. a CSP with 'unsafe-inline' or a malformed CORS origin in the config
      closeAll(opened);
      throw new GatewayException(1, oneLine(e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
  }

  /**
   * The Redis buckets shared by every node when {@code security.cache.redis_url} is set (issue 18, {@code
   * docs/scale-out.md}), else null: one instance (one connection) carries both the login throttle and the HTTP rate
   * limit. The connection opens on the first request, so a node starts while Redis is down.
   */
  private static RedisBuckets sharedBuckets(SecurityConfig config, Clock clock, Deque<AutoCloseable> opened) {
    SecurityConfig.Cache cache = config.cache();
    if (!cache.redisConfigured()) {
      return null;
    }
    RedisBuckets buckets = RedisBuckets.builder().redisUrl(cache.redisUrl()).clock(clock).build();
    opened.push(buckets);
    LOG.info("login throttling shared through Redis at {} (while unreachable: logins refused)", buckets.address());
    return buckets;
  }

  /**
   * The HTTP rate limit: per node in memory (default), or one budget for every node through the shared Redis buckets
   * (issue 18, {@code docs/scale-out.md}), served with the configured failure behaviour while Redis is down.
   */
  private static RateLimiter rateLimiter(SecurityConfig config, LongSupplier ticker, Parts p) {
    SecurityConfig.Http.RateLimit rate = config.http().rateLimit();
    Duration window = Duration.ofMillis(rate.windowMs());
    SecurityConfig.Cache cache = config.cache();
    RedisBuckets buckets = p.sharedBuckets;
    if (buckets == null) {
      return RateLimitPolicy.builder().maxRequests(rate.maxRequests()).window(window).ticker(ticker).build();
    }
    LOG.info(
        "HTTP rate limit shared through Redis at {} (while unreachable: {})",
        buckets.address(),
        cache.rateLimitOnFailure().name().toLowerCase(java.util.Locale.ROOT));
    return RedisRateLimiter.builder(buckets)
        .maxRequests(rate.maxRequests())
        .window(window)
        .onFailure(
            cache.rateLimitOnFailure() == SecurityConfig.Cache.OnFailure.DENY
                ? RedisRateLimiter.OnFailure.DENY
                : RedisRateLimiter.OnFailure.LOCAL)
        .build();
  }

  /**
   * Command-line logic without {@link System#exit}: starts the gateway and registers the shutdown hook.
   *
   * @param args the arguments ({@code --help} alone prints {@link #HELP} and returns 0)
   * @param env environment lookup
   * @param out standard output (bootstrap password, help)
   * @param err standard error (one {@code error:} line)
   * @return 0 when the gateway is running, otherwise the exit code (1 failure, 2 usage)
   */
  static int launch(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      out.print(HELP);
      out.flush();
      return 0;
    }
    try {
      Options options = Options.parse(args);
      GatewayMain g = start(options, env, out);
      LOG.info(
          "SecureYeoman gateway listening on http://127.0.0.1:{}/healthz (data dir {})", g.port(), g.dataDir());
      Runtime.getRuntime().addShutdownHook(new Thread(g::close, "gateway-shutdown"));
      return 0;
    } catch (GatewayException e) {
      err.println("error: " + oneLine(e.getMessage()));
      return e.exitCode();
    }
  }

  /**
   * Returns the bound port.
   *
   * @return the port
   */
  public int port() {
    return http.port();
  }

  /**
   * Returns the data directory.
   *
   * @return the directory holding embedded state
   */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Returns the audit store (for embedding hosts and tests).
   *
   * @return the open store
   */
  public AuditStore audit() {
    return audit;
  }

  /**
   * Returns the auth service (for embedding hosts and tests).
   *
   * @return the service
   */
  public AuthService auth() {
    return auth;
  }

  /**
   * Returns the result of the audit verification made at start.
   *
   * @return the result
   */
  public VerificationResult startVerification() {
    return startVerification;
  }

  /**
   * The name of this gateway's refresh cookie over plain HTTP on loopback ({@code sy_refresh_<tag>}, the tag derived
   * from the data directory's real path: stable across restarts, different for two gateways on one host).
   *
   * @return the cookie name
   */
  public String refreshCookieName() {
    return refreshCookie;
  }

  /**
   * Returns the kill switch (for embedding hosts and tests).
   *
   * @return the switch
   */
  public KillSwitch killSwitch() {
    return killSwitch;
  }

  /**
   * Returns the security counters.
   *
   * @return the metrics
   */
  public SecurityMetrics metrics() {
    return metrics;
  }

  /**
   * Runs one audit maintenance pass now, on the calling thread (what the scheduler does every
   * {@code security.audit.maintenance_interval}); {@code /healthz} reflects its verification at once.
   *
   * @return the report
   */
  public dev.secureyeoman.audit.MaintenanceReport runMaintenanceNow() {
    return maintenance.runOnce();
  }

  /** Stops the server; same as {@link #close()}. */
  public void stop() {
    close();
  }

  /** Stops the HTTP server, the maintenance, the auth service and the audit store, in that order; idempotent. */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    http.close(); // graceful: in-flight requests finish first
    if (sharedBuckets != null) {
      sharedBuckets.close();
    }
    bodies.close();
    maintenance.stop();
    maintenanceScheduler.shutdownNow();
    auth.close();
    try {
      if (audit.checkpointsConfigured()) {
        audit.checkpoint(); // covers everything written since the last maintenance run
      }
    } catch (AuditException | RuntimeException e) {
      LOG.warn("final audit checkpoint failed: {}", e.toString());
    }
    storage.close(); // the audit store (queued entries committed), then the PostgreSQL pools
    try {
      lock.close(); // releases the data directory for the next gateway
    } catch (IOException e) {
      LOG.warn("releasing the data directory lock: {}", e.toString());
    }
  }

  /** 12 hex characters of SHA-256 over the data directory's real path (not secret: it only separates instances). */
  private static String instanceTag(Path dataDir) throws IOException {
    try {
      byte[] h =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(dataDir.toRealPath().toString().getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  private static void countVerificationFailure(Optional<VerificationResult> v, SecurityMetrics metrics) {
    if (v.isPresent() && !v.get().valid()) {
      metrics.record(SecurityMetrics.Event.AUDIT_VERIFICATION_FAILURE);
    }
  }

  /** The kill switch under the data directory; every change is appended to the audit log before it is written. */
  private static KillSwitch openKillSwitch(Path dataDir, AuditStore audit, Clock clock) {
    return KillSwitch.builder(dataDir.resolve("kill-switch.json"))
        .clock(clock)
        .listener(
            change ->
                audit.append(
                    AuditEvent.builder(change.next().engaged() ? "killswitch.engaged" : "killswitch.released")
                        .level(dev.secureyeoman.audit.AuditLevel.WARN)
                        .actor(change.next().changedBy())
                        .message(change.next().engaged() ? "all bot activity paused" : "bot activity resumed")
                        .put("reason", change.next().reason())
                        .correlationId(RequestIds.current().orElse(null))
                        .build()))
        .build();
  }

  private static SecurityConfig loadConfig(Optional<Path> file, Function<String, String> env)
      throws GatewayException {
    if (file.isEmpty()) {
      return SecurityConfig.defaults();
    }
    EncryptedConfigLoader loader =
        EncryptedConfigLoader.builder()
            .keySource(KeySource.rawKeyFromEnv("SECUREYEOMAN_CONFIG_KEY", env))
            .build();
    try {
      return loader.load(file.get());
    } catch (ConfigException e) {
      throw new GatewayException(1, oneLine(e.getMessage()), e);
    }
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // created 0700 (no window with the umask's mode), then set again in case the umask removed bits
        Files.createDirectories(
            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } else {
        Files.createDirectories(dir);
      }
    }
  }

  /**
   * Refuses a data directory that someone else could change: owned by another user, or writable by group or others
   * (they could replace {@code kill-switch.json}, the databases or {@code keys/}).
   */
  private static void requirePrivateDir(Path dir) throws IOException, GatewayException {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return;
    }
    Path real = dir.toRealPath();
    int owner = (Integer) Files.getAttribute(real, "unix:uid");
    Path self = Path.of("/proc/self");
    if (Files.exists(self) && owner != (Integer) Files.getAttribute(self, "unix:uid")) {
      throw new GatewayException(1, "data directory " + dir + " is owned by another user (uid " + owner + ")");
    }
    int mode = (Integer) Files.getAttribute(real, "unix:mode");
    if ((mode & 0022) != 0) {
      throw new GatewayException(
          1,
          "data directory " + dir + " is writable by group or others (mode "
              + Integer.toOctalString(mode & 0777) + "); chmod 700 it");
    }
  }

  /**
   * Takes an exclusive lock on {@code <data-dir>/gateway.lock} for the gateway's lifetime: a second gateway on the same
   * directory (another process, or this one) is refused instead of writing the same databases and files.
   */
  private static FileChannel lockDataDir(Path dir) throws IOException, GatewayException {
    Path file = dir.resolve("gateway.lock");
    FileChannel ch =
        FileChannel.open(
            file,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock taken;
    try {
      taken = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      taken = null; // held by another gateway in this JVM
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (taken == null) {
      ch.close();
      throw new GatewayException(1, "data directory " + dir + " is in use by another gateway (" + file + " is locked)");
    }
    return ch;
  }

  /** Key from {@code variable} if set, else from {@code file}, generated (0600, atomically) on first use. */
  private static SecretBytes loadOrCreateKey(
      Function<String, String> env, String variable, Path file, SecureRandom random)
      throws IOException, GatewayException {
    String fromEnv = env.apply(variable);
    if (fromEnv != null) {
      return decodeKey(fromEnv, "environment variable " + variable);
    }
    if (!Files.exists(file)) {
      createPrivateDir(file.getParent());
      byte[] key = new byte[32];
      random.nextBytes(key);
      byte[] text = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
      try {
        AtomicFiles.writeNew(file, text);
        LOG.info("generated a new key in {} (keep it: without it the data cannot be verified or used)", file);
        return SecretBytes.adopt(key);
      } catch (FileAlreadyExistsException raced) {
        Arrays.fill(key, (byte) 0);
      } finally {
        Arrays.fill(text, (byte) 0);
      }
    }
    byte[] text = Files.readAllBytes(file);
    try {
      return decodeKey(new String(text, StandardCharsets.US_ASCII), "key file " + file);
    } finally {
      Arrays.fill(text, (byte) 0);
    }
  }

  private static SecretBytes decodeKey(String base64, String source) throws GatewayException {
    try {
      return KeySource.decodeRawKeyBytes(base64.toCharArray(), source);
    } catch (KeySourceException e) {
      throw new GatewayException(1, e.getMessage());
    }
  }

  /**
   * Creates {@code admin} unless it exists. A given password ({@code SECUREYEOMAN_ADMIN_PASSWORD}) is used as is. A
   * generated one is <b>delivered before the user exists</b>: it is written to {@link #BOOTSTRAP_PASSWORD_FILE} in the
   * data directory (0600, atomically, fsynced) first, then the user is created, then it is printed once. A process that
   * dies anywhere in between leaves a file whose password the next start uses (or which matches the admin already
   * created), so there is never an admin whose password nobody received. The operator deletes the file once the
   * password is stored; later starts only log a reminder (the path, never the password) while it exists.
   */
  private static void bootstrapAdmin(
      AuthService auth,
      PasswordPolicy policy,
      Path dataDir,
      Function<String, String> env,
      PrintStream console,
      SecureRandom random)
      throws GatewayException, AuthException, IOException {
    String given = env.apply("SECUREYEOMAN_ADMIN_PASSWORD");
    Path file = dataDir.resolve(BOOTSTRAP_PASSWORD_FILE);
    boolean fromFile = given == null && Files.exists(file);
    boolean wroteFile = false;
    char[] password;
    if (given != null) {
      password = given.toCharArray();
    } else if (fromFile) {
      byte[] text = Files.readAllBytes(file);
      try {
        password = new String(text, StandardCharsets.UTF_8).strip().toCharArray();
      } finally {
        Arrays.fill(text, (byte) 0);
      }
    } else {
      password = generatePassword(policy, random);
      byte[] text = (new String(password) + "\n").getBytes(StandardCharsets.UTF_8);
      try {
        AtomicFiles.writeNew(file, text);
        wroteFile = true;
      } finally {
        Arrays.fill(text, (byte) 0);
      }
    }
    try {
      auth.createUser(ADMIN_USER, password, Set.of(Principal.ROLE_ADMIN));
      LOG.info("created the bootstrap user '{}'", ADMIN_USER);
      if (given == null) {
        // stdout only, once: never through the logger, whose output may be collected and kept
        console.println("Bootstrap user '" + ADMIN_USER + "' created with password: " + new String(password));
        console.println("It is also in " + file + " (0600): store it, then delete that file.");
        console.flush();
      }
    } catch (PasswordPolicyException e) {
      throw new GatewayException(
          1,
          (given != null ? "SECUREYEOMAN_ADMIN_PASSWORD" : BOOTSTRAP_PASSWORD_FILE)
              + " violates the password policy: "
              + String.join("; ", e.violations()));
    } catch (UserExistsException e) {
      if (wroteFile) {
        // the admin was made earlier with a password already delivered; this fresh one belongs to nobody
        Files.deleteIfExists(file);
      } else if (fromFile) {
        LOG.warn("the bootstrap password of '{}' is still in {}: store it, then delete that file", ADMIN_USER, file);
      }
      LOG.debug("bootstrap user '{}' already exists", ADMIN_USER);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static char[] generatePassword(PasswordPolicy policy, SecureRandom random) {
    int length = Math.min(Math.max(policy.minLength(), 40), policy.maxLength());
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = PASSWORD_ALPHABET.charAt(random.nextInt(PASSWORD_ALPHABET.length()));
    }
    return out;
  }

  private static String probeSandbox() {
    try {
      SandboxCapabilities caps = NamespaceRunner.create().probe();
      String backend = caps.bestIsolatingBackend().map(SandboxBackend::name).orElse(SandboxBackend.NONE.name());
      LOG.info("sandbox probe: {}", caps.toJson());
      return backend;
    } catch (RuntimeException e) {
      LOG.warn("sandbox probe failed: {}", e.toString());
      return SandboxBackend.NONE.name();
    }
  }

  private static void closeAll(Deque<AutoCloseable> opened) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        LOG.warn("cleanup after a failed start: {}", e.toString());
      }
    }
  }

  private static String oneLine(String message) {
    return message.replace("\r", "").replace("\n", "; ");
  }

  /** Mutable holder used only while starting. */
  private static final class Parts {
    GatewayHttp http;
    Path dataDir;
    KillSwitch killSwitch;
    PrometheusMeterRegistry registry;
    SecurityMetrics metrics;
    GatewayAudit gatewayAudit;
    RequestBodies bodies;
    AuditStore audit;
    AuthService auth;
    GatewayStorage.Maintenance maintenance;
    ScheduledExecutorService scheduler;
    VerificationResult verification;
    volatile GatewayHealth health;
    String refreshCookie;
    FileChannel lock;
    RedisBuckets sharedBuckets;
    GatewayStorage storage;
  }

  /**
   * Command-line entry point.
   *
   * @param args {@code [--port P] [--data-dir D] [--config F]}
   */
  public static void main(String[] args) {
    HIBERNATE_VALIDATOR_JUL.setLevel(java.util.logging.Level.WARNING);
    int code = launch(args, System::getenv, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
