package dev.secureyeoman.sandbox.seccomp;

/**
 * This platform cannot install seccomp filters at all (not Linux, an unsupported CPU, a kernel without
 * {@code CONFIG_SECCOMP_FILTER} or without a requested flag such as TSYNC, native access unavailable). Nothing was
 * installed. Callers that treat seccomp as an extra layer can catch this, log a warning and report the degradation.
 */
public final class SeccompUnavailableException extends SeccompException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why seccomp is unavailable
   */
  public SeccompUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message why seccomp is unavailable
   * @param cause the underlying failure
   */
  public SeccompUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
