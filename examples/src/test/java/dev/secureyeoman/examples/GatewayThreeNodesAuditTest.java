package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.examples.GatewayFixture.JSON;
import static dev.secureyeoman.examples.GatewayFixture.bearer;
import static dev.secureyeoman.examples.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.cli.SecureYeomanCli;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit rows of issue 18's three-node acceptance (docs/scale-out.md): three real gateways with {@code
 * security.storage: postgres} on one testkit PostgreSQL server (their own, so it can be stopped) write <b>one</b> audit
 * chain; {@code secureyeoman audit verify --config} (a child JVM, the real CLI) accepts it, and refuses it naming the seq
 * after one row is changed with plain SQL, after which every node reports the tampering on {@code /healthz} and refuses
 * audited writes (fail closed: no session without its audit entry). With PostgreSQL stopped, audited requests get 503
 * with a JSON error and the nodes recover after it restarts, without a restart of their own.
 */
@EnabledIf(value = "dev.secureyeoman.examples.GatewayPostgresTest#available", disabledReason =
    "PostgreSQL 15 binaries missing under /usr/lib/postgresql/15/bin (apt-get install postgresql): skipped")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayThreeNodesAuditTest {
  static final String PASSWORD_VAR = "SY_TEST_PG_PASSWORD";

  @TempDir Path tmp;
  PostgresServer server;
  PostgresDatabase db;
  Path config;
  Map<String, String> env;
  final List<GatewayFixture> nodes = new ArrayList<>();

  @BeforeEach
  void startThreeNodes() throws Exception {
    server = PostgresServer.start();
    db = server.createDatabase();
    String yaml =
        GatewayFixture.DEFAULT_CONFIG
            + "  storage: { engine: postgres, url: '" + db.jdbcUrl() + "', user: " + db.user()
            + ", password_env: " + PASSWORD_VAR + " }\n";
    config = tmp.resolve("cluster.yaml");
    Files.writeString(config, yaml);
    SecureRandom random = new SecureRandom();
    byte[] authKey = new byte[32];
    byte[] auditKey = new byte[32];
    random.nextBytes(authKey);
    random.nextBytes(auditKey);
    // one auth key (tokens) and one audit key (one chain) for the cluster
    env =
        Map.of(
            PASSWORD_VAR, db.password(),
            "SECUREYEOMAN_AUTH_KEY", Base64.getEncoder().encodeToString(authKey),
            "SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(auditKey));
    for (int i = 1; i <= 3; i++) {
      nodes.add(new GatewayFixture(Files.createDirectory(tmp.resolve("node" + i)), yaml, env));
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(GatewayFixture::close);
    if (server != null) {
      server.close();
    }
  }

  /** {@code secureyeoman ARGS} in a child JVM with the cluster's environment: exit code, stdout, stderr. */
  private record Cli(int code, String out, String err) {}

  private Cli cli(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SecureYeomanCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SECUREYEOMAN_"));
    pb.environment().put(PASSWORD_VAR, env.get(PASSWORD_VAR));
    pb.environment().put("SECUREYEOMAN_AUDIT_KEY", env.get("SECUREYEOMAN_AUDIT_KEY"));
    File out = tmp.resolve("cli.out").toFile();
    File err = tmp.resolve("cli.err").toFile();
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI did not finish");
    return new Cli(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> login(GatewayFixture n) throws Exception {
    return n.post(
        "/api/v1/auth/login",
        JSON.writeValueAsString(Map.of("username", "admin", "password", ADMIN_PASSWORD, "rememberMe", false)));
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void assertJsonErrorWithoutTrace(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(json(r).has("error"), r.body());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("jdbc:"), r.body());
  }

  /** /healthz after the 1 s cache of every node has run out (ticker moved, no sleep). */
  private static JsonNode health(GatewayFixture n, int status) throws Exception {
    n.ticker.addAndGet(2_000_000_000L);
    HttpResponse<String> h = n.get("/healthz");
    assertEquals(status, h.statusCode(), h.body());
    return json(h);
  }

  @Test
  void auditOfThreeNodes_oneChainTheCliAccepts_tamperedRowFailsCliAndEveryNodeFailsClosed() throws Exception {
    List<String> tokens = new ArrayList<>();
    for (GatewayFixture n : nodes) {
      HttpResponse<String> r = login(n);
      assertEquals(200, r.statusCode(), r.body());
      tokens.add(json(r).get("accessToken").asText());
      JsonNode h = health(n, 200);
      assertEquals("postgres", h.get("audit").get("engine").asText(), h.toString());
      assertEquals("full", h.get("audit").get("maintenance").asText(), h.toString());
    }
    // one chain holds every node's entries: each node's gateway.started (its own port) and three logins
    List<AuditEntry> started =
        nodes.get(0).gateway.audit().query(AuditQuery.builder().event("gateway.started").limit(10).build());
    Set<Object> ports = new TreeSet<>();
    started.forEach(e -> ports.add(String.valueOf(e.metadata().get("port"))));
    assertEquals(
        Set.of(nodes.get(0).gateway.port(), nodes.get(1).gateway.port(), nodes.get(2).gateway.port()).size(),
        ports.size(),
        ports.toString());
    long entries = count("SELECT count(*) FROM audit_log");
    assertEquals(entries, count("SELECT max(seq) FROM audit_log"), "dense seqs 1..n");
    assertEquals(3, count("SELECT count(*) FROM audit_log WHERE event = 'auth.login.success'"));

    Cli ok = cli("audit", "verify", "--config", config.toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("OK: " + entries + " entries (seq 1.." + entries + ")"), ok.out());

    // the attack: the second node's login entry rewritten with plain SQL
    long seq = count("SELECT min(seq) FROM audit_log WHERE event = 'auth.login.success' AND seq > ("
        + "SELECT min(seq) FROM audit_log WHERE event = 'auth.login.success')");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE audit_log SET actor = 'mallory' WHERE seq = " + seq));
    }
    Cli bad = cli("audit", "verify", "--config", config.toString());
    assertEquals(1, bad.code(), bad.out());
    assertTrue(bad.err().startsWith("error: verification FAILED at seq " + seq + ": ENTRY_ALTERED"), bad.err());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());

    // every node reports it and refuses audited writes: no login (no session without its audit entry), no kill switch
    long sessions = count("SELECT count(*) FROM sessions");
    long rows = count("SELECT count(*) FROM audit_log");
    for (int i = 0; i < 3; i++) {
      GatewayFixture n = nodes.get(i);
      JsonNode h = health(n, 503);
      assertTrue(h.get("audit").get("read_only").asBoolean(), h.toString());
      assertJsonErrorWithoutTrace(login(n), 503);
      HttpResponse<String> ks =
          n.post(
              "/api/v1/admin/kill-switch",
              "{\"engaged\":true,\"reason\":\"drill\"}",
              "Authorization",
              bearer(tokens.get(i)));
      assertJsonErrorWithoutTrace(ks, 503);
      assertFalse(n.gateway.killSwitch().isEngaged(), "not engaged without its audit entry");
    }
    assertEquals(sessions, count("SELECT count(*) FROM sessions"), "no session was issued");
    assertEquals(rows, count("SELECT count(*) FROM audit_log"), "nothing was appended");

    // the operator investigates and acknowledges with the CLI: every node is writable again
    Cli ack = cli("audit", "acknowledge-tampering", "--config", config.toString(), "--reason", "drill, ticket 18");
    assertEquals(0, ack.code(), ack.err());
    for (GatewayFixture n : nodes) {
      JsonNode h = health(n, 200);
      assertFalse(h.get("audit").get("read_only").asBoolean(), h.toString());
      assertEquals(200, login(n).statusCode());
    }
  }

  @Test
  void postgresStopped_auditedRequests503Json_noSessionIssued_nodesRecoverAfterRestart() throws Exception {
    HttpResponse<String> first = login(nodes.get(0));
    assertEquals(200, first.statusCode(), first.body());
    String token = json(first).get("accessToken").asText();
    long sessions = count("SELECT count(*) FROM sessions");

    server.stop();
    for (GatewayFixture n : nodes) {
      assertJsonErrorWithoutTrace(login(n), 503);
      // a token needs the revocation feed: secure-auth refuses what it cannot check, as unavailable (503), not as
      // invalid (a 401 would make clients drop a good token); a node whose poll is not due yet lets the request
      // through and the audit write fails (503); either way nothing changes
      HttpResponse<String> ks =
          n.post("/api/v1/admin/kill-switch", "{\"engaged\":true,\"reason\":\"drill\"}", "Authorization",
              bearer(token));
      assertJsonErrorWithoutTrace(ks, 503);
      assertFalse(n.gateway.killSwitch().isEngaged());
      JsonNode h = health(n, 503);
      assertTrue(h.get("audit").get("unavailable").asBoolean(), h.toString());
    }

    server.restart();
    for (GatewayFixture n : nodes) {
      int status = 0;
      for (int i = 0; i < 30 && status != 200; i++) { // the pools reconnect on their own (<= 5 s backoff)
        status = login(n).statusCode();
      }
      assertEquals(200, status);
      health(n, 200);
    }
    // the refused logins left nothing behind: 1 + 3 sessions, one login entry per session, and the chain verifies
    assertEquals(sessions + 3, count("SELECT count(*) FROM sessions"));
    assertEquals(4, count("SELECT count(*) FROM audit_log WHERE event = 'auth.login.success'"));
    Cli ok = cli("audit", "verify", "--config", config.toString());
    assertEquals(0, ok.code(), ok.err());
  }
}
