package dev.secureyeoman.auth;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * Base type of every authentication outcome a caller must handle. Messages are deliberately generic (no user
 * enumeration, no oracle); the audit log records the detail.
 */
public class AuthException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a generic description without secrets
   */
  public AuthException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message a generic description without secrets
   * @param cause the underlying failure
   */
  public AuthException(String message, Throwable cause) {
    super(message, cause);
  }
}
