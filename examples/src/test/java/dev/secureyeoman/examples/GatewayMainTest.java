package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.auth.ClientInfo;
import dev.secureyeoman.auth.InvalidCredentialsException;
import dev.secureyeoman.auth.LoginResult;
import dev.secureyeoman.auth.Principal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayMainTest {
  private static final String ADMIN_PASSWORD = "correct horse battery staple, thirty-two+";
  private static final Pattern ENTRIES = Pattern.compile("\"entries\":(\\d+)");

  @TempDir Path tmp;

  private final Map<String, String> env = new HashMap<>();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

  private GatewayMain start(Path data) throws Exception {
    return GatewayMain.start(
        new GatewayMain.Options(0, data, Optional.empty()),
        env::get,
        new PrintStream(stdout, true, StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> get(GatewayMain g, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static long entries(String body) {
    Matcher m = ENTRIES.matcher(body);
    assertTrue(m.find(), body);
    return Long.parseLong(m.group(1));
  }

  @Test
  void healthz_reportsVerifiedAudit_unknownPathIs404_postIs405() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    Path data = tmp.resolve("data");
    try (GatewayMain g = start(data)) {
      HttpResponse<String> ok = get(g, "/healthz");
      assertEquals(200, ok.statusCode());
      assertTrue(ok.body().startsWith("{\"status\":\"ok\",\"audit\":{\"verified\":true,\"entries\":"), ok.body());
      assertTrue(ok.body().contains("\"sandbox\":{\"backend\":\""), ok.body());
      assertEquals("nosniff", ok.headers().firstValue("X-Content-Type-Options").orElse(""));
      assertEquals("no-store, max-age=0", ok.headers().firstValue("Cache-Control").orElse(""));
      assertEquals(404, get(g, "/admin").statusCode());
      HttpResponse<String> post =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/healthz"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys/audit.key"))));
      assertTrue(Files.exists(data.resolve("data/audit.db")));
      assertTrue(Files.exists(data.resolve("checkpoints/audit.checkpoints")));
      assertEquals(
          1, g.audit().query(AuditQuery.builder().event("gateway.started").limit(10).build()).size());
      assertEquals("", stdout.toString(StandardCharsets.UTF_8), "a supplied password is never printed");
    }
  }

  @Test
  void headHealthz_200WithoutBody() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    try (GatewayMain g = start(tmp.resolve("data"))) {
      HttpResponse<byte[]> head =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/healthz"))
                      .method("HEAD", HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, head.statusCode());
      assertEquals(0, head.body().length);
      assertEquals("nosniff", head.headers().firstValue("X-Content-Type-Options").orElse(""));
      assertEquals(200, get(g, "/healthz").statusCode(), "GET still answers with the body");
    }
  }

  @Test
  void help_process_printsUsageOnStdoutExitsZero_createsNothing() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                GatewayMain.class.getName(),
                "--help")
            .directory(tmp.toFile())
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), err);
    assertTrue(out.startsWith(GatewayMain.USAGE), out);
    assertTrue(out.contains("--data-dir"), out);
    assertEquals("", err);
    assertFalse(Files.exists(tmp.resolve("data")), "--help starts nothing");
  }

  @Test
  void bootstrapAdmin_logsInWithThePassword_wrongPasswordRefused() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    try (GatewayMain g = start(tmp.resolve("data"))) {
      LoginResult r = g.auth().login("admin", ADMIN_PASSWORD.toCharArray(), false, ClientInfo.of("127.0.0.1"));
      LoginResult.Authenticated a = assertInstanceOf(LoginResult.Authenticated.class, r);
      Principal p = g.auth().authenticate(a.tokens().accessToken());
      assertTrue(p.hasRole(Principal.ROLE_ADMIN));
      assertThrows(
          InvalidCredentialsException.class,
          () -> g.auth().login("admin", "wrong".toCharArray(), false, ClientInfo.of("127.0.0.2")));
    }
  }

  @Test
  void restart_reusesPersistedKeys_auditStillVerifies_adminNotRecreated_passwordPrintedOnce() throws Exception {
    Path data = tmp.resolve("data");
    String password;
    long firstEntries;
    try (GatewayMain g = start(data)) {
      String printed = stdout.toString(StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("password: (\\S+)").matcher(printed);
      assertTrue(m.find(), printed);
      password = m.group(1);
      assertTrue(password.length() >= 32);
      firstEntries = entries(get(g, "/healthz").body());
    }
    String auditKey = Files.readString(data.resolve("keys/audit.key"));
    stdout.reset();
    try (GatewayMain g = start(data)) {
      assertEquals("", stdout.toString(StandardCharsets.UTF_8), "no password on the second start");
      HttpResponse<String> h = get(g, "/healthz");
      assertEquals(200, h.statusCode(), h.body());
      assertTrue(h.body().contains("\"verified\":true"), h.body());
      assertTrue(entries(h.body()) > firstEntries, h.body());
      assertEquals(auditKey, Files.readString(data.resolve("keys/audit.key")));
      assertEquals(
          1, g.audit().query(AuditQuery.builder().event("auth.user.created").limit(10).build()).size());
      assertEquals(
          2, g.audit().query(AuditQuery.builder().event("gateway.started").limit(10).build()).size());
      // the auth master key persisted too: the printed password still works
      assertInstanceOf(
          LoginResult.Authenticated.class,
          g.auth().login("admin", password.toCharArray(), false, ClientInfo.of("127.0.0.1")));
    }
  }

  @Test
  void restart_withAnotherAuditKey_healthzReportsFailedVerification() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    Path data = tmp.resolve("data");
    try (GatewayMain g = start(data)) {
      assertTrue(g.startVerification().valid());
    }
    // an attacker (or a mix-up) replaces the key: entries signed with the old key no longer verify
    env.put("SECUREYEOMAN_AUDIT_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    try (GatewayMain g = start(data)) {
      assertFalse(g.startVerification().valid());
      HttpResponse<String> h = get(g, "/healthz");
      assertEquals(503, h.statusCode());
      assertTrue(h.body().startsWith("{\"status\":\"degraded\",\"audit\":{\"verified\":false"), h.body());
      assertEquals(
          1, g.metrics().count(dev.secureyeoman.web.SecurityMetrics.Event.AUDIT_VERIFICATION_FAILURE), "counted");
    }
  }

  @Test
  void adminPasswordViolatingPolicy_failsWithExitCode1_passwordNotEchoed() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", "short");
    GatewayMain.GatewayException e =
        assertThrows(GatewayMain.GatewayException.class, () -> start(tmp.resolve("data")));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().startsWith("SECUREYEOMAN_ADMIN_PASSWORD violates the password policy"), e.getMessage());
    assertFalse(e.getMessage().contains("short"), "the password is not echoed");
  }

  @Test
  void invalidConfigFile_exit1_oneErrorLineWithTheYamlPath() throws Exception {
    Path cfg = tmp.resolve("bad.yaml");
    Files.writeString(cfg, "security:\n  audit:\n    retention_days: 0\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        GatewayMain.launch(
            new String[] {"--port", "0", "--data-dir", tmp.resolve("data").toString(), "--config", cfg.toString()},
            env::get,
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, code);
    String line = err.toString(StandardCharsets.UTF_8);
    assertTrue(line.startsWith("error: "), line);
    assertTrue(line.contains("security.audit.retention_days"), line);
    assertEquals(1, line.lines().count(), line);
    assertFalse(Files.exists(tmp.resolve("data")), "nothing is created for a bad config");
  }

  @Test
  void encryptedConfigWithoutKey_exit1_namesTheVariable() throws Exception {
    Path cfg = tmp.resolve("app.enc.yaml");
    Files.writeString(cfg, "security: {}\n");
    GatewayMain.GatewayException e =
        assertThrows(
            GatewayMain.GatewayException.class,
            () ->
                GatewayMain.start(
                    new GatewayMain.Options(0, tmp.resolve("data"), Optional.of(cfg)),
                    env::get,
                    new PrintStream(stdout, true, StandardCharsets.UTF_8)));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().contains("app.enc.yaml"), e.getMessage());
  }

  @Test
  void plainConfigFile_isApplied() throws Exception {
    env.put("SECUREYEOMAN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    Path cfg = tmp.resolve("app.yaml");
    Files.writeString(
        cfg, "security:\n  audit:\n    db_path: audit/log.db\n    checkpoint_path: cp/log.checkpoints\n");
    try (GatewayMain g =
        GatewayMain.start(
            new GatewayMain.Options(0, tmp.resolve("data"), Optional.of(cfg)),
            env::get,
            new PrintStream(stdout, true, StandardCharsets.UTF_8))) {
      assertTrue(Files.exists(tmp.resolve("data/audit/log.db")));
      assertTrue(Files.exists(tmp.resolve("data/cp/log.checkpoints")));
      assertEquals(200, get(g, "/healthz").statusCode());
    }
  }

  @Test
  void usageErrors_exit2() {
    for (String[] args :
        new String[][] {{"--bogus"}, {"--port"}, {"--port", "70000"}, {"--port", "x"}, {"--config", ""}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          GatewayMain.launch(
              args, env::get, new PrintStream(stdout, true), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(2, code, String.join(" ", args));
      String line = err.toString(StandardCharsets.UTF_8);
      assertTrue(line.startsWith("error: "), line);
      assertEquals(1, line.lines().count(), line);
    }
  }

  @Test
  void badAuditKeyInEnvironment_exit1_valueNotEchoed() {
    env.put("SECUREYEOMAN_AUDIT_KEY", "bm90LTMyLWJ5dGVz");
    GatewayMain.GatewayException e =
        assertThrows(GatewayMain.GatewayException.class, () -> start(tmp.resolve("data")));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().contains("SECUREYEOMAN_AUDIT_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains("bm90LTMyLWJ5dGVz"));
  }
}
