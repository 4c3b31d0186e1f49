package dev.secureyeoman.core;

import org.jspecify.annotations.Nullable;

/**
 * Checked base type for security outcomes that a caller must handle: decryption failed, configuration invalid, token
 * rejected, sandbox refused. Each module defines specific subclasses.
 *
 * <p>Messages carry context (a file name, a property path, a key source) but never secret material. Authentication and
 * decryption failures keep their messages deliberately opaque so they cannot be used as an oracle.
 */
public class SecureYeomanException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what failed, with context but without secrets
   */
  public SecureYeomanException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what failed, with context but without secrets
   * @param cause the underlying failure
   */
  public SecureYeomanException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
