package dev.secureyeoman.web;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.List;

/**
 * A request body was malformed, of the wrong shape or invalid. {@link #details()} lists every problem as
 * {@code path: message} (e.g. {@code rememberMe: must be a boolean}); the host answers 400 with them in an
 * {@link ApiError}. Messages never contain the submitted values.
 */
public final class RequestValidationException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  /** The problems, as {@code path: message}. */
  private final List<String> details;

  /**
   * Creates the exception.
   *
   * @param details one entry per problem, at least one
   */
  public RequestValidationException(List<String> details) {
    super("invalid request: " + String.join("; ", details));
    if (details.isEmpty()) {
      throw new IllegalArgumentException("details must not be empty");
    }
    this.details = List.copyOf(details);
  }

  /**
   * The problems.
   *
   * @return {@code path: message} entries, unmodifiable
   */
  public List<String> details() {
    return details;
  }
}
