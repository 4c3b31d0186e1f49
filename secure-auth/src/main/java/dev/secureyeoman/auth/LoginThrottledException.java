package dev.secureyeoman.auth;

import java.time.Duration;
import java.util.Objects;

/** Too many attempts for this user name or client address; the caller should answer 429 with {@code Retry-After}. */
public final class LoginThrottledException extends AuthException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param retryAfter how long until one more attempt is allowed
   */
  public LoginThrottledException(Duration retryAfter) {
    super("too many attempts, retry later");
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /**
   * Returns how long until one more attempt is allowed.
   *
   * @return the wait, at least one second
   */
  public Duration retryAfter() {
    return retryAfter;
  }
}
