package dev.secureyeoman.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A session (one refresh-token family) as an administrator sees it ({@link UserAdministration#listSessions}); never a
 * token.
 *
 * @param id the session id (the {@code sid} of its access tokens, {@link Principal#sessionId()})
 * @param userId the owner's id
 * @param username the owner's name
 * @param rememberMe whether it was opened with remember-me
 * @param createdAt when it was opened
 * @param expiresAt when it ends at the latest
 * @param lastUsedAt the last refresh, if any
 * @param clientAddress the client address of the login, as the host passed it
 * @param userAgent the user agent of the login, if the host passed one
 * @param revokedAt when it was revoked, if it was
 * @param revokeReason why ({@code logout}, {@code password_reset}, {@code admin} …), if revoked
 */
public record SessionInfo(
    String id,
    String userId,
    String username,
    boolean rememberMe,
    Instant createdAt,
    Instant expiresAt,
    Optional<Instant> lastUsedAt,
    Optional<String> clientAddress,
    Optional<String> userAgent,
    Optional<Instant> revokedAt,
    Optional<String> revokeReason) {

  /** Validates the fields. */
  public SessionInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(userAgent, "userAgent");
    Objects.requireNonNull(revokedAt, "revokedAt");
    Objects.requireNonNull(revokeReason, "revokeReason");
  }

  /**
   * Whether the session can still be refreshed at {@code now} (neither revoked nor expired; a password reset or "log out
   * everywhere" may still have invalidated it through the token version).
   *
   * @param now the time to judge at
   * @return true if active
   */
  public boolean activeAt(Instant now) {
    return revokedAt.isEmpty() && now.isBefore(expiresAt);
  }
}
