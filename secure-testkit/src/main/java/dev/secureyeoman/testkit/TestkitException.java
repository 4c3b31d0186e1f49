package dev.secureyeoman.testkit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A test server or child process could not be provided. The {@link Reason} says why, so a test (or the testkit's own
 * retry logic) can switch on it instead of parsing the message; the message names what is missing or what failed and,
 * for start failures, ends with the tail of the server's log.
 *
 * <p>Unchecked on purpose: it is a broken test environment, not an outcome a test handles. A missing Debian package is
 * reported as {@link Reason#MISSING_BINARY} and never turned into a skipped test.
 */
public final class TestkitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the testkit could not do what was asked. */
  public enum Reason {
    /** A binary (the PostgreSQL server, {@code redis-server}, {@code setpriv}) is not installed; the message names the package. */
    MISSING_BINARY,
    /** The non-root user a server must run as (PostgreSQL refuses root) does not exist. */
    MISSING_USER,
    /** The server process exited or reported an error while starting. */
    START_FAILED,
    /** No free loopback port could be bound, or the port of a server being restarted was taken while it was down. */
    PORT_UNAVAILABLE,
    /** A server did not become ready, or a process did not exit or print what was awaited, in time. */
    TIMEOUT,
    /** A helper command ({@code initdb}, {@code createdb}, {@code psql}, {@code kill}) failed. */
    COMMAND_FAILED,
    /** A child process exited before it printed what was awaited. */
    PROCESS_EXITED
  }

  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param message what failed, with context (never a password)
   */
  public TestkitException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Creates an exception with a cause.
   *
   * @param reason why
   * @param message what failed, with context (never a password)
   * @param cause the underlying failure
   */
  public TestkitException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the testkit failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
