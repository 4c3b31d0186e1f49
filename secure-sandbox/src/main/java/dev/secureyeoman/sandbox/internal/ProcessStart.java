package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A process's identity across pid reuse: its pid plus its start time (field 22 of {@code /proc/<pid>/stat}, clock ticks
 * since boot). A pid alone names whatever process got the number last; on a busy host with the default {@code pid_max}
 * of 32768 a dead JVM's pid is often taken again within seconds.
 */
public final class ProcessStart {
  private ProcessStart() {}

  /** This JVM's start time. */
  public static final long SELF = startTime(ProcessHandle.current().pid());

  /**
   * The start time of a process.
   *
   * @param pid the pid
   * @return clock ticks since boot, or -1 when no such process exists (zombies included: they have one)
   */
  public static long startTime(long pid) {
    String[] f = fields(pid);
    return f == null ? -1 : Long.parseLong(f[19]);
  }

  /**
   * Tells whether the process that had this pid and start time still runs (a zombie does not: it runs nothing and
   * waits only for its parent to reap it).
   *
   * @param pid the pid
   * @param startTime its start time as recorded when it lived
   * @return whether it is alive
   */
  public static boolean alive(long pid, long startTime) {
    String[] f = fields(pid);
    return f != null && Long.parseLong(f[19]) == startTime && !f[0].equals("Z") && !f[0].equals("X");
  }

  /** Fields of {@code /proc/<pid>/stat} after the command name (state first), or null when it cannot be read. */
  private static String @Nullable [] fields(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      Long.parseLong(f[19]);
      return f;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
