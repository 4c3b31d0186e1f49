package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * Installing a seccomp filter failed: nothing was installed, or (stated in the message) the filter was installed but
 * could not be confirmed. Subclass {@link SeccompUnavailableException} marks platforms that lack seccomp altogether.
 */
public class SeccompException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   */
  public SeccompException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public SeccompException(String message, Throwable cause) {
    super(message, cause);
  }
}
