package dev.secureyeoman.integrations.media.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Child-process entry point for {@link MediaTempStoreTest}: {@code hold ROOT} opens a store, writes one file, prints
 * its path and blocks until killed; {@code sweep ROOT} opens a store (which sweeps), prints how many files the sweep
 * deleted, closes and exits.
 */
public final class TempStoreChild {
  private TempStoreChild() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    if (args[0].equals("hold")) {
      MediaTempStore store = MediaTempStore.open(root, new SecureRandom());
      MediaTempStore.NewFile f = store.create();
      f.channel().write(ByteBuffer.wrap("leftover".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      f.channel().force(true);
      System.out.println(f.path());
      System.out.flush();
      System.in.read(); // until the parent kills this process
    } else {
      try (MediaTempStore store = MediaTempStore.open(root, new SecureRandom())) {
        System.out.println(store.sweep());
      }
    }
  }
}
