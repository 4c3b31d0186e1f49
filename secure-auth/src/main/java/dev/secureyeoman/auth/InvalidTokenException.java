package dev.secureyeoman.auth;

/**
 * An access or refresh token was rejected: malformed, tampered, wrong algorithm or key id, expired, revoked, reused, or
 * issued before the user's last password reset. The message is always the same; the audit log records why.
 */
public final class InvalidTokenException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** The one message every token failure carries. */
  public static final String MESSAGE = "invalid token";

  /** Creates the exception with the generic message. */
  public InvalidTokenException() {
    super(MESSAGE);
  }
}
