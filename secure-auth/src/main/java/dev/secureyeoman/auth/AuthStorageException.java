package dev.secureyeoman.auth;

/**
 * The auth database, the audit sink or the shared login throttle ({@link SharedLoginBuckets}, then with a {@link
 * SharedBucketsUnavailableException} cause) failed; the operation was not performed (fail closed). Hosts answer 503.
 */
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
