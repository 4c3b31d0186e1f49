package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.MaintenanceReport;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18c) of the degraded start under a wrong audit key (SQLite, the default engine): the gateway starts
 * with {@code /healthz} 503, but must neither append (nothing under the wrong key, no {@code gateway.started}) nor
 * serve an audited request without its entry, nor lock the log for the right key; restarted with the right key it is
 * healthy again.
 */
class Attack18cGatewayWrongKeyTest {
  @TempDir Path tmp;

  @Test
  void wrongAuditKey_startsDegraded_appendsNothing_loginsRefused_rightKeyNotLocked() throws Exception {
    Path db;
    Path cp;
    long headBefore;
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      assertEquals(200, f.get("/healthz").statusCode());
      f.login("admin", GatewayFixture.ADMIN_PASSWORD, false);
      db = f.dataDir.resolve("data/audit.db");
      cp = f.dataDir.resolve("checkpoints/audit.checkpoints");
      headBefore = f.gateway.audit().head().orElseThrow().seq();
      f.stop();

      byte[] wrong = new byte[32];
      new SecureRandom().nextBytes(wrong);
      f.env.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(wrong));
      f.start();
      HttpResponse<String> h = f.get("/healthz");
      assertEquals(503, h.statusCode(), h.body());
      HttpResponse<String> login =
          f.post("/api/v1/auth/login", GatewayFixture.JSON.writeValueAsString(
              Map.of("username", "admin", "password", GatewayFixture.ADMIN_PASSWORD, "rememberMe", false)));
      assertEquals(503, login.statusCode(), "a login the audit log cannot record must not succeed: " + login.body());
      assertFalse(login.body().contains("accessToken"), login.body());
      MaintenanceReport r = f.gateway.runMaintenanceNow();
      assertFalse(r.ok(), r.toString());
      f.stop();

      // the right key: nothing was appended, nothing recorded, the chain and checkpoints verify
      byte[] right = Base64.getMimeDecoder().decode(Files.readString(f.dataDir.resolve("keys/audit.key")).strip());
      try (SecretBytes k = SecretBytes.copyOf(right);
          AuditStore s = SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(k)
              .checkpoints(CheckpointSinks.appendOnlyFile(cp), CheckpointKeys.deriveFromAuditKey(k)).build())) {
        assertEquals(headBefore, s.head().orElseThrow().seq(), "nothing appended under the wrong key");
        assertTrue(s.tamperingDetected().isEmpty(), "the wrong key did not lock the log for the right one");
        assertTrue(s.verify().valid());
      }

      f.env.remove("SECUREYEOMAN_AUDIT_KEY");
      f.start();
      assertEquals(200, f.get("/healthz").statusCode());
      f.login("admin", GatewayFixture.ADMIN_PASSWORD, false);
    }
  }
}
