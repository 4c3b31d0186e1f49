package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigAdapterTest {
  @TempDir Path dir;

  private final KeyPair keys = CheckpointKeys.deriveFromAuditKey(TestSupport.key(1));

  @Test
  void defaults_mapToSpecifiedRetentionAndInterval() {
    SecurityConfig.Audit audit = SecurityConfig.defaults().audit();
    AuditMaintenanceSettings s = AuditMaintenanceSettings.fromConfig(audit);
    assertEquals(RetentionPolicy.defaults(), s.retention());
    assertEquals(Duration.ofHours(1), s.interval());
    assertTrue(s.checkpoint() && s.verify());
    assertEquals(new RetentionPolicy(90, 1_000_000), RetentionPolicy.fromConfig(audit));
  }

  private SecurityConfig load(String yaml) throws Exception {
    Path f = dir.resolve("app.yaml");
    java.nio.file.Files.writeString(f, yaml);
    return EncryptedConfigLoader.builder().build().load(f);
  }

  @Test
  void fullVerifyEvery_fromYaml_reachesMaintenance_defaultWhenAbsent() throws Exception {
    assertEquals(24, load("security: {audit: {retention_days: 7}}\n").audit().fullVerifyEvery());
    assertEquals(24, AuditMaintenanceSettings.fromConfig(SecurityConfig.defaults().audit()).fullVerifyEvery());
    SecurityConfig.Audit audit = load("security: {audit: {full_verify_every: 2}}\n").audit();
    assertEquals(2, audit.fullVerifyEvery());
    // the configured period drives which maintenance runs verify the whole log
    java.util.concurrent.ScheduledExecutorService ses = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try (AuditStore s = new TestSupport.Checkpointed(dir).open()) {
      AuditMaintenance m =
          AuditMaintenance.builder(s, AuditMaintenanceSettings.fromConfig(audit)).scheduler(ses).build();
      boolean[] full = new boolean[4];
      for (int run = 0; run < full.length; run++) {
        TestSupport.appendN(s, 3, "r" + run);
        MaintenanceReport r = m.runOnce();
        assertTrue(r.ok(), String.valueOf(r));
        full[run] = !r.verification().orElseThrow().incremental();
      }
      assertTrue(full[0] && !full[1] && full[2] && !full[3], java.util.Arrays.toString(full));
    } finally {
      ses.shutdownNow();
    }
  }

  @Test
  void fullVerifyEvery_outOfRange_isAConfigErrorNamingTheKey() {
    for (String v : new String[] {"0", "-1", "10001"}) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> load("security: {audit: {full_verify_every: " + v + "}}\n"));
      java.util.List<String> lines = e.violations().stream().map(ConfigViolation::toString).toList();
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).startsWith("security.audit.full_verify_every: must be "), lines.get(0));
    }
    assertEquals(10_000, assertDoesNotThrowLoad("10000"));
    assertEquals(1, assertDoesNotThrowLoad("1"));
  }

  private int assertDoesNotThrowLoad(String v) {
    return org.junit.jupiter.api.Assertions.assertDoesNotThrow(
            () -> load("security: {audit: {full_verify_every: " + v + "}}\n"))
        .audit()
        .fullVerifyEvery();
  }

  @Test
  void customConfig_opensStoreWithCheckpointsAndMaintenance() throws Exception {
    SecurityConfig.Audit audit =
        new SecurityConfig.Audit("db/audit.db", 7, 50, Duration.ofMinutes(5), "checkpoints/audit.cp");
    try (AuditStore store =
        SqliteAuditStore.open(AuditStoreOptions.builder(audit, dir, TestSupport.key(1), keys).build())) {
      for (int i = 0; i < 60; i++) {
        store.append(AuditEvent.builder("e").build());
      }
      AuditMaintenance m =
          AuditMaintenance.builder(store, AuditMaintenanceSettings.fromConfig(audit))
              .scheduler(java.util.concurrent.Executors.newSingleThreadScheduledExecutor())
              .build();
      MaintenanceReport r = m.runOnce();
      assertTrue(r.ok(), r.toString());
      assertEquals(11, r.purged());
      assertEquals(61, r.checkpoint().orElseThrow().seq());
      assertTrue(java.nio.file.Files.exists(dir.resolve("checkpoints/audit.cp")));
      assertTrue(java.nio.file.Files.exists(dir.resolve("db/audit.db")));
    }
  }

  @Test
  void checkpointFileNextToTheDatabase_isRefused() throws Exception {
    // the shipped defaults keep the checkpoints out of data/, so they open as they are
    try (AuditStore s =
        SqliteAuditStore.open(
            AuditStoreOptions.builder(SecurityConfig.defaults().audit(), dir, TestSupport.key(1), keys).build())) {
      assertTrue(s.checkpointsConfigured());
    }
    // both under data/: a rollback of that directory would roll back both
    SecurityConfig.Audit audit =
        new SecurityConfig.Audit("data/audit.db", 90, 1_000_000L, Duration.ofHours(1), "data/audit.checkpoints");
    assertThrows(
        IllegalArgumentException.class,
        () -> AuditStoreOptions.builder(audit, dir, TestSupport.key(1), keys).build());
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.fromConfig(null));
    assertThrows(IllegalArgumentException.class, () -> AuditMaintenanceSettings.fromConfig(null));
  }
}
