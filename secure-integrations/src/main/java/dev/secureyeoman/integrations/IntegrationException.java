package dev.secureyeoman.integrations;

import dev.secureyeoman.core.SecureYeomanException;
import org.jspecify.annotations.Nullable;

/**
 * An integration could not do what was asked: initialise, start, stop, send a message or accept an inbound one.
 *
 * <p>Plugins throw it from their {@link Integration} methods; the SDK wraps anything else a plugin throws. Messages name
 * the integration and the step, never a token, a message body or another secret: they reach logs and the audit log.
 */
public class IntegrationException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, without secrets
   */
  public IntegrationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, without secrets
   * @param cause the underlying failure
   */
  public IntegrationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
