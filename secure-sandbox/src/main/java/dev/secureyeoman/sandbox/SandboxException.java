package dev.secureyeoman.sandbox;

import dev.secureyeoman.core.SecureYeomanException;

/**
 * The runner refused or could not start a sandboxed command: isolation was required but no backend could provide it, the
 * policy asks for something this runner does not enforce (network allowlist), or the backend failed to launch.
 *
 * <p>A command that starts and then fails is not an exception: see {@link SandboxResult}.
 */
public class SandboxException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what was refused and why
   */
  public SandboxException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
