package dev.secureyeoman.sandbox.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The constant {@code /bin/sh} script every backend is started through when the run has cgroups or a seccomp program
 * for bwrap: it writes its own pid to each cgroup's {@code cgroup.procs} (so every process of the run, from the first
 * fork on, is a member the sandbox cannot leave), then executes the backend, handing it the seccomp program that the
 * runner writes to standard input on fd 3 (no file on disk that a killed JVM could leave behind). Policy values reach
 * the script only as positional parameters.
 */
public final class Launcher {

  /** Written to standard error (and exit status 125) when a cgroup could not be joined. */
  public static final String JOIN_FAILED = "secureyeoman-sandbox: cannot join the run's cgroup";

  /**
   * The script: {@code $1} is the number of {@code cgroup.procs} files that follow, then {@code fd3} or {@code -}, then
   * the backend's argument vector.
   */
  public static final String SCRIPT =
      "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || { echo \""
          + JOIN_FAILED
          + " $1\" >&2; exit 125; }; n=$((n-1)); shift; done;"
          + " if [ \"$1\" = fd3 ]; then shift; exec \"$@\" 3<&0 </dev/null; fi; shift; exec \"$@\"";

  private Launcher() {}

  /**
   * Builds the launcher prefix.
   *
   * @param shell {@code /bin/sh}
   * @param joinFiles {@code cgroup.procs} files to join
   * @param seccompOnStdin whether the backend reads its seccomp program on fd 3 from the runner's pipe
   * @return the argument vector prefix (empty when neither is needed); the backend's argv follows
   */
  public static List<String> prefix(Path shell, List<Path> joinFiles, boolean seccompOnStdin) {
    if (joinFiles.isEmpty() && !seccompOnStdin) {
      return List.of();
    }
    List<String> a = new ArrayList<>(8 + joinFiles.size());
    a.add(shell.toString());
    a.add("-c");
    a.add(SCRIPT);
    a.add("sy-launch");
    a.add(Integer.toString(joinFiles.size()));
    for (Path f : joinFiles) {
      a.add(f.toString());
    }
    a.add(seccompOnStdin ? "fd3" : "-");
    return a;
  }
}
