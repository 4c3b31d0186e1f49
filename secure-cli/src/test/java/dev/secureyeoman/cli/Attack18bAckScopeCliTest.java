package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.ChildJvm;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red team (attack18b): a decoy edit reported by {@code verify} (only the first break is ever reported) plus hidden
 * edits further on. {@code acknowledge-tampering} covers every break of the log at that moment, so the operator who
 * investigated the reported one must at least be told what the acknowledgement covers.
 */
class Attack18bAckScopeCliTest {

  @Test
  void acknowledge_decoyPlusHiddenEdits_outputNamesEveryRangeItCovers(@TempDir Path dir) throws Exception {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    String keyB64 = Base64.getEncoder().encodeToString(k);
    Path db = dir.resolve("audit.db");
    try (AuditStore store = SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(SecretBytes.copyOf(k)).build())) {
      for (int i = 0; i < 100; i++) {
        store.append(AuditEvent.builder("test.event").actor("alice").message("entry " + i).build());
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      List<String> triggers = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'trigger'")) {
        while (rs.next()) {
          triggers.add(rs.getString(1));
        }
      }
      for (String t : triggers) {
        s.execute("DROP TRIGGER \"" + t + "\"");
      }
      s.execute("UPDATE audit_log SET actor = 'decoy' WHERE seq = 5");
      s.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq IN (50, 80)");
    }
    // a node's own verification records the failure (on SQLite the CLI's verify is read-only)
    try (AuditStore store = SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(SecretBytes.copyOf(k)).build())) {
      assertTrue(!store.verify().valid());
      assertTrue(store.tamperingDetected().isPresent());
    }
    ChildJvm.Result verify =
        ChildJvm.builder(SecureYeomanCli.class)
            .env("SECUREYEOMAN_AUDIT_KEY", keyB64)
            .args("audit", "verify", "--db", db.toString())
            .run(Duration.ofSeconds(120));
    assertEquals(1, verify.exitCode(), verify.stdout() + verify.stderr());
    assertTrue(verify.stderr().contains("seq 5"), verify.stderr());
    // the operator was shown seq 5 only
    assertTrue(!verify.stderr().contains("50") && !verify.stdout().contains("50"), verify.stdout() + verify.stderr());

    ChildJvm.Result ack =
        ChildJvm.builder(SecureYeomanCli.class)
            .env("SECUREYEOMAN_AUDIT_KEY", keyB64)
            .args("audit", "acknowledge-tampering", "--db", db.toString(), "--reason", "SEC-1: seq 5 investigated")
            .run(Duration.ofSeconds(120));
    assertEquals(0, ack.exitCode(), ack.stdout() + ack.stderr());
    assertTrue(ack.stdout().contains("acknowledged at seq 101"), ack.stdout());
    // what the acknowledgement silently covers besides the reported break must be shown to the operator
    assertTrue(
        ack.stdout().contains("covers broken seq ranges: 5-5:ALTERED, 50-50:ALTERED, 80-80:ALTERED"),
        "acknowledge-tampering covered the hidden edits at 50 and 80 without saying so: " + ack.stdout());
  }
}
