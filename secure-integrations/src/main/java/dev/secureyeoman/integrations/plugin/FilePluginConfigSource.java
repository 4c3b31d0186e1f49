package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** {@link PluginConfigSource} over one YAML file, one section per integration. */
final class FilePluginConfigSource implements PluginConfigSource {
  private final Path file;
  private final String root;
  private final Supplier<EncryptedConfigLoader> loaders;

  FilePluginConfigSource(Path file, String root, Supplier<EncryptedConfigLoader> loaders) {
    if (root.isBlank()) {
      throw new IllegalArgumentException("rootSection must not be blank");
    }
    this.file = file;
    this.root = root;
    this.loaders = loaders;
  }

  @Override
  public <C> C load(String integrationId, Class<C> type) throws PluginException {
    String section = root + "." + integrationId;
    try {
      return loaders.get().load(file, section, type);
    } catch (ConfigException e) {
      List<ConfigViolation> violations = e.violations().stream()
          .map(v -> new ConfigViolation(relocate(v.path(), section, integrationId), v.message()))
          .sorted()
          .toList();
      String detail = violations.isEmpty()
          ? Texts.oneLine(e.getMessage(), 400)
          : file + ": " + violations.size() + (violations.size() == 1 ? " violation" : " violations");
      throw PluginException.configInvalid(integrationId, null, detail, violations, e);
    }
  }

  /** {@code integrations.echo.max_length} becomes {@code echo.max_length}. */
  private static String relocate(String path, String section, String id) {
    if (path.equals(section)) {
      return id;
    }
    return path.startsWith(section + ".") || path.startsWith(section + "[")
        ? id + path.substring(section.length())
        : path;
  }

  @Override
  public String toString() {
    return "FilePluginConfigSource[" + file + ", " + root + ".<id>]";
  }
}
