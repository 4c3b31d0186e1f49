package dev.secureyeoman.core;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import dev.secureyeoman.core.internal.Argon2id;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.core.killswitch.KillSwitch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Child JVM of {@link OptionalDependenciesTest}: runs on a class path from which the test removed some of secure-core's
 * optional libraries and prints one {@code name=outcome} line per feature ({@code ok}, or the exception's class, cause
 * class and message). Never throws: a {@link NoClassDefFoundError} is printed like any other outcome.
 */
public final class OptionalDependenciesChild {
  private OptionalDependenciesChild() {}

  /**
   * Entry point.
   *
   * @param args a scratch directory
   */
  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) 7);
    byte[] aad = EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
    String yaml = "security:\n  audit:\n    retention_days: 30\n";

    report("probe.snakeyaml", () -> Class.forName("org.yaml.snakeyaml.Yaml").getName());
    report("probe.bouncycastle",
        () -> Class.forName("org.bouncycastle.crypto.generators.Argon2BytesGenerator").getName());
    // the envelope with a raw key: encrypt, decrypt, and tampering detected
    report("envelope", () -> {
      SecretStore store = SecretStores.withKey(SecretBytes.copyOf(raw));
      byte[] env = store.encrypt("hello".getBytes(StandardCharsets.UTF_8), aad);
      String back = new String(store.decrypt(env, aad), StandardCharsets.UTF_8);
      env[env.length - 1] ^= 1;
      try {
        store.decrypt(env, aad);
        return "tampered envelope accepted";
      } catch (EnvelopeException expected) {
        return back + "/" + expected.reason();
      }
    });
    // decrypting a configuration file needs no parsing library
    report("config.readText", () -> {
      Path file = dir.resolve("app.enc.yaml");
      Files.write(file, EnvelopeArmor.armor(EnvelopeCipher.create().encrypt(yaml.getBytes(StandardCharsets.UTF_8), aad,
          RecipientKey.raw(SecretBytes.copyOf(raw)))));
      EncryptedConfigLoader loader =
          EncryptedConfigLoader.builder().keySource(KeySource.fixed(SecretBytes.copyOf(raw))).build();
      return loader.readText(file).equals(yaml) ? "decrypted" : "wrong text";
    });
    report("config.parse", () -> {
      SecurityConfig c = EncryptedConfigLoader.builder().build().parseSecurityConfig(yaml);
      return "retention_days=" + c.audit().retentionDays();
    });
    report("config.load", () -> {
      Path file = dir.resolve("app.yaml");
      Files.writeString(file, yaml);
      return "retention_days=" + EncryptedConfigLoader.builder().build().load(file).audit().retentionDays();
    });
    report("config.defaults", () -> "retention_days=" + SecurityConfig.defaults().audit().retentionDays());
    report("argon2id", () -> Argon2id.derive(new byte[] {1}, new byte[16], 64, 1, 1, 32).length + " bytes");
    report("envelope.passphrase", () -> {
      EnvelopeCipher.create().encrypt(new byte[] {1}, aad, RecipientKey.passphrase("a long passphrase".toCharArray()));
      return "encrypted";
    });
    report("killswitch", () -> KillSwitch.builder(dir.resolve("ks.json")).build().state().engaged() + "");
  }

  private interface Action {
    String run() throws Exception;
  }

  private static void report(String name, Action action) {
    String outcome;
    try {
      outcome = "ok " + action.run();
    } catch (Throwable t) { // NoClassDefFoundError included: that is what the test must not see
      outcome = t.getClass().getName()
          + (t.getCause() == null ? "" : " cause " + t.getCause().getClass().getName())
          + " " + String.valueOf(t.getMessage()).replace('\n', ' ');
    }
    System.out.println(name + "=" + outcome);
  }
}
