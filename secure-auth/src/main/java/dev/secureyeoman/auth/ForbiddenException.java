package dev.secureyeoman.auth;

/** The principal is authenticated but lacks the role the action needs. */
public final class ForbiddenException extends AuthException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param requiredRole the role that was missing (not secret)
   */
  public ForbiddenException(String requiredRole) {
    super("forbidden: role '" + requiredRole + "' required");
  }
}
