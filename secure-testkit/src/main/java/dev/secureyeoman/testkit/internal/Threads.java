package dev.secureyeoman.testkit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads for the testkit's background reads (process output); never for spawning (see {@link Spawner}). */
final class Threads {
  private static final AtomicInteger COUNT = new AtomicInteger();

  static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "secure-testkit-io-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private Threads() {}
}
