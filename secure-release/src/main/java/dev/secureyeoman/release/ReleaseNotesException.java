package dev.secureyeoman.release;

/**
 * Release notes could not be made from a repository. The {@link #reason()} tells a caller what to fix; the message
 * names the directory or revision involved and is meant for the user.
 *
 * <p>This module depends on no other SecureYeoman module (so JGit stays out of the security libraries), hence this
 * exception extends {@link Exception} directly rather than {@code dev.secureyeoman.core.SecureYeomanException}; it is
 * checked, like the security outcomes of the other modules.
 */
public final class ReleaseNotesException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why no release notes were made. */
  public enum Reason {
    /** The directory is not inside a git repository (or does not exist). */
    NOT_A_REPOSITORY,
    /** A revision does not name a commit (unknown ref, or an empty repository without {@code HEAD}). */
    UNKNOWN_REF,
    /** The range is impossible, for example {@code --to} is an ancestor of {@code --from} (swapped refs). */
    INVALID_RANGE,
    /** The repository is a shallow clone and the range reaches past its boundary: the history is incomplete. */
    SHALLOW_CLONE,
    /** Reading the repository failed (I/O error, corrupt or missing objects, oversized {@code .mailmap}). */
    READ_FAILED
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why no notes were made
   * @param message what happened, naming the directory or revision
   */
  public ReleaseNotesException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param reason why no notes were made
   * @param message what happened, naming the directory or revision
   * @param cause the underlying error
   */
  public ReleaseNotesException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * Returns why no notes were made.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
