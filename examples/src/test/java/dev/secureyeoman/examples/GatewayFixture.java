package dev.secureyeoman.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import dev.secureyeoman.testkit.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Starts real gateways on loopback (port 0) over a temp data dir, with a clock the test moves. */
final class GatewayFixture implements AutoCloseable {
  static final String ADMIN_PASSWORD = "correct horse battery staple, thirty-two+";
  static final String USER_PASSWORD = "an ordinary user's passphrase, long enough!";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Test config: generous throttles (tests log in often from 127.0.0.1), one allowed CORS origin. The idle timeout is
   * Jetty's, on real time (no injected clock reaches it): long, so that a login hashing slowly on a loaded machine is
   * never cut off; the slow-client test sets its own short one ({@link #SHORT_IDLE_CONFIG}).
   */
  static final String DEFAULT_CONFIG =
      """
      security:
        auth: { login_rate_limit: { capacity: 1000, refill_period: PT1M } }
        http:
          rate_limit: { window_ms: 60000, max_requests: 100000 }
          cors: { allowed_origins: [ "http://localhost:3000" ] }
          max_body_bytes: 4096
          idle_timeout: PT60S
      """;

  /** {@link #DEFAULT_CONFIG} with a 2 s idle timeout, for the test that a silent client is cut off. */
  static final String SHORT_IDLE_CONFIG = DEFAULT_CONFIG.replace("idle_timeout: PT60S", "idle_timeout: PT2S");

  // starts at the real time: the browser pages compare the server's sessionExpiresAt with their own clock
  final TestClock clock = TestClock.at(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  /**
   * Monotonic nanoseconds of the rate limit, the audit aggregation and the auth revocation poll; moved separately from
   * the wall clock.
   */
  final java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong();
  final Path dataDir;
  final Path configFile;
  final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  GatewayMain gateway;

  /** The gateway's environment (the bootstrap admin password; tests add e.g. a database password variable). */
  final Map<String, String> env = new java.util.HashMap<>(Map.of("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD));

  GatewayFixture(Path tmp, String config, Map<String, String> extraEnv) throws Exception {
    this.env.putAll(extraEnv);
    this.dataDir = tmp.resolve("data");
    this.configFile = tmp.resolve("gateway.yaml");
    Files.writeString(configFile, config);
    start();
  }

  GatewayFixture(Path tmp, String config) throws Exception {
    this.dataDir = tmp.resolve("data");
    this.configFile = tmp.resolve("gateway.yaml");
    Files.writeString(configFile, config);
    start();
  }

  GatewayFixture(Path tmp) throws Exception {
    this(tmp, DEFAULT_CONFIG);
  }

  /** Starts (or restarts, after {@link #stop()}) the gateway on the same data dir. */
  void start() throws Exception {
    gateway =
        GatewayMain.start(
            new GatewayMain.Options(0, dataDir, Optional.of(configFile)),
            env::get,
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            clock,
            ticker::get);
  }

  void stop() {
    gateway.close();
  }

  void restart() throws Exception {
    stop();
    start();
  }

  @Override
  public void close() {
    gateway.close();
  }

  String base() {
    return "http://127.0.0.1:" + gateway.port();
  }

  HttpResponse<String> post(String path, String json, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  /** Logs in and returns the token JSON (fails the test on anything but 200 with tokens). */
  JsonNode login(String user, String password, boolean rememberMe) throws Exception {
    HttpResponse<String> r =
        post("/api/v1/auth/login", JSON.writeValueAsString(Map.of("username", user, "password", password, "rememberMe", rememberMe)));
    if (r.statusCode() != 200 || !json(r).has("accessToken")) {
      throw new AssertionError("login failed: " + r.statusCode() + " " + r.body());
    }
    return json(r);
  }

  String adminToken() throws Exception {
    return login("admin", ADMIN_PASSWORD, false).get("accessToken").asText();
  }

  /** Creates a plain user and returns an access token for it. */
  String userToken(String name) throws Exception {
    try {
      gateway.auth().createUser(name, USER_PASSWORD.toCharArray(), java.util.Set.of());
    } catch (dev.secureyeoman.auth.UserExistsException ignored) {
      // created by an earlier call
    }
    return login(name, USER_PASSWORD, false).get("accessToken").asText();
  }

  /** The current TOTP code of a Base32 secret at the fixture's clock. */
  String totp(String base32) {
    return TotpService.generate(Base32.decode(base32), clock.instant(), TotpParameters.defaults());
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }
}
