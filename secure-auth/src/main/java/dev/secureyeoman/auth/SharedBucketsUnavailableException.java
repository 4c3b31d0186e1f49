package dev.secureyeoman.auth;

/**
 * A {@link SharedLoginBuckets} store could not answer in time (unreachable, credentials refused, too slow); nothing was
 * taken or given back. The service turns it into {@link AuthStorageException} (fail closed).
 *
 * <p>Unchecked on purpose: code that forgets to handle it fails the request, which is the closed side. The message names
 * the store without secrets (e.g. a redacted address {@code redis://host:port/db}).
 */
public final class SharedBucketsUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, without secrets
   * @param cause the underlying failure, or null
   */
  public SharedBucketsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
