package dev.secureyeoman.auth;

/**
 * {@link AuthService#createUser} was asked for a user name that is already taken (names are unique ignoring case).
 *
 * <p>Only administrative callers create users, so telling them the name exists is not an enumeration oracle; login
 * failures stay generic.
 */
public final class UserExistsException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public UserExistsException() {
    super("user name is already taken");
  }
}
