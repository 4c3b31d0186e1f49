package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin host with real parts: an encrypted config file and the SQLite audit store. */
class PluginHostIntegrationTest {
  private static final String SECRET_GREETING = "tok-3f9a1c77e2b84d55";

  @TempDir Path dir;
  @TempDir Path work;

  private static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  private Path encryptedConfig(byte[] key) throws Exception {
    String yaml = "integrations:\n  alpha: { greeting: " + SECRET_GREETING + " }\n";
    byte[] envelope = EnvelopeCipher.create().encrypt(yaml.getBytes(StandardCharsets.UTF_8),
        EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII),
        RecipientKey.raw(SecretBytes.copyOf(key)));
    return Files.write(work.resolve("app.enc.yaml"), EnvelopeArmor.armor(envelope));
  }

  @Test
  void encryptedConfigAndSqliteAudit_lifecycleRecordedWithShaAndSecretNeverLogged() throws Exception {
    Path config = encryptedConfig(key(1));
    Path jar = plugin("alpha").writeTo(dir, "alpha.jar");
    plugin("telegram").writeTo(dir, "telegram.jar");
    try (AuditStore store = SqliteAuditStore.open(AuditStoreOptions.builder(work.resolve("audit.db"))
            .macKey(SecretBytes.copyOf(key(9))).build());
        PluginLoader loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
        IntegrationManager manager = IntegrationManager.builder().auditSink(store).inboundSink(new Inbox())
            .configSource(PluginConfigSource.fromFile(config, KeySource.fixed(SecretBytes.copyOf(key(1))))).build()) {
      List<PluginException> failures = manager.registerAll(loader.scan());
      assertEquals(List.of(Reason.BUILTIN_ID), failures.stream().map(PluginException::reason).toList());
      manager.startAll();
      assertEquals("v1|" + SECRET_GREETING + "|3|general|x",
          manager.send(OutboundMessage.to(new ThreadKey("alpha", "c", "main"), "x")).messageId(),
          "the plugin got the value from the encrypted file");
      manager.unregister("alpha");

      String sha = PluginLoaderTest.sha256(jar);
      List<AuditEntry> registered = store.query(AuditQuery.builder().event("integration.registered").build());
      assertEquals(sha, registered.get(0).metadata().get("sha256"));
      assertEquals(1, store.query(AuditQuery.builder().event("integration.rejected").build()).size());
      assertEquals(1, store.query(AuditQuery.builder().event("integration.started").build()).size());
      assertEquals(1, store.query(AuditQuery.builder().event("integration.unregistered").build()).size());
      assertTrue(store.verify().valid(), "the chain verifies");
      for (AuditEntry e : store.query(AuditQuery.builder().limit(1000).build())) {
        assertFalse(e.toString().contains(SECRET_GREETING), "configuration values never reach the audit log");
      }
    }
  }

  @Test
  void encryptedConfig_wrongKey_configInvalidWithoutPlaintext() throws Exception {
    Path config = encryptedConfig(key(1));
    plugin("alpha").writeTo(dir, "alpha.jar");
    try (PluginLoader loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
        IntegrationManager manager = IntegrationManager.builder().auditSink(new RecordingAudit())
            .inboundSink(new Inbox())
            .configSource(PluginConfigSource.fromFile(config, KeySource.fixed(SecretBytes.copyOf(key(2))))).build()) {
      PluginException e = assertThrows(PluginException.class,
          () -> manager.register(loader.load(dir.resolve("alpha.jar"))));
      assertEquals(Reason.CONFIG_INVALID, e.reason());
      assertTrue(e.getMessage().contains("cannot decrypt"), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET_GREETING));
    }
  }
}
