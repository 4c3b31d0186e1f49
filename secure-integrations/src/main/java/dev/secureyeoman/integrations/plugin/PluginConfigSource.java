package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.crypto.KeySource;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where the {@link IntegrationManager} gets each integration's configuration: bound to the integration's
 * {@code configType()} with unknown keys rejected, and validated. Secrets such as bot tokens belong here (an encrypted
 * config file), never in the plugin jar.
 *
 * <p>The standard source reads the section {@code <root>.<integration-id>} of a plain or encrypted YAML file through
 * {@link EncryptedConfigLoader#load(Path, String, Class)}:
 *
 * <pre>
 * integrations:
 *   echo:
 *     prefix: "echo: "
 *     max_length: 280
 *     webhook_secret: "..."     # in an *.enc.yaml file
 * </pre>
 */
@FunctionalInterface
public interface PluginConfigSource {

  /** Default root section of {@link #fromFile(Path, KeySource)}. */
  String DEFAULT_ROOT = "integrations";

  /**
   * Loads, binds and validates the configuration of one integration.
   *
   * @param integrationId the integration id
   * @param type the integration's config type
   * @param <C> the config type
   * @return the validated, normalised configuration
   * @throws PluginException {@link PluginException.Reason#CONFIG_INVALID} with every violation as
   *     {@code <id>.<path>: <message>}
   */
  <C> C load(String integrationId, Class<C> type) throws PluginException;

  /**
   * Reads section {@value #DEFAULT_ROOT}{@code .<id>} of a YAML file, plain or encrypted ({@code *.enc.yaml}).
   *
   * @param file the configuration file, re-read on every load (so {@code IntegrationManager.update} sees edits)
   * @param keySource the key for encrypted files, or null for plain YAML only
   * @return the source
   */
  static PluginConfigSource fromFile(Path file, KeySource keySource) {
    return fromFile(file, DEFAULT_ROOT, () -> {
      EncryptedConfigLoader.Builder b = EncryptedConfigLoader.builder();
      if (keySource != null) {
        b.keySource(keySource);
      }
      return b.build();
    });
  }

  /**
   * Reads section {@code <rootSection>.<id>} of a YAML file with loaders from {@code loaders}.
   *
   * <p>{@code loaders} is called once per load and should return a <em>new</em> loader: a loader caches binding and
   * validation metadata per class, and a long-lived one would keep unloaded plugin classes reachable.
   *
   * @param file the configuration file
   * @param rootSection dotted path of the section holding one sub-section per integration
   * @param loaders supplies a configured loader per load
   * @return the source
   */
  static PluginConfigSource fromFile(Path file, String rootSection, Supplier<EncryptedConfigLoader> loaders) {
    return new FilePluginConfigSource(Objects.requireNonNull(file, "file"),
        Objects.requireNonNull(rootSection, "rootSection"), Objects.requireNonNull(loaders, "loaders"));
  }
}
