package dev.secureyeoman.testkit;

import java.nio.file.Path;

/**
 * The life cycle every testkit server shares ({@link PostgresServer}, {@link RedisServer}): a server process on a
 * port of 127.0.0.1, in a private directory, that a test can stop, kill and restart to exercise failure paths.
 *
 * <ul>
 *   <li>{@link #stop()} shuts down cleanly and promptly (clients are disconnected); {@link #kill()} SIGKILLs the server
 *       and every process it started, as a crash would; both are no-ops when it is not running.
 *   <li>{@link #restart()} starts it again on the <em>same port and directory</em> (stopping it first if it runs), so
 *       clients keep their URL and reconnect; it fails with {@link TestkitException.Reason#PORT_UNAVAILABLE} if another
 *       process took the port while the server was down.
 *   <li>{@link #close()} stops it if it runs and deletes its directory; idempotent. After it, every method but {@code
 *       close} throws {@link IllegalStateException}.
 * </ul>
 *
 * Whatever a test forgets, nothing outlives its JVM: the server is killed by the kernel if the JVM dies and closed by
 * a shutdown hook if it exits.
 */
public interface TestServer extends AutoCloseable {
  /**
   * The port on 127.0.0.1 (kept across restarts).
   *
   * @return the port
   */
  int port();

  /**
   * The pid of the server's main process.
   *
   * @return its pid
   * @throws IllegalStateException if the server is not running
   */
  long pid();

  /**
   * Whether the server is accepting clients.
   *
   * @return true if running
   */
  boolean isRunning();

  /**
   * The server's private directory; deleted by {@link #close()}.
   *
   * @return the directory
   */
  Path directory();

  /**
   * The server's log, appended across restarts (quoted in start-failure messages).
   *
   * @return the log file
   */
  Path logFile();

  /** Clean, prompt shutdown; a no-op unless running. */
  void stop();

  /** SIGKILL of the server and everything it started, as a crash would; a no-op unless running. */
  void kill();

  /**
   * Starts the server again on the same port and directory, stopping it first if it runs.
   *
   * @throws TestkitException {@link TestkitException.Reason#PORT_UNAVAILABLE} if the port was taken meanwhile
   */
  void restart();

  /** Stops the server if it runs and deletes its directory. Idempotent. */
  @Override
  void close();
}
