package dev.secureyeoman.sandbox.landlock;

/**
 * The kernel (or platform) has no usable Landlock: not compiled in, disabled at boot ({@code lsm=}), or not Linux.
 * Nothing was restricted; callers report the missing layer instead of claiming it.
 */
public final class LandlockUnavailableException extends LandlockException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why Landlock is unavailable
   */
  public LandlockUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message why Landlock is unavailable
   * @param cause the underlying failure
   */
  public LandlockUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
