package dev.secureyeoman.auth;

/**
 * The credentials (password, TOTP code, recovery code or MFA challenge) were not accepted. The message is the same for an
 * unknown user, a wrong password, a wrong, expired or replayed code, so it cannot be used to enumerate accounts.
 */
public final class InvalidCredentialsException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** The one message every credential failure carries. */
  public static final String MESSAGE = "invalid credentials";

  /** Creates the exception with the generic message. */
  public InvalidCredentialsException() {
    super(MESSAGE);
  }
}
