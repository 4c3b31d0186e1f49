package dev.secureyeoman.auth;

/**
 * An administrative change was refused because it would leave no enabled administrator: disabling, deleting or
 * removing the {@code admin} role of the last enabled user holding it. Nothing changed. Changes to other users are
 * never refused for this reason, also when the database has no administrator at all.
 *
 * <p>Only administrative callers see it (an {@link UserAdministration}), so naming the reason is no oracle.
 */
public final class LastAdministratorException extends AuthException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public LastAdministratorException() {
    super("refused: no enabled administrator would remain");
  }
}
