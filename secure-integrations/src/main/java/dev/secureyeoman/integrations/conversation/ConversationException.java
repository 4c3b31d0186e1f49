package dev.secureyeoman.integrations.conversation;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A conversation store failed. Messages name the thread key's platform and the operation, never message text.
 */
public final class ConversationException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** Why the operation failed. */
  public enum Reason {
    /** The store could not read or write (database error, disk full, closed store); nothing was half-written. */
    STORE_FAILED,
    /** A stored turn failed authentication (edited, moved to another thread or position, or another key). */
    TAMPERED
  }

  private final Reason reason;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param message context without message text
   * @param cause the underlying failure, may be null
   */
  public ConversationException(Reason reason, String message, @Nullable Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the operation failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
