package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.MaintenanceReport;
import dev.secureyeoman.examples.gateway.GatewayHealth;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} follows the audit store's fail-closed state while the gateway runs (issue 17), on a real gateway. */
class GatewayHealthTest {
  @TempDir Path tmp;

  @Test
  void healthz_tamperedThenMaintenance_503ReadOnly_acknowledged_200Degraded() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      JsonNode before = GatewayFixture.json(f.get("/healthz"));
      assertEquals("ok", before.get("status").asText(), before.toString());
      assertFalse(before.get("audit").get("read_only").asBoolean());

      // someone with write access edits an entry in the database file behind the running gateway
      Path db = f.dataDir.resolve("data/audit.db");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          Statement st = c.createStatement()) {
        st.execute("DROP TRIGGER audit_log_append_only"); // the file's owner can drop the store's guard
        assertEquals(1, st.executeUpdate("UPDATE audit_log SET message = 'nothing happened' WHERE seq = 1"));
      }
      // the next maintenance run (the scheduler's job, run now) verifies the whole log and finds it
      MaintenanceReport r = f.gateway.runMaintenanceNow();
      assertFalse(r.ok(), r.toString());
      HttpResponse<String> h = f.get("/healthz");
      assertEquals(503, h.statusCode(), h.body());
      JsonNode tampered = GatewayFixture.json(h);
      assertEquals("degraded", tampered.get("status").asText());
      assertFalse(tampered.get("audit").get("verified").asBoolean());
      assertTrue(tampered.get("audit").get("read_only").asBoolean(), h.body());
      assertEquals(503, head(f), "HEAD answers the same status");
      // and it is the store's real state: an append is refused
      AuditException refused =
          assertThrows(
              AuditException.class, () -> f.gateway.audit().append(AuditEvent.builder("after.tamper").build()));
      assertEquals(AuditException.Reason.TAMPERED, refused.reason());

      // the host investigates and resumes (an acknowledgement outside the maintenance path, e.g. another process)
      f.gateway.audit().acknowledgeTampering("ticket SEC-42: row 1 restored from backup");
      f.ticker.addAndGet(GatewayHealth.REFRESH_NANOS); // the state is re-read at most once per second
      HttpResponse<String> after = f.get("/healthz");
      assertEquals(200, after.statusCode(), after.body());
      JsonNode resumed = GatewayFixture.json(after);
      assertFalse(resumed.get("audit").get("read_only").asBoolean(), after.body());
      assertEquals("degraded", resumed.get("status").asText(), "the evidence is still in the log");
      assertEquals(200, head(f));
      f.gateway.audit().append(AuditEvent.builder("after.ack").build()); // writable again
    }
  }

  @Test
  void healthz_readOnlySetByAnotherVerify_seenAfterTheRefreshPeriod() throws Exception {
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      assertEquals(200, f.get("/healthz").statusCode());
      Path db = f.dataDir.resolve("data/audit.db");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          Statement st = c.createStatement()) {
        st.execute("DROP TRIGGER audit_log_append_only");
        st.executeUpdate("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1");
      }
      // a verification outside maintenance (an operator's check through the store) records the failure in the database
      assertFalse(f.gateway.audit().verify(dev.secureyeoman.audit.VerifyOptions.defaults()).valid());
      f.ticker.addAndGet(GatewayHealth.REFRESH_NANOS);
      HttpResponse<String> h = f.get("/healthz");
      assertEquals(503, h.statusCode(), h.body());
      assertTrue(GatewayFixture.json(h).get("audit").get("read_only").asBoolean(), h.body());
    }
  }

  private static int head(GatewayFixture f) throws Exception {
    return f.http
        .send(
            HttpRequest.newBuilder(URI.create(f.base() + "/healthz"))
                .timeout(Duration.ofSeconds(30))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
