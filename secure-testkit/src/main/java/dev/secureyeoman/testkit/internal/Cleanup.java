package dev.secureyeoman.testkit.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes what tests forgot to close when the JVM exits normally (a shutdown hook), newest first. A JVM that is killed
 * runs no hook: its children die through their parent-death signal ({@link Spawner}) and its directories are swept
 * by the next JVM ({@link WorkDirs#sweepStale}).
 */
public final class Cleanup {
  private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "secure-testkit-cleanup"));
  }

  private Cleanup() {}

  /**
   * Closes {@code resource} at JVM exit unless it is {@link #unregister}ed first.
   *
   * @param resource a server, a child JVM or a directory
   */
  public static void register(AutoCloseable resource) {
    synchronized (OPEN) {
      OPEN.add(resource);
    }
  }

  /**
   * Forgets {@code resource} (it was closed).
   *
   * @param resource a registered resource
   */
  public static void unregister(AutoCloseable resource) {
    synchronized (OPEN) {
      OPEN.remove(resource);
    }
  }

  /**
   * Whether {@code resource} is still registered.
   *
   * @param resource a resource
   * @return true if it will be closed at exit
   */
  public static boolean isRegistered(AutoCloseable resource) {
    synchronized (OPEN) {
      return OPEN.contains(resource);
    }
  }

  static void closeAll() {
    List<AutoCloseable> all;
    synchronized (OPEN) {
      all = new ArrayList<>(OPEN);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).close();
      } catch (Exception | Error e) {
        // best effort at exit: the next JVM's sweep removes what is left
      }
    }
  }
}
