package dev.secureyeoman.integrations.plugin;

import java.nio.file.Path;

/**
 * A second process for {@link ShadowStoreTest}: opens a shadow store (or, given a plugin directory, a whole
 * {@link PluginLoader}), prints its run directory or {@code refused <reason>}, and waits for stdin.
 */
public final class ShadowStoreHolder {
  private ShadowStoreHolder() {}

  /**
   * Runs the holder.
   *
   * @param args the shadow root, optionally the plugin directory
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    AutoCloseable held;
    if (args.length > 1) {
      try {
        held = PluginLoader.builder().directory(Path.of(args[1])).shadowDirectory(Path.of(args[0])).build();
        System.out.println("loader");
      } catch (PluginException e) {
        System.out.println("refused " + e.reason().code());
        System.out.flush();
        return;
      }
    } else {
      ShadowStore store = ShadowStore.open(Path.of(args[0]));
      held = store;
      System.out.println(store.runDirectory());
    }
    System.out.flush();
    System.in.read(); // until the parent closes our stdin or kills us
    held.close();
  }
}
