package dev.secureyeoman.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Killing a process with everything it started, and telling whether a pid is really gone. */
public final class ProcessTrees {
  private ProcessTrees() {}

  /**
   * SIGKILLs {@code root} and all its descendants and waits (bounded) until they are gone.
   *
   * <p>With {@code freeze}, the root is first stopped with SIGSTOP so that it cannot fork while its descendants are
   * listed (a PostgreSQL postmaster forks backends and workers; its children make themselves session leaders, so a
   * process-group kill would miss them). The list is taken before the root dies because orphans are re-parented and no
   * longer appear as its descendants.
   *
   * @param root the process to kill
   * @param freeze whether to SIGSTOP the root before listing its descendants
   * @param wait how long to wait for all of them to be gone
   * @return the pids that were still there after {@code wait} (empty when all are gone)
   */
  public static List<Long> kill(ProcessHandle root, boolean freeze, Duration wait) {
    if (freeze && root.isAlive()) {
      Commands.run(List.of("kill", "-STOP", Long.toString(root.pid())), Duration.ofSeconds(10));
    }
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    List<Long> left = new ArrayList<>();
    for (ProcessHandle p : all) {
      long remaining = Math.max(0, deadline - System.nanoTime());
      try {
        p.onExit().get(remaining, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // checked below
      }
      if (!isGone(p.pid())) {
        left.add(p.pid());
      }
    }
    return left;
  }

  /**
   * Whether {@code pid} no longer runs: absent, or a zombie waiting for its parent to reap it.
   *
   * @param pid a process id
   * @return true if it is gone
   */
  public static boolean isGone(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Text.readProc(stat);
      // "pid (comm) S ...": the state follows the last ')' since comm may contain parentheses
      char state = s.charAt(s.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
  }

  /**
   * Whether {@code pid} works in {@code dir}: its working directory is inside it (PostgreSQL changes to its data
   * directory, Redis to its {@code --dir}) or its command line names it.
   *
   * @param pid a process id
   * @param dir a directory
   * @return true if the process belongs to that directory
   */
  public static boolean runsIn(long pid, Path dir) {
    try {
      if (Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")).startsWith(dir)) {
        return true;
      }
    } catch (IOException | UnsupportedOperationException e) {
      // gone, or not ours to inspect: fall back to the command line
    }
    return commandLine(pid).contains(dir.toString());
  }

  /**
   * The command line of {@code pid}, arguments separated by spaces, or "" if it is gone.
   *
   * @param pid a process id
   * @return its command line
   */
  public static String commandLine(long pid) {
    try {
      return Text.readProc(Path.of("/proc", Long.toString(pid), "cmdline"))
          .replace('\0', ' ')
          .strip();
    } catch (IOException e) {
      return "";
    }
  }
}
