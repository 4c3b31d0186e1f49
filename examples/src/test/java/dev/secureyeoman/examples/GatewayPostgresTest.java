package dev.secureyeoman.examples;

import static dev.secureyeoman.examples.GatewayFixture.ADMIN_PASSWORD;
import static dev.secureyeoman.examples.GatewayFixture.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.MaintenanceReport;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with {@code security.storage: postgres}: two gateways ("nodes", each with its own data directory) share
 * the auth database on a testkit PostgreSQL server. A login on one is honoured by the other, a logout on one is
 * enforced by the other within the revocation bound (1 s on the fake clock), and a stopped database answers 503 until
 * it is back.
 */
@EnabledIf(value = "dev.secureyeoman.examples.GatewayPostgresTest#available", disabledReason =
    "PostgreSQL 15 binaries missing under /usr/lib/postgresql/15/bin (apt-get install postgresql): skipped")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GatewayPostgresTest {
  static final String PASSWORD_VAR = "SY_TEST_PG_PASSWORD";
  static final String LOGIN = "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}";

  @TempDir Path tmp;
  PostgresServer server;
  PostgresDatabase db;
  GatewayFixture one;
  GatewayFixture two;

  static boolean available() {
    return PostgresServer.shouldRun();
  }

  @BeforeEach
  void start() throws Exception {
    server = PostgresServer.start();
    db = server.createDatabase();
    String config =
        GatewayFixture.DEFAULT_CONFIG
            + "  storage: { engine: postgres, url: '" + db.jdbcUrl() + "', user: " + db.user()
            + ", password_env: " + PASSWORD_VAR + " }\n"
            + "  audit: { max_entries: 6 }\n";
    // nodes share the auth master key (tokens signed on one verify on the other) and the audit key (one chain)
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    byte[] auditKey = new byte[32];
    new java.security.SecureRandom().nextBytes(auditKey);
    Map<String, String> env =
        Map.of(
            PASSWORD_VAR, db.password(),
            "SECUREYEOMAN_AUTH_KEY", java.util.Base64.getEncoder().encodeToString(key),
            "SECUREYEOMAN_AUDIT_KEY", java.util.Base64.getEncoder().encodeToString(auditKey));
    Files.createDirectories(tmp.resolve("node1"));
    Files.createDirectories(tmp.resolve("node2"));
    one = new GatewayFixture(tmp.resolve("node1"), config, env);
    two = new GatewayFixture(tmp.resolve("node2"), config, env);
  }

  @AfterEach
  void stop() {
    if (two != null) {
      two.close();
    }
    if (one != null) {
      one.close();
    }
    server.close();
  }

  @Test
  void loginOnOne_acceptedOnTwo_logoutOnTwo_rejectedOnOneWithinTheBound() throws Exception {
    String token = one.login("admin", ADMIN_PASSWORD, false).get("accessToken").asText();
    assertEquals(200, one.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    assertEquals(200, two.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    assertEquals(204, two.post("/api/v1/auth/logout", null, "Authorization", bearer(token)).statusCode());
    assertEquals(401, two.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    one.clock.advance(Duration.ofSeconds(1));
    assertEquals(401, one.get("/api/v1/audit/verify", "Authorization", bearer(token)).statusCode());
    // the admin's password lives in the shared database: a fresh login works on either node
    String fresh = two.login("admin", ADMIN_PASSWORD, false).get("accessToken").asText();
    assertEquals(200, one.get("/api/v1/audit/verify", "Authorization", bearer(fresh)).statusCode());
  }

  @Test
  void maintenanceOnPostgres_retentionAndCheckpointsOnBothNodes_incrementalStart_tamperFoundByOneClosesBoth()
      throws Exception {
    for (int i = 0; i < 4; i++) { // audit entries from both nodes: gateway.started x2, bootstrap, 8 logins
      assertEquals(200, one.post("/api/v1/auth/login", LOGIN).statusCode());
      assertEquals(200, two.post("/api/v1/auth/login", LOGIN).statusCode());
    }
    MaintenanceReport r = one.gateway.runMaintenanceNow();
    assertTrue(r.ok(), String.valueOf(r.failure()));
    assertTrue(r.verification().orElseThrow().valid());
    assertTrue(r.purged() > 0, "retention (max_entries 6) ran on PostgreSQL: purged " + r.purged());
    assertTrue(r.checkpoint().isPresent(), "node 1 signed a checkpoint");
    // node 2 (its own checkpoint file, started when it joined the log) maintains the same chain after node 1's purge
    MaintenanceReport r2 = two.gateway.runMaintenanceNow();
    assertTrue(r2.ok(), String.valueOf(r2.failure()) + r2.verification());
    assertTrue(r2.checkpoint().isPresent());
    HttpResponse<String> h = one.get("/healthz");
    assertEquals(200, h.statusCode(), h.body());
    assertTrue(h.body().contains("\"engine\":\"postgres\",\"maintenance\":\"full\""), h.body());

    // a restart verifies incrementally from this node's newest checkpoint
    one.restart();
    assertTrue(one.gateway.startVerification().valid(), one.gateway.startVerification().summary());
    assertTrue(one.gateway.startVerification().incremental(), one.gateway.startVerification().summary());

    long first;
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs = s.executeQuery("SELECT max(seq) FROM audit_log")) {
        rs.next();
        first = rs.getLong(1);
      }
      assertEquals(1, s.executeUpdate("UPDATE audit_log SET message = 'edited' WHERE seq = " + first));
    }
    MaintenanceReport bad = two.gateway.runMaintenanceNow();
    assertFalse(bad.ok());
    assertEquals(first, bad.verification().orElseThrow().firstBrokenSeq().orElseThrow());
    one.ticker.addAndGet(2_000_000_000L); // past node 1's 1 s health cache
    HttpResponse<String> closed = one.get("/healthz");
    assertEquals(503, closed.statusCode(), closed.body());
    assertTrue(closed.body().contains("\"read_only\":true"), closed.body());
  }

  @Test
  void databaseStopped_login503_noSecretInTheBody_thenRecoversAfterRestart() throws Exception {
    server.stop();
    HttpResponse<String> down =
        one.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
    assertEquals(503, down.statusCode(), down.body());
    assertFalse(down.body().contains(ADMIN_PASSWORD));
    assertFalse(down.body().contains("jdbc:"), down.body());
    server.restart();
    int status = 0;
    for (int i = 0; i < 30 && status != 200; i++) { // the pool reconnects on its own within its backoff (<= 5 s)
      status =
          one.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}")
              .statusCode();
    }
    assertEquals(200, status);
  }
}
