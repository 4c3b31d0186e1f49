package dev.secureyeoman.auth;

/**
 * The user's second factor is locked after too many consecutive wrong codes ({@link
 * AuthSettings#mfaLockoutThreshold()}); only an administrator can unlock it ({@link
 * UserAdministration#unlockSecondFactor}). Thrown only to a caller that already proved the password (it holds an MFA
 * challenge or an access token), so it reveals nothing to a password guesser. HTTP hosts answer 403 or 423.
 */
public final class AccountLockedException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public AccountLockedException() {
    super("second factor locked after too many failed attempts; an administrator must unlock it");
  }
}
