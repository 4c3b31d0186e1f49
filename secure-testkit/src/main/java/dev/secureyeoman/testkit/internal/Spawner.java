package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Starts the long-lived children of the testkit (servers, child JVMs) so that they cannot outlive this JVM.
 *
 * <p>Each child is wrapped in {@code setpriv --pdeathsig KILL} (util-linux, essential on Debian), which makes the kernel
 * SIGKILL it when its parent dies. The kernel ties that signal to the parent <em>thread</em> that spawned the child,
 * not to the process, so every tied child is spawned from one dedicated thread that lives as long as the JVM (a pooled
 * or test thread that ends would kill its children early). A JVM that is itself SIGKILLed therefore leaves no server
 * running; its temporary directories are removed by the next JVM's sweep ({@link WorkDirs#sweepStale}).
 *
 * <p>When the JVM runs as root and the child must not (PostgreSQL refuses root), the same {@code setpriv} also switches
 * to the target uid/gid and clears supplementary groups; it applies the death signal after the switch, so the signal
 * survives it (verified here).
 */
public final class Spawner {
  private static final List<Path> SETPRIV_CANDIDATES = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));

  // One worker that never dies: tasks are submitted (FutureTask catches their exceptions), so the thread is never
  // replaced, and it is a daemon so that it does not keep the JVM alive.
  private static final ExecutorService SPAWNING_THREAD =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "secure-testkit-spawner");
            t.setDaemon(true);
            return t;
          });

  private Spawner() {}

  /**
   * Returns the {@code setpriv} binary, if installed.
   *
   * @return its path
   */
  public static Optional<Path> setpriv() {
    return SETPRIV_CANDIDATES.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Builds the argv that runs {@code command} as {@code user} (null: as this process) and, when {@code tied}, dies
   * with this JVM.
   *
   * @param command the program and its arguments
   * @param user the user to switch to, or null
   * @param tied whether to set the parent-death signal
   * @return the full argv
   */
  public static List<String> argv(List<String> command, @Nullable RunAs user, boolean tied) {
    List<String> argv = new ArrayList<>();
    Optional<Path> setpriv = setpriv();
    if (user != null || (tied && setpriv.isPresent())) {
      Path binary =
          setpriv.orElseThrow(
              () ->
                  new TestkitException(
                      Reason.MISSING_BINARY,
                      "setpriv not found (looked in "
                          + SETPRIV_CANDIDATES
                          + "): install the Debian package 'util-linux' (apt-get install -y util-linux)"));
      argv.add(binary.toString());
      if (user != null) {
        argv.add("--reuid=" + user.uid());
        argv.add("--regid=" + user.gid());
        argv.add("--clear-groups");
      }
      if (tied) {
        argv.add("--pdeathsig");
        argv.add("KILL");
      }
      argv.add("--");
    }
    argv.addAll(command);
    return argv;
  }

  /**
   * Starts {@code builder} from the dedicated spawning thread (see the class comment). Its command must already carry
   * the {@link #argv} prefix.
   *
   * @param builder the process to start
   * @return the started process
   * @throws IOException if the process cannot be started
   */
  public static Process startTied(ProcessBuilder builder) throws IOException {
    Future<Process> started = SPAWNING_THREAD.submit(builder::start);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return started.get();
        } catch (InterruptedException e) {
          // spawning takes milliseconds: finish it rather than leak a child nobody holds, then restore the flag
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          throw new UncheckedIOException(new IOException("could not start " + builder.command().get(0), cause));
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
