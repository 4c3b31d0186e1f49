package dev.secureyeoman.integrations.plugin;

import java.nio.file.Path;

/** A second process for {@link ShadowStoreTest}: opens a shadow store, prints its run directory, waits for stdin. */
public final class ShadowStoreHolder {
  private ShadowStoreHolder() {}

  /**
   * Runs the holder.
   *
   * @param args the shadow root
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    ShadowStore store = ShadowStore.open(Path.of(args[0]));
    System.out.println(store.runDirectory());
    System.out.flush();
    System.in.read(); // until the parent closes our stdin or kills us
    store.close();
  }
}
