package dev.secureyeoman.integrations.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome for one jar of a {@link PluginLoader#scan()}: loaded, or rejected with a typed reason. The sha256 and
 * descriptor are present as far as loading got (an untrusted jar has a hash but is never opened, so no descriptor).
 *
 * @param fileName the jar's file name
 * @param sha256 the hash of the bytes read, if the jar could be copied
 * @param descriptor the descriptor, if it was read
 * @param plugin the loaded plugin, when accepted
 * @param error why it was rejected, otherwise
 */
public record PluginScanEntry(
    String fileName,
    Optional<String> sha256,
    Optional<PluginDescriptor> descriptor,
    Optional<LoadedPlugin> plugin,
    Optional<PluginException> error) {

  /** Validates that exactly one of plugin and error is present. */
  public PluginScanEntry {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(descriptor, "descriptor");
    if (plugin.isPresent() == error.isPresent()) {
      throw new IllegalArgumentException("exactly one of plugin and error must be present");
    }
  }

  /**
   * Whether the jar was loaded.
   *
   * @return true if loaded
   */
  public boolean loaded() {
    return plugin.isPresent();
  }

  /**
   * Formats the entry as one line: {@code <file> <id> <version> <sha256> LOADED} or
   * {@code <file> <id> <version> <sha256> REJECTED <reason>: <detail>}, with {@code -} for what is unknown (the format
   * of {@code secureyeoman plugins check}).
   *
   * @return the line
   */
  public String summaryLine() {
    String head = Texts.field(fileName, 255) + " " + descriptor.map(PluginDescriptor::id).orElse("-") + " "
        + descriptor.map(PluginDescriptor::version).orElse("-") + " " + sha256.orElse("-");
    return loaded() ? head + " LOADED" : head + " REJECTED " + error.get().shortReason();
  }
}
