package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * A {@link KeySource} could not produce a key: the variable is unset, the file is missing or unreadable, or the value is
 * not a base64-encoded 256-bit key. The message names the source (variable name or file path), never its content.
 */
public final class KeySourceException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the key source
   */
  public KeySourceException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, naming the key source
   * @param cause the underlying failure
   */
  public KeySourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
