package dev.secureyeoman.auth.spring;

import java.io.Serial;
import java.time.Duration;
import java.util.Objects;
import org.springframework.security.authentication.LockedException;

/**
 * Too many attempts for this user name or client ({@code LoginThrottledException} of secure-auth): a temporary lock.
 * Spring's handlers treat it as a {@link LockedException} (and {@code ProviderManager} asks no other provider, so a
 * second provider cannot bypass the throttle); a host that answers 429 reads {@link #retryAfter()} for {@code
 * Retry-After}.
 */
public final class LoginThrottledAuthenticationException extends LockedException {
  @Serial private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param retryAfter how long until one more attempt is allowed
   * @param cause secure-auth's exception
   */
  public LoginThrottledAuthenticationException(Duration retryAfter, Throwable cause) {
    super("too many attempts, retry later", cause);
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /**
   * Returns how long until one more attempt is allowed.
   *
   * @return the wait
   */
  public Duration retryAfter() {
    return retryAfter;
  }
}
