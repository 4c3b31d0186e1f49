package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The life cycle shared by the testkit's servers: start on a free port (retrying when the server loses the port race),
 * stop, kill, restart on the same port and directory, close. The server-specific parts come from a {@link Spec}.
 *
 * <p>The server runs in the foreground as a direct child of the JVM (started by {@link Spawner}, so it dies with the
 * JVM), its output appended to a log file in its directory. Not thread-safe on its own: the public server classes
 * synchronize.
 */
public final class ServerProcess {
  /** How many ports a first start tries before giving up. */
  public static final int PORT_ATTEMPTS = 5;

  /** The server-specific parts. */
  public interface Spec {
    /**
     * A name for messages ("PostgreSQL").
     *
     * @return the name
     */
    String name();

    /**
     * The full argv (with the {@link Spawner#argv} prefix) that runs the server in the foreground on {@code port}.
     *
     * @param port the port
     * @return the argv
     */
    List<String> command(int port);

    /**
     * Whether the server started as {@code pid} accepts clients on {@code port}.
     *
     * @param pid the server's pid
     * @param port its port
     * @return true when ready
     */
    boolean ready(long pid, int port);

    /**
     * Whether {@code log} (what this start attempt wrote) says the port was already in use.
     *
     * @param log the log of the failed attempt
     * @return true if the server lost the port
     */
    boolean portTaken(String log);

    /**
     * Asks the server to shut down cleanly and promptly (active clients are disconnected).
     *
     * @param process the server
     */
    void requestStop(Process process);

    /**
     * Whether the server forks children that must be frozen before a kill lists them (see {@link ProcessTrees#kill}).
     *
     * @return true for PostgreSQL
     */
    boolean forksChildren();
  }

  /** Where the server is in its life cycle. */
  public enum State {
    /** Accepting clients. */
    RUNNING,
    /** Stopped cleanly; {@code restart} starts it again. */
    STOPPED,
    /** SIGKILLed; {@code restart} recovers it. */
    KILLED,
    /** Closed: its directory is deleted. */
    CLOSED
  }

  private final Spec spec;
  private final Path dir;
  private final Path log;
  private final Duration startTimeout;
  private @Nullable Process process; // null until the first launch
  private int port;
  private State state = State.STOPPED;

  /**
   * Creates a stopped server.
   *
   * @param spec the server-specific parts
   * @param dir its private directory
   * @param log its log file
   * @param startTimeout how long a start may take
   */
  public ServerProcess(Spec spec, Path dir, Path log, Duration startTimeout) {
    this.spec = spec;
    this.dir = dir;
    this.log = log;
    this.startTimeout = startTimeout;
  }

  /**
   * First start: on a port from {@code ports}, retried on a new port up to {@link #PORT_ATTEMPTS} times when the
   * server lost the race for it.
   *
   * @param ports the source of candidate ports
   */
  public void start(Ports.Allocator ports) {
    TestkitException lastRace = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int candidate = ports.next();
      try {
        launch(candidate);
        return;
      } catch (TestkitException e) {
        if (e.reason() != Reason.PORT_UNAVAILABLE) {
          throw e;
        }
        lastRace = e;
      }
    }
    throw new TestkitException(
        Reason.PORT_UNAVAILABLE,
        spec.name() + " lost the race for a free port " + PORT_ATTEMPTS + " times in a row",
        lastRace);
  }

  /** Starts again on the same port and directory (stopping first if running). */
  public void restart() {
    requireOpen();
    if (state == State.RUNNING) {
      stop();
    }
    launch(port);
  }

  private void launch(int candidate) {
    long logOffset = Text.size(log);
    ProcessBuilder builder =
        new ProcessBuilder(spec.command(candidate))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process started;
    try {
      started = Spawner.startTied(builder);
    } catch (IOException e) {
      throw new TestkitException(Reason.START_FAILED, "could not start " + spec.name() + ": " + e.getMessage(), e);
    }
    WorkDirs.recordServerPid(dir, started.pid());
    boolean settled = Poll.until(startTimeout, () -> !started.isAlive() || spec.ready(started.pid(), candidate));
    if (settled && started.isAlive()) {
      process = started;
      port = candidate;
      state = State.RUNNING;
      return;
    }
    ProcessTrees.kill(started.toHandle(), spec.forksChildren(), Duration.ofSeconds(10));
    String attemptLog = Text.readFrom(log, logOffset);
    if (!settled) {
      throw new TestkitException(
          Reason.TIMEOUT,
          spec.name() + " was not ready on port " + candidate + " within " + startTimeout + "; killed it. Log: "
              + Text.tail(attemptLog));
    }
    if (spec.portTaken(attemptLog)) {
      throw new TestkitException(
          Reason.PORT_UNAVAILABLE,
          spec.name() + " could not bind 127.0.0.1:" + candidate + " (in use). Log: " + Text.tail(attemptLog));
    }
    throw new TestkitException(
        Reason.START_FAILED,
        spec.name() + " exited with " + started.exitValue() + " while starting. Log: " + Text.tail(attemptLog));
  }

  /**
   * Clean, prompt shutdown (clients are disconnected); a server that does not exit within {@code timeout} is killed.
   * A no-op unless running.
   *
   * @param timeout how long a clean shutdown may take
   */
  public void stop(Duration timeout) {
    requireOpen();
    if (state != State.RUNNING) {
      return;
    }
    Process p = process();
    spec.requestStop(p);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessTrees.kill(p.toHandle(), spec.forksChildren(), Duration.ofSeconds(10));
        state = State.KILLED;
        throw new TestkitException(
            Reason.TIMEOUT, spec.name() + " did not shut down within " + timeout + "; killed it instead");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ProcessTrees.kill(p.toHandle(), spec.forksChildren(), Duration.ofSeconds(10));
      state = State.KILLED;
      return;
    }
    state = State.STOPPED;
  }

  /** {@link #stop(Duration)} with a 60 s bound. */
  public void stop() {
    stop(Duration.ofSeconds(60));
  }

  /**
   * SIGKILLs the server and every process it started, as a crash would; a no-op unless running.
   *
   * @return pids that were still there after 10 s (empty normally)
   */
  public List<Long> kill() {
    requireOpen();
    if (state != State.RUNNING) {
      return List.of();
    }
    List<Long> left = ProcessTrees.kill(process().toHandle(), spec.forksChildren(), Duration.ofSeconds(10));
    state = State.KILLED;
    return left;
  }

  /**
   * Stops the server if running and marks it closed; the caller then deletes its directory.
   *
   * @return the state it was in
   */
  public State close() {
    State before = state;
    if (state == State.CLOSED) {
      return before;
    }
    try {
      if (state == State.RUNNING) {
        stop();
      }
    } finally {
      state = State.CLOSED;
    }
    return before;
  }

  /**
   * The current state.
   *
   * @return the state
   */
  public State state() {
    return state;
  }

  /**
   * The port (kept across restarts).
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The pid of the running server.
   *
   * @return its pid
   * @throws IllegalStateException if it is not running
   */
  public long pid() {
    if (state != State.RUNNING) {
      throw new IllegalStateException(spec.name() + " is not running (" + state + ")");
    }
    return process().pid();
  }

  /** The server's process: set by the first launch (a RUNNING server always has one). */
  private Process process() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException(spec.name() + " was never started");
    }
    return p;
  }

  private void requireOpen() {
    if (state == State.CLOSED) {
      throw new IllegalStateException(spec.name() + " server is closed");
    }
  }
}
