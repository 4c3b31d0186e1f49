package dev.secureyeoman.core.killswitch;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The kill switch could not be read or changed; {@link #reason()} says which step failed. */
public final class KillSwitchException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Reason {
    /** The state file exists but cannot be read. */
    UNREADABLE,
    /** The state file is not a valid kill-switch document (too large, not JSON, wrong fields). */
    CORRUPT,
    /** The listener (the audit) refused or failed: nothing was written. */
    LISTENER_FAILED,
    /** Writing the new state failed: the old state is still in force. */
    WRITE_FAILED
  }

  /** What failed. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason what failed
   * @param message context (the file), no secrets
   * @param cause the underlying failure, may be null
   */
  public KillSwitchException(Reason reason, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * What failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
