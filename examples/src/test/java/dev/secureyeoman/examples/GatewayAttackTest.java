package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks an outside review found working against the gateway, each recreated with real sockets, files and restarts;
 * every test shows the attack failing and the legitimate path still working.
 */
class GatewayAttackTest {
  @TempDir Path tmp;

  private static final String STALL_CONFIG =
      """
      security:
        auth: { login_rate_limit: { capacity: 1000, refill_period: PT1M } }
        http:
          rate_limit: { window_ms: 60000, max_requests: 100000 }
          idle_timeout: PT60S
          body_timeout: PT60S
      """;

  /** Opens a connection that sends headers announcing a body, one byte of it, and then nothing. */
  private static Socket stalledBody(int port) throws Exception {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  /** Sends one request on a fresh connection and returns the whole response (the server closes). */
  static String raw(int port, String request, int readTimeoutMillis) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(readTimeoutMillis);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return readAll(s.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) >= 0) {
      b.write(buf, 0, n);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void stalledBodies_moreThanTheThreadPool_otherClientsAreStillServed() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, STALL_CONFIG)) {
      List<Socket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < 80; i++) { // the pool has 64 threads
          stalled.add(stalledBody(f.gateway.port()));
        }
        // make sure the server has parsed the stalled requests' headers before the probe
        Thread.sleep(500);
        String r =
            raw(f.gateway.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 10_000);
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        assertEquals(200, f.get("/healthz").statusCode());
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }
    }
  }

  @Test
  void dripFedBody_cutOffAfterBodyTimeout_408Json_connectionClosed() throws Exception {
    String config = STALL_CONFIG.replace("body_timeout: PT60S", "body_timeout: PT1S");
    try (GatewayFixture f = new GatewayFixture(tmp, config);
        Socket s = stalledBody(f.gateway.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      // one byte every 100 ms: never idle long enough for the idle timeout (60 s), far slower than the body bound
      for (int i = 0; i < 100 && in.available() == 0; i++) {
        try {
          out.write(' ');
          out.flush();
        } catch (java.io.IOException closed) {
          break;
        }
        Thread.sleep(100);
      }
      String r = readAll(in);
      assertTrue(r.startsWith("HTTP/1.1 408"), r);
      assertTrue(r.contains("\"error\":\"request timeout\""), r);
      assertTrue(r.contains("X-Content-Type-Options: nosniff"), r);
      // a normal body still works
      assertEquals(400, f.post("/api/v1/auth/login", "{}").statusCode());
      assertEquals("invalid request", json(f.post("/api/v1/auth/login", "{}")).get("error").asText());
    }
  }

  @Test
  void auditOutage_stateChangingRoutes_503AndNothingChanged_thenWorkAgain() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String admin = f.adminToken();
      String other = f.adminToken();
      Path auditDb = f.dataDir.resolve("data/audit.db");
      assertTrue(java.nio.file.Files.exists(auditDb), auditDb.toString());
      // another process holds the audit database's write lock: every append fails (SQLITE_BUSY after busy_timeout)
      try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + auditDb);
          java.sql.Statement st = c.createStatement()) {
        st.execute("BEGIN EXCLUSIVE");
        java.net.http.HttpResponse<String> ks =
            f.post(
                "/api/v1/admin/kill-switch",
                "{\"engaged\":true,\"reason\":\"x\"}",
                "Authorization",
                GatewayFixture.bearer(admin));
        assertEquals(503, ks.statusCode(), ks.body());
        assertTrue(!f.gateway.killSwitch().isEngaged(), "kill switch must not change without its audit entry");
        java.net.http.HttpResponse<String> logout =
            f.post("/api/v1/auth/logout", null, "Authorization", GatewayFixture.bearer(other));
        assertEquals(503, logout.statusCode(), logout.body());
        java.net.http.HttpResponse<String> reset =
            f.post(
                "/api/v1/auth/reset-password",
                "{\"currentPassword\":\""
                    + GatewayFixture.ADMIN_PASSWORD
                    + "\",\"newPassword\":\"a brand new admin passphrase, long enough!!\"}",
                "Authorization",
                GatewayFixture.bearer(admin));
        assertEquals(503, reset.statusCode(), reset.body());
        st.execute("ROLLBACK");
      }
      // nothing changed: the logged-out token still works, the old password still logs in, the switch is released
      assertEquals(200, f.get("/api/v1/admin/kill-switch", "Authorization", GatewayFixture.bearer(other)).statusCode());
      f.login("admin", GatewayFixture.ADMIN_PASSWORD, false);
      assertTrue(!f.gateway.killSwitch().isEngaged());
      // and once the audit log is back, the same calls work
      assertEquals(
          200,
          f.post(
                  "/api/v1/admin/kill-switch",
                  "{\"engaged\":true,\"reason\":\"x\"}",
                  "Authorization",
                  GatewayFixture.bearer(admin))
              .statusCode());
      assertTrue(f.gateway.killSwitch().isEngaged());
      assertEquals(204, f.post("/api/v1/auth/logout", null, "Authorization", GatewayFixture.bearer(other)).statusCode());
      assertEquals(401, f.get("/api/v1/admin/kill-switch", "Authorization", GatewayFixture.bearer(other)).statusCode());
    }
  }

  @Test
  void bootstrapPassword_processDiesBeforeShowingIt_nextStartStillDeliversIt() throws Exception {
    Path data = tmp.resolve("data");
    Path config = tmp.resolve("gateway.yaml");
    java.nio.file.Files.writeString(config, GatewayFixture.DEFAULT_CONFIG);
    GatewayMain.Options options = new GatewayMain.Options(0, data, java.util.Optional.of(config));
    // the console "dies" the moment the password would be shown (a crash, a kill, a closed terminal)
    java.io.PrintStream dying =
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) {
          @Override
          public void println(String x) {
            throw new IllegalStateException("killed before the password reached anyone");
          }
        };
    assertThrows(GatewayMain.GatewayException.class, () -> GatewayMain.start(options, k -> null, dying));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GatewayMain g =
        GatewayMain.start(options, k -> null, new java.io.PrintStream(out, true, StandardCharsets.UTF_8))) {
      Path file = data.resolve(GatewayMain.BOOTSTRAP_PASSWORD_FILE);
      assertTrue(java.nio.file.Files.exists(file), "the password was written down before the admin was created");
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(file)));
      String password = java.nio.file.Files.readString(file).strip();
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + g.port() + "/api/v1/auth/login"))
                      .header("Content-Type", "application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              GatewayFixture.JSON.writeValueAsString(
                                  java.util.Map.of("username", "admin", "password", password))))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("", out.toString(StandardCharsets.UTF_8), "the second start does not print it again");
    }
  }

  @Test
  void bootstrapPassword_normalStart_printedOnceAndFileWritten_adminExistingWithoutFile_noNewFile() throws Exception {
    Path data = tmp.resolve("data");
    Path config = tmp.resolve("gateway.yaml");
    java.nio.file.Files.writeString(config, GatewayFixture.DEFAULT_CONFIG);
    GatewayMain.Options options = new GatewayMain.Options(0, data, java.util.Optional.of(config));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GatewayMain g =
        GatewayMain.start(options, k -> null, new java.io.PrintStream(out, true, StandardCharsets.UTF_8))) {
      String password = java.nio.file.Files.readString(data.resolve(GatewayMain.BOOTSTRAP_PASSWORD_FILE)).strip();
      assertTrue(out.toString(StandardCharsets.UTF_8).contains(password));
    }
    // the operator stored it and deleted the file: later starts neither print nor write a password
    java.nio.file.Files.delete(data.resolve(GatewayMain.BOOTSTRAP_PASSWORD_FILE));
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try (GatewayMain g =
        GatewayMain.start(options, k -> null, new java.io.PrintStream(again, true, StandardCharsets.UTF_8))) {
      assertEquals("", again.toString(StandardCharsets.UTF_8));
      assertTrue(!java.nio.file.Files.exists(data.resolve(GatewayMain.BOOTSTRAP_PASSWORD_FILE)));
    }
  }

  private static String rateConfig(int max, String extra) {
    return "security:\n  auth: { login_rate_limit: { capacity: 1000, refill_period: PT1M } }\n"
        + "  http:\n    rate_limit: { window_ms: 60000, max_requests: " + max + " }\n" + extra;
  }

  @Test
  void forwardedFor_fromAnUntrustedPeer_ignored_rateLimitKeyNotSpoofable() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, rateConfig(5, ""))) {
      for (int i = 0; i < 5; i++) {
        assertEquals(200, f.get("/healthz", "X-Forwarded-For", "203.0.113." + i).statusCode());
      }
      assertEquals(429, f.get("/healthz", "X-Forwarded-For", "203.0.113.99").statusCode());
    }
  }

  @Test
  void forwardedFor_fromATrustedProxy_theForwardedClientIsLimitedAndAudited() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, rateConfig(3, "    trusted_proxies: [ 127.0.0.0/8, \"::1\" ]\n"))) {
      assertEquals(200, f.get("/healthz", "X-Forwarded-For", "203.0.113.1").statusCode());
      assertEquals(200, f.get("/healthz", "X-Forwarded-For", "198.51.100.1, 203.0.113.1").statusCode());
      java.net.http.HttpResponse<String> failed =
          f.post(
              "/api/v1/auth/login",
              "{\"username\":\"admin\",\"password\":\"wrong\"}",
              "X-Forwarded-For",
              "203.0.113.1");
      assertEquals(401, failed.statusCode());
      assertEquals(429, f.get("/healthz", "X-Forwarded-For", "203.0.113.1").statusCode(), "same client, 4th request");
      assertEquals(200, f.get("/healthz", "X-Forwarded-For", "203.0.113.2").statusCode(), "another client");
      String entries =
          f.gateway
              .audit()
              .query(dev.secureyeoman.audit.AuditQuery.builder().event("auth.login.failure").limit(10).build())
              .toString();
      assertTrue(entries.contains("203.0.113.1"), entries);
    }
  }

  private static String setCookie(java.net.http.HttpResponse<String> r, String name) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(name + "="))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.headers().allValues("Set-Cookie")));
  }

  private static String value(String setCookie) {
    return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
  }

  @Test
  void refreshCookie_plainLoopback_perInstanceName_scopedToTheRefreshRoute_notSharedBetweenGateways()
      throws Exception {
    String login = "{\"username\":\"admin\",\"password\":\"" + GatewayFixture.ADMIN_PASSWORD + "\"}";
    java.nio.file.Files.createDirectories(tmp.resolve("a"));
    java.nio.file.Files.createDirectories(tmp.resolve("b"));
    try (GatewayFixture a = new GatewayFixture(tmp.resolve("a"));
        GatewayFixture b = new GatewayFixture(tmp.resolve("b"))) {
      String nameA = a.gateway.refreshCookieName();
      String nameB = b.gateway.refreshCookieName();
      assertTrue(nameA.startsWith("sy_refresh_") && nameB.startsWith("sy_refresh_"), nameA + " " + nameB);
      assertTrue(!nameA.equals(nameB), "two gateways on one host must not share (or overwrite) one cookie");
      String c = setCookie(a.post("/api/v1/auth/login", login), nameA);
      assertTrue(c.contains("; Path=/api/v1/auth/refresh; HttpOnly; SameSite=Strict"), c);
      // the browser sends it only to the refresh route, and the refresh works with it
      java.net.http.HttpResponse<String> ok = a.post("/api/v1/auth/refresh", null, "Cookie", nameA + "=" + value(c));
      assertEquals(200, ok.statusCode(), ok.body());
      // gateway b does not take a's cookie (another app's cookie jar entry is not its own)
      String c2 = setCookie(a.post("/api/v1/auth/login", login), nameA);
      assertEquals(400, b.post("/api/v1/auth/refresh", null, "Cookie", nameA + "=" + value(c2)).statusCode());
      // the name is stable across restarts (remember-me cookies keep working)
      a.restart();
      assertEquals(nameA, a.gateway.refreshCookieName());
      assertEquals(200, a.post("/api/v1/auth/refresh", null, "Cookie", nameA + "=" + value(c2)).statusCode());
    }
  }

  @Test
  void refreshCookie_behindATlsProxy_hostPrefixedSecureCookie() throws Exception {
    String login = "{\"username\":\"admin\",\"password\":\"" + GatewayFixture.ADMIN_PASSWORD + "\"}";
    String config = GatewayFixture.DEFAULT_CONFIG.replace("max_body_bytes: 4096", "max_body_bytes: 4096\n    trusted_proxies: [ 127.0.0.1 ]");
    try (GatewayFixture f = new GatewayFixture(tmp, config)) {
      java.net.http.HttpResponse<String> r =
          f.post("/api/v1/auth/login", login, "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.5");
      String c = setCookie(r, "__Host-sy_refresh");
      assertTrue(c.contains("; Path=/; HttpOnly; SameSite=Strict; Secure"), c);
      java.net.http.HttpResponse<String> ok =
          f.post(
              "/api/v1/auth/refresh",
              null,
              "Cookie",
              "__Host-sy_refresh=" + value(c),
              "X-Forwarded-Proto",
              "https",
              "X-Forwarded-For",
              "203.0.113.5");
      assertEquals(200, ok.statusCode(), ok.body());
      // a plain-http request (or a spoofed proto from an untrusted peer) does not use the TLS cookie
      assertEquals(400, f.post("/api/v1/auth/refresh", null, "Cookie", "__Host-sy_refresh=" + value(setCookie(ok, "__Host-sy_refresh"))).statusCode());
    }
  }

  /** One request from a chosen loopback source address (Linux routes all of 127/8 to lo). */
  private static String fromSource(int port, String source) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(source), 0)) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return readAll(s.getInputStream());
    }
  }

  @Test
  void rateLimit_everyLoopbackSourceAddress_sharesOneBucket() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, rateConfig(3, ""))) {
      for (int i = 1; i <= 3; i++) {
        String r = fromSource(f.gateway.port(), "127.0.0." + i);
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
      }
      String r = fromSource(f.gateway.port(), "127.9.8.7");
      assertTrue(r.startsWith("HTTP/1.1 429"), "a new 127.x source is the same client: " + r);
    }
  }

  @Test
  void rateLimit_wallClockStepsForward_doesNotRefill_monotonicTimeDoes() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp, rateConfig(2, ""))) {
      assertEquals(200, f.get("/healthz").statusCode());
      assertEquals(200, f.get("/healthz").statusCode());
      assertEquals(429, f.get("/healthz").statusCode());
      f.clock.advance(java.time.Duration.ofDays(1)); // NTP or an operator steps the wall clock
      assertEquals(429, f.get("/healthz").statusCode(), "a wall-clock step must not refill the bucket");
      f.ticker.addAndGet(java.time.Duration.ofSeconds(30).toNanos());
      assertEquals(200, f.get("/healthz").statusCode(), "real elapsed time does");
    }
  }

  @Test
  void botRefusals_manyPlatformNames_auditedOncePerUserAndMinute() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      String token = f.adminToken();
      f.gateway.killSwitch().engage("ops", "test");
      for (int i = 0; i < 30; i++) {
        String platform = "p" + (char) ('a' + i % 26) + (char) ('a' + i / 26);
        java.net.http.HttpResponse<String> r =
            f.post(
                "/api/v1/bot/messages",
                "{\"platform\":\"" + platform + "\",\"thread\":\"t\",\"text\":\"hi\"}",
                "Authorization",
                GatewayFixture.bearer(token));
        assertEquals(503, r.statusCode(), r.body());
      }
      assertEquals(
          1,
          f.gateway
              .audit()
              .query(dev.secureyeoman.audit.AuditQuery.builder().event("bot.refused").limit(100).build())
              .size());
      assertEquals(30, f.gateway.metrics().count(dev.secureyeoman.web.SecurityMetrics.Event.KILL_SWITCH_REFUSAL));
    }
  }

  private static int launch(Path data, ByteArrayOutputStream err) {
    return GatewayMain.launch(
        new String[] {"--port", "0", "--data-dir", data.toString()},
        java.util.Map.of("SECUREYEOMAN_ADMIN_PASSWORD", GatewayFixture.ADMIN_PASSWORD)::get,
        new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static void assertOneErrorLine(ByteArrayOutputStream err, String fragment) {
    String line = err.toString(StandardCharsets.UTF_8);
    assertTrue(line.startsWith("error: "), line);
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.contains(fragment), line);
  }

  @Test
  void twoGateways_sameDataDir_secondRefusedWithOneErrorLine_freeAgainAfterClose() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertEquals(1, launch(f.dataDir, err));
      assertOneErrorLine(err, "in use by another gateway");
      assertEquals(200, f.get("/healthz").statusCode(), "the first one is unharmed");
      f.restart(); // closing releases the lock
      assertEquals(200, f.get("/healthz").statusCode());
    }
  }

  @Test
  void twoGateways_secondOneInAnotherProcess_refused() throws Exception {
    Path data = tmp.resolve("data");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            javaBin,
            "-cp",
            System.getProperty("java.class.path"),
            "dev.secureyeoman.examples.GatewayMain",
            "--port",
            "0",
            "--data-dir",
            data.toString());
    pb.environment().put("SECUREYEOMAN_ADMIN_PASSWORD", GatewayFixture.ADMIN_PASSWORD);
    pb.redirectErrorStream(true);
    Process child = pb.start();
    try {
      java.io.BufferedReader out =
          new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.contains("gateway listening")) {
        seen.append(line).append('\n');
      }
      assertTrue(line != null, "the child gateway did not start:\n" + seen);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertEquals(1, launch(data, err));
      assertOneErrorLine(err, "in use by another gateway");
    } finally {
      child.destroy();
      child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      child.destroyForcibly();
    }
  }

  @Test
  void dataDir_groupOrWorldWritable_refused_newOneCreated0700() throws Exception {
    Path data = tmp.resolve("data");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    java.nio.file.Files.createDirectories(data);
    java.nio.file.Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    assertEquals(1, launch(data, err));
    assertOneErrorLine(err, "writable by group or others");
    java.nio.file.Files.createDirectories(tmp.resolve("ok"));
    try (GatewayFixture f = new GatewayFixture(tmp.resolve("ok"))) {
      assertEquals(
          "rwx------",
          java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(f.dataDir)));
    }
  }

  @Test
  void dataDir_ownedByAnotherUser_refused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to hand the directory to another user");
    Path data = tmp.resolve("data");
    java.nio.file.Files.createDirectories(data);
    java.nio.file.Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    java.nio.file.Files.setAttribute(data, "unix:uid", 65534);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(1, launch(data, err));
    assertOneErrorLine(err, "owned by another user");
  }

  private static String withHost(int port, String host) throws Exception {
    String h = host == null ? "" : "Host: " + host + "\r\n";
    return raw(port, "GET /healthz HTTP/1.1\r\n" + h + "Connection: close\r\n\r\n", 20_000);
  }

  @Test
  void hostHeader_unexpectedHost_421_dnsRebindingRefused_loopbackAndConfiguredHostsServed() throws Exception {
    String config = GatewayFixture.DEFAULT_CONFIG.replace("max_body_bytes: 4096", "max_body_bytes: 4096\n    allowed_hosts: [ gw.example.org ]");
    try (GatewayFixture f = new GatewayFixture(tmp, config)) {
      int port = f.gateway.port();
      for (String bad : List.of("attacker.example", "attacker.example:" + port, "127.0.0.1.nip.io", "gw.example.org.evil", "10.0.0.1")) {
        String r = withHost(port, bad);
        assertTrue(r.startsWith("HTTP/1.1 421"), bad + ": " + r);
        assertTrue(r.contains("\"error\":\"misdirected request\""), r);
        assertTrue(r.contains("X-Content-Type-Options: nosniff"), r);
      }
      for (String good : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "127.0.0.1", "gw.example.org", "GW.Example.Org:443")) {
        String r = withHost(port, good);
        assertTrue(r.startsWith("HTTP/1.1 200"), good + ": " + r);
      }
      // a login through a rebound name never reaches the auth service
      java.net.http.HttpResponse<String> ok = f.get("/healthz");
      assertEquals(200, ok.statusCode());
    }
  }

  @Test
  void contentSecurityPolicy_withAWildcardOrWholeScheme_startRefusedWithOneErrorLine() throws Exception {
    for (String csp : List.of("default-src 'self'; script-src *", "default-src 'self'; script-src https:")) {
      Path config = tmp.resolve("csp.yaml");
      java.nio.file.Files.writeString(config, "security:\n  http: { content_security_policy: \"" + csp + "\" }\n");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          GatewayMain.launch(
              new String[] {"--port", "0", "--data-dir", tmp.resolve("data").toString(), "--config", config.toString()},
              java.util.Map.of("SECUREYEOMAN_ADMIN_PASSWORD", GatewayFixture.ADMIN_PASSWORD)::get,
              new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(1, code, csp);
      assertOneErrorLine(err, "contentSecurityPolicy");
    }
  }
}
