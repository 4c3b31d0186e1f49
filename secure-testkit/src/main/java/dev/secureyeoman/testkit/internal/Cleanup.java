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
  private static final Cleanup AT_EXIT = new Cleanup();

  static {
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(AT_EXIT::closeAll, "secure-testkit-cleanup"));
    } catch (IllegalStateException e) {
      // first used while the JVM is already exiting: the parent-death signal and the next sweep still apply
    }
  }

  private final Set<AutoCloseable> open = new LinkedHashSet<>();

  /** A registry of its own (tests); the testkit uses the one closed at JVM exit. */
  Cleanup() {}

  /**
   * Closes {@code resource} at JVM exit unless it is {@link #unregister}ed first.
   *
   * @param resource a server, a child JVM or a directory
   */
  public static void register(AutoCloseable resource) {
    AT_EXIT.add(resource);
  }

  /**
   * Forgets {@code resource} (it was closed).
   *
   * @param resource a registered resource
   */
  public static void unregister(AutoCloseable resource) {
    AT_EXIT.remove(resource);
  }

  /**
   * Whether {@code resource} is still registered.
   *
   * @param resource a resource
   * @return true if it will be closed at exit
   */
  public static boolean isRegistered(AutoCloseable resource) {
    return AT_EXIT.contains(resource);
  }

  synchronized void add(AutoCloseable resource) {
    open.add(resource);
  }

  synchronized void remove(AutoCloseable resource) {
    open.remove(resource);
  }

  synchronized boolean contains(AutoCloseable resource) {
    return open.contains(resource);
  }

  /** Closes every registered resource, newest first, each despite the failures of the others. */
  void closeAll() {
    List<AutoCloseable> all;
    synchronized (this) {
      all = new ArrayList<>(open);
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
