package dev.secureyeoman.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated user, as proven by a valid access token.
 *
 * @param userId stable user id
 * @param username the user name
 * @param roles the user's roles (e.g. {@link #ROLE_ADMIN})
 * @param sessionId the session (refresh-token family) the token belongs to
 * @param expiresAt when the access token expires
 */
public record Principal(String userId, String username, Set<String> roles, String sessionId, Instant expiresAt) {

  /** The administrator role; required by {@link AuthService#resetPassword}. */
  public static final String ROLE_ADMIN = "admin";

  /** The default role of every user. */
  public static final String ROLE_USER = "user";

  /** Validates and copies. */
  public Principal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    roles = Set.copyOf(roles);
  }

  /**
   * Whether this principal has a role.
   *
   * @param role the role name
   * @return true if granted
   */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
