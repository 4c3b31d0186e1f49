package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.examples.gateway.GatewayStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up of the gateway with {@code security.storage: postgres} when it cannot work: no shared audit key, or no
 * server. One {@code error:} line, exit 1, never the password or URL parameters, nothing left running.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayStorageTest {
  @TempDir Path tmp;

  private Path config(String url) throws Exception {
    Path f = tmp.resolve("gateway.yaml");
    Files.writeString(
        f,
        "security:\n  storage: { engine: postgres, url: '" + url + "', user: sy, password_env: SY_PG_PASSWORD }\n");
    return f;
  }

  private record Launch(int code, String out, String err) {}

  private Launch launch(Path config, Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        GatewayMain.launch(
            new String[] {"--port", "0", "--data-dir", tmp.resolve("data").toString(), "--config", config.toString()},
            env::get,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Launch(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void postgres_withoutSharedAuditKey_refused() throws Exception {
    Launch l =
        launch(config("jdbc:postgresql://127.0.0.1:" + closedPort() + "/sy"), Map.of("SY_PG_PASSWORD", "pw-secret"));
    assertEquals(1, l.code());
    assertTrue(l.err().startsWith("error: security.storage: postgres needs SECUREYEOMAN_AUDIT_KEY"), l.err());
    assertEquals(1, l.err().strip().lines().count(), l.err());
    assertFalse(Files.exists(tmp.resolve("data/keys/audit.key")), "no per-node audit key generated");
  }

  @Test
  void postgres_serverUnreachable_oneErrorLine_noSecrets_dataDirReleased() throws Exception {
    int port = closedPort();
    Path cfg = config("jdbc:postgresql://127.0.0.1:" + port + "/sy?password=url-secret-never-printed");
    Map<String, String> env =
        Map.of(
            "SY_PG_PASSWORD", "pg-secret-never-printed",
            "SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(new byte[32]));
    Launch l = launch(cfg, env);
    assertEquals(1, l.code());
    assertTrue(
        l.err().startsWith(
            "error: audit log on PostgreSQL at jdbc:postgresql://127.0.0.1:" + port + "/sy?\u2026 unavailable: "),
        l.err());
    assertEquals(1, l.err().strip().lines().count(), l.err());
    assertFalse(l.err().contains("never-printed") || l.out().contains("never-printed"), l.err());
    // everything opened was closed again: the data directory is free for the next start
    assertEquals(1, launch(cfg, env).code());
  }

  @Test
  @org.junit.jupiter.api.condition.EnabledIf("dev.secureyeoman.testkit.PostgresServer#shouldRun")
  void postgres_authAndAuditPools_namedApart_onTheServer() throws Exception {
    dev.secureyeoman.testkit.PostgresDatabase db = dev.secureyeoman.testkit.PostgresServer.shared().createDatabase();
    dev.secureyeoman.core.config.SecurityConfig d = dev.secureyeoman.core.config.SecurityConfig.defaults();
    dev.secureyeoman.core.config.SecurityConfig cfg =
        new dev.secureyeoman.core.config.SecurityConfig(
            d.audit(), d.auth(), d.http(), d.sandbox(), d.integrations(),
            new dev.secureyeoman.core.config.SecurityConfig.Storage(
                dev.secureyeoman.core.config.SecurityConfig.Storage.Engine.POSTGRES, db.jdbcUrl(), db.user(),
                "SY_PG_PASSWORD", ""));
    byte[] k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    try (dev.secureyeoman.core.SecretBytes key = dev.secureyeoman.core.SecretBytes.copyOf(k);
        GatewayStorage storage =
            GatewayStorage.open(cfg, tmp.resolve("data"), Map.of("SY_PG_PASSWORD", db.password())::get, key,
                java.time.Clock.systemUTC());
        java.sql.Connection c = storage.authDataSource().getConnection();
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT string_agg(DISTINCT application_name, ',' ORDER BY"
            + " application_name) FROM pg_stat_activity WHERE datname = current_database()")) {
      rs.next();
      assertEquals("secureyeoman-audit,secureyeoman-auth", rs.getString(1));
      assertEquals(GatewayStorage.AUDIT_POOL_NAME, "secureyeoman-audit");
    }
  }

  @Test
  void redactUrl_keepsHostPortDatabaseOnly() {
    assertEquals(
        "jdbc:postgresql://db.internal:5432/sy?\u2026",
        GatewayStorage.redactUrl("jdbc:postgresql://admin:hunter2@db.internal:5432/sy?password=x&ssl=true"));
    assertEquals("jdbc:postgresql://db/sy", GatewayStorage.redactUrl("jdbc:postgresql://db/sy"));
    assertEquals("(no url)", GatewayStorage.redactUrl(null));
  }
}
