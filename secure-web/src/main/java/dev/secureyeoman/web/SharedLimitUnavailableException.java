package dev.secureyeoman.web;

/**
 * The shared bucket store (Redis) could not answer in time: not reachable, refused the credentials, or too slow. A
 * fail-closed caller (login throttling, a {@link RedisRateLimiter} in {@link RedisRateLimiter.OnFailure#DENY} mode)
 * refuses the request; nothing was consumed that the caller must give back.
 *
 * <p>Unchecked on purpose: a caller that forgets to handle it fails the request, which is the closed side. The message
 * names the store by its redacted address ({@code redis://host:port/db}, never a password) and the failure's type.
 */
public final class SharedLimitUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, with the redacted address and no secret
   */
  public SharedLimitUnavailableException(String message) {
    super(message);
  }
}
