package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.SessionInfo;
import dev.secureyeoman.auth.UserAdministration;
import dev.secureyeoman.auth.UserInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** {@link UserAdministration} acting as one audited actor (an administrator's user id or {@code operator:<name>}). */
final class Administration implements UserAdministration {
  private final String actor;
  private final Accounts accounts;
  private final Sessions sessions;
  private final TotpLifecycle totp;

  Administration(String actor, Accounts accounts, Sessions sessions, TotpLifecycle totp) {
    this.actor = actor;
    this.accounts = accounts;
    this.sessions = sessions;
    this.totp = totp;
  }

  @Override
  public List<UserInfo> listUsers() throws AuthException {
    return accounts.list();
  }

  @Override
  public Optional<UserInfo> findUser(String username) throws AuthException {
    return accounts.byName(username).map(Accounts::info);
  }

  @Override
  public String createUser(String username, char[] password, Set<String> roles) throws AuthException {
    return accounts.create(actor, username, password, roles);
  }

  @Override
  public void disableUser(String username) throws AuthException {
    accounts.setDisabled(actor, username, true);
  }

  @Override
  public void enableUser(String username) throws AuthException {
    accounts.setDisabled(actor, username, false);
  }

  @Override
  public void deleteUser(String username) throws AuthException {
    accounts.delete(actor, username);
  }

  @Override
  public void setRoles(String username, Set<String> roles) throws AuthException {
    accounts.setRoles(actor, username, roles);
  }

  @Override
  public void resetPassword(String username, char[] newPassword) throws AuthException {
    Objects.requireNonNull(newPassword, "newPassword");
    accounts.adminResetPassword(actor, username, newPassword);
  }

  @Override
  public void unlockSecondFactor(String username) throws AuthException {
    totp.unlock(actor, accounts.requireByName(username));
  }

  @Override
  public void resetSecondFactor(String username) throws AuthException {
    totp.reset(actor, accounts.requireByName(username));
  }

  @Override
  public List<SessionInfo> listSessions(Optional<String> username, boolean includeEnded) throws AuthException {
    Objects.requireNonNull(username, "username");
    Optional<String> userId =
        username.isPresent() ? Optional.of(accounts.requireByName(username.get()).id()) : Optional.empty();
    return sessions.list(userId, includeEnded);
  }

  @Override
  public boolean revokeSession(String sessionId) throws AuthException {
    return sessions.revoke(actor, sessionId);
  }

  @Override
  public void revokeSessions(String username) throws AuthException {
    sessions.revokeAll(actor, accounts.requireByName(username));
  }
}
