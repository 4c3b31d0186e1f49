package dev.secureyeoman.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Account administration, obtained from {@link AuthService#admin(Principal)} (an authenticated administrator, for HTTP
 * hosts) or {@link AuthService#operator(String)} (a local operator with access to the database, for the {@code
 * secureyeoman auth} command). Every change is audited with the acting administrator before it commits, and every change
 * that weakens an account's access (disable, delete, new roles, password reset, 2FA reset) revokes all of its sessions and
 * tokens the way a password reset does.
 *
 * <p>Users are named by user name (case-insensitive). Refused: leaving no enabled administrator (disable, delete or
 * demote the last one) — {@link LastAdministratorException}, nothing changed.
 */
public interface UserAdministration {

  /**
   * Lists every account, ordered by name.
   *
   * @return the accounts
   * @throws AuthException if storage fails
   */
  List<UserInfo> listUsers() throws AuthException;

  /**
   * Looks an account up.
   *
   * @param username the name
   * @return the account, or empty
   * @throws AuthException if storage fails
   */
  Optional<UserInfo> findUser(String username) throws AuthException;

  /**
   * Creates an account ({@link AuthService#createUser}, audited with this administrator as actor).
   *
   * @param username 1–64 chars of {@code [A-Za-z0-9._@-]}
   * @param password the password (not retained)
   * @param roles roles; {@link Principal#ROLE_USER} is always added
   * @return the new user id
   * @throws PasswordPolicyException if the password violates the policy
   * @throws UserExistsException if the name is taken
   * @throws AuthException if storage or audit fails
   */
  String createUser(String username, char[] password, Set<String> roles) throws AuthException;

  /**
   * Disables an account: logins fail (with the generic error) and every session and token dies.
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws LastAdministratorException if it would leave no enabled administrator
   * @throws AuthException if storage or audit fails
   */
  void disableUser(String username) throws AuthException;

  /**
   * Enables a disabled account.
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws AuthException if storage or audit fails
   */
  void enableUser(String username) throws AuthException;

  /**
   * Deletes an account with its sessions, refresh tokens, challenges and recovery codes.
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws LastAdministratorException if it would leave no enabled administrator
   * @throws AuthException if storage or audit fails
   */
  void deleteUser(String username) throws AuthException;

  /**
   * Replaces an account's roles; tokens carrying the old roles die.
   *
   * @param username the name
   * @param roles the new roles ({@code [a-z][a-z0-9_-]{0,31}}); {@link Principal#ROLE_USER} is always added
   * @throws NoSuchUserException if there is no such account
   * @throws LastAdministratorException if it would leave no enabled administrator
   * @throws AuthException if storage or audit fails
   */
  void setRoles(String username, Set<String> roles) throws AuthException;

  /**
   * Sets a new password for another user and forces a change at their next login ({@link
   * LoginResult.PasswordChangeRequired}); every session and token of the user dies.
   *
   * @param username the name
   * @param newPassword the temporary password (policy applies; not retained)
   * @throws NoSuchUserException if there is no such account
   * @throws PasswordPolicyException if the password violates the policy
   * @throws AuthException if storage or audit fails
   */
  void resetPassword(String username, char[] newPassword) throws AuthException;

  /**
   * Clears the second-factor failure count and lock of an account.
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws AuthException if storage or audit fails
   */
  void unlockSecondFactor(String username) throws AuthException;

  /**
   * Removes an account's TOTP secret and recovery codes (a user who lost the device and the codes); every session and
   * token of the user dies.
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws AuthException if storage or audit fails
   */
  void resetSecondFactor(String username) throws AuthException;

  /**
   * Lists sessions, newest first.
   *
   * @param username only this account's sessions, or empty for all
   * @param includeEnded also revoked and expired sessions
   * @return the sessions
   * @throws NoSuchUserException if a name is given and there is no such account
   * @throws AuthException if storage fails
   */
  List<SessionInfo> listSessions(Optional<String> username, boolean includeEnded) throws AuthException;

  /**
   * Revokes one session: its refresh tokens and access tokens stop working.
   *
   * @param sessionId the session id
   * @return false if there was no such active session
   * @throws AuthException if storage or audit fails
   */
  boolean revokeSession(String sessionId) throws AuthException;

  /**
   * Revokes every session and token of an account ("log out everywhere" on the user's behalf).
   *
   * @param username the name
   * @throws NoSuchUserException if there is no such account
   * @throws AuthException if storage or audit fails
   */
  void revokeSessions(String username) throws AuthException;
}
