package dev.secureyeoman.auth;

/** The auth database or the audit sink failed; the operation was not performed (fail closed). */
public final class AuthStorageException extends AuthException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, without secrets
   * @param cause the underlying failure
   */
  public AuthStorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
