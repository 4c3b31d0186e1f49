package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecureYeomanException;

/** The audit log could not perform an operation (storage failure, closed store, unusable key). */
public class AuditException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, with context (file, seq) but no secrets
   */
  public AuditException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, with context (file, seq) but no secrets
   * @param cause the underlying failure
   */
  public AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}
