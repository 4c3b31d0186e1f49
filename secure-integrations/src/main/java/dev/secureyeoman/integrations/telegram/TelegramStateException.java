package dev.secureyeoman.integrations.telegram;

import dev.secureyeoman.integrations.IntegrationException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The Telegram adapter's sealed state file (the {@code getUpdates} offset, {@link TelegramConfig#stateFile()}) could not
 * be used. The adapter fails closed: it never falls back to offset 0, which would hand on already processed updates
 * again. Messages name the file, never its content.
 */
public final class TelegramStateException extends IntegrationException {
  private static final long serialVersionUID = 1L;

  /** Why the state could not be used. */
  public enum Reason {
    /** The file failed authentication: edited, truncated, sealed for another integration id or with another key. */
    TAMPERED,
    /** The file could not be read or written (I/O error); a failed write leaves the previous file intact. */
    STORE_FAILED
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why
   * @param message context without secrets or file content
   * @param cause the underlying failure, may be null
   */
  public TelegramStateException(Reason reason, String message, @Nullable Throwable cause) {
    super("telegram state " + reason + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns why the state could not be used.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
