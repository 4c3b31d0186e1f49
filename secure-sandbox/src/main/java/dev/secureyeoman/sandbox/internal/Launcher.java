package dev.secureyeoman.sandbox.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The constant {@code /bin/sh} script every backend is started through when the run has cgroups or is a bwrap run: it
 * writes its own pid to each cgroup's {@code cgroup.procs} (so every process of the run, from the first fork on, is a
 * member the sandbox cannot leave), then executes the backend. For bwrap it also hands over the seccomp program that the
 * runner writes to standard input on fd 3 (no file on disk that a killed JVM could leave behind) and a duplicate of
 * standard error on fd 4 for {@code --json-status-fd 4} (bwrap closes that fd in the sandbox, so the command keeps its
 * stderr). Policy values reach the script only as positional parameters.
 */
public final class Launcher {

  /** Written to standard error (and exit status 125) when a cgroup could not be joined. */
  public static final String JOIN_FAILED = "secureyeoman-sandbox: cannot join the run's cgroup";

  /**
   * The script: {@code $1} is the number of {@code cgroup.procs} files that follow, then the fd mode ({@code bwrap}:
   * seccomp program from stdin on fd 3 and stderr on fd 4; {@code status}: stderr on fd 4 only; {@code -}: nothing),
   * then the workspace source opened on fd 5 ({@code /proc/<jvm>/fd/<n>}, the directory the runner checked and holds
   * open) or {@code -}, then the backend's argument vector.
   */
  public static final String SCRIPT =
      "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || { echo \""
          + JOIN_FAILED
          + " $1\" >&2; exit 125; }; n=$((n-1)); shift; done;"
          + " m=$1; w=$2; shift 2; if [ \"$w\" != - ]; then exec 5< \"$w\"; fi;"
          + " case $m in bwrap) exec \"$@\" 3<&0 4>&2 </dev/null;; status) exec \"$@\" 4>&2;; esac;"
          + " exec \"$@\"";

  /** How the launcher sets up the backend's file descriptors. */
  public enum Fds {
    /** Nothing beyond stdin, stdout and stderr. */
    NONE("-"),
    /** bwrap with a seccomp program: fd 3 from the runner's pipe on stdin, fd 4 a duplicate of stderr. */
    SECCOMP_AND_STATUS("bwrap"),
    /** bwrap without seccomp: fd 4 a duplicate of stderr. */
    STATUS("status");

    private final String word;

    Fds(String word) {
      this.word = word;
    }
  }

  private Launcher() {}

  /**
   * Builds the launcher prefix without extra descriptors.
   *
   * @param shell {@code /bin/sh}
   * @param joinFiles {@code cgroup.procs} files to join
   * @return the argument vector prefix (empty when no cgroup is joined); the backend's argv follows
   */
  public static List<String> prefix(Path shell, List<Path> joinFiles) {
    return prefix(shell, joinFiles, Fds.NONE);
  }

  /**
   * Builds the launcher prefix.
   *
   * @param shell {@code /bin/sh}
   * @param joinFiles {@code cgroup.procs} files to join
   * @param fds the descriptors the backend gets
   * @return the argument vector prefix (empty when neither is needed); the backend's argv follows
   */
  public static List<String> prefix(Path shell, List<Path> joinFiles, Fds fds) {
    return prefix(shell, joinFiles, fds, java.util.Optional.empty());
  }

  /**
   * Builds the launcher prefix.
   *
   * @param shell {@code /bin/sh}
   * @param joinFiles {@code cgroup.procs} files to join
   * @param fds the descriptors the backend gets
   * @param workspaceSource a path the launcher (still root) opens on fd 5 for the backend, or empty
   * @return the argument vector prefix (empty when nothing is needed); the backend's argv follows
   */
  public static List<String> prefix(
      Path shell, List<Path> joinFiles, Fds fds, java.util.Optional<String> workspaceSource) {
    if (joinFiles.isEmpty() && fds == Fds.NONE && workspaceSource.isEmpty()) {
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
    a.add(fds.word);
    a.add(workspaceSource.orElse("-"));
    return a;
  }
}
