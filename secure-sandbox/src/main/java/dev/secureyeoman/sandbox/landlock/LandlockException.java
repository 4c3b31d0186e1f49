package dev.secureyeoman.sandbox.landlock;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * Applying a Landlock ruleset failed; the calling thread is unrestricted unless the message says the kernel already
 * applied it. Subclass {@link LandlockUnavailableException} marks kernels without Landlock.
 */
public class LandlockException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   */
  public LandlockException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public LandlockException(String message, Throwable cause) {
    super(message, cause);
  }
}
