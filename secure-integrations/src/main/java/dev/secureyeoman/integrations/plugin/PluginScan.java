package dev.secureyeoman.integrations.plugin;

import java.util.List;

/**
 * The result of scanning a plugin directory: one entry per {@code *.jar}, sorted by file name.
 *
 * @param entries every jar's outcome
 */
public record PluginScan(List<PluginScanEntry> entries) {

  /** Copies the list. */
  public PluginScan {
    entries = List.copyOf(entries);
  }

  /**
   * Returns the plugins that loaded.
   *
   * @return the loaded plugins, in file-name order
   */
  public List<LoadedPlugin> loaded() {
    return entries.stream().filter(PluginScanEntry::loaded).map(e -> e.plugin().orElseThrow()).toList();
  }

  /**
   * Returns the rejections.
   *
   * @return the errors, in file-name order
   */
  public List<PluginException> rejected() {
    return entries.stream().filter(e -> !e.loaded()).map(e -> e.error().orElseThrow()).toList();
  }
}
