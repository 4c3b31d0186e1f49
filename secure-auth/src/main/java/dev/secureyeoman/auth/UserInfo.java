package dev.secureyeoman.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What an administrator sees of an account ({@link UserAdministration#listUsers}); never a hash or a secret.
 *
 * @param id stable user id
 * @param username the user name (unique ignoring case)
 * @param roles the roles, {@link Principal#ROLE_USER} included
 * @param enabled false once disabled: logins are refused and every token is revoked
 * @param totpEnabled whether TOTP two-factor authentication is enabled
 * @param mustChangePassword set by an administrator's reset: the next login must choose a new password
 * @param secondFactorLocked locked after too many wrong second-factor codes, until an administrator unlocks it
 * @param createdAt when the account was created
 * @param updatedAt last change of password, roles, state or token version
 */
public record UserInfo(
    String id,
    String username,
    Set<String> roles,
    boolean enabled,
    boolean totpEnabled,
    boolean mustChangePassword,
    boolean secondFactorLocked,
    Instant createdAt,
    Instant updatedAt) {

  /** Validates and copies. */
  public UserInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    roles = Set.copyOf(roles);
  }
}
