package dev.secureyeoman.auth;

/**
 * An administrative operation named a user that does not exist. Only {@link UserAdministration} throws it: telling an
 * administrator that a name is unknown is not an enumeration oracle, and login failures stay generic.
 */
public final class NoSuchUserException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public NoSuchUserException() {
    super("no such user");
  }
}
