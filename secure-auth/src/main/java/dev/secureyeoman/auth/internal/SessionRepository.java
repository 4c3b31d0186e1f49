package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.SessionInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code sessions} and {@code refresh_tokens} tables: a session is a refresh-token family. Refresh tokens are stored
 * as HMACs only; {@link #useRefreshToken} is the compare-and-set that makes a rotated token single-use (a second use is
 * a reuse). Rows are read by column name.
 */
final class SessionRepository {
  private static final String INSERT_SESSION =
      "INSERT INTO sessions(id, user_id, remember_me, token_version, created_at, expires_at, client_address,"
          + " user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_REFRESH =
      "INSERT INTO refresh_tokens(token_hash, session_id, issued_at) VALUES (?, ?, ?)";
  private static final String REFRESH_LOOKUP =
      "SELECT rt.used_at, s.id AS session_id, s.user_id, u.username, u.roles, s.token_version AS session_tv,"
          + " s.expires_at, s.remember_me, s.revoked_at, u.token_version AS user_tv, u.disabled"
          + " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = s.user_id"
          + " WHERE rt.token_hash = ?";
  private static final String USE_REFRESH =
      "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
  private static final String TOUCH = "UPDATE sessions SET last_used_at = ? WHERE id = ?";
  private static final String SESSION_COLUMNS =
      "SELECT s.id, s.user_id, u.username, s.remember_me, s.created_at, s.expires_at, s.last_used_at,"
          + " s.client_address, s.user_agent, s.revoked_at, s.revoke_reason FROM sessions s"
          + " JOIN users u ON u.id = s.user_id";
  private static final String LIST_ALL = SESSION_COLUMNS + " ORDER BY s.created_at DESC, s.id";
  private static final String LIST_USER = SESSION_COLUMNS + " WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id";
  private static final String BY_ID = SESSION_COLUMNS + " WHERE s.id = ?";
  private static final String REVOKE =
      "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL";
  private static final String EXPIRY = "SELECT expires_at FROM sessions WHERE id = ?";
  private static final String REVOKE_USER =
      "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL";
  private static final String ACTIVE_EXCEPT =
      "SELECT id FROM sessions WHERE user_id = ? AND id <> ? AND revoked_at IS NULL AND expires_at > ?";
  private static final String REVOKED_UNEXPIRED =
      "SELECT id, expires_at FROM sessions WHERE revoked_at IS NOT NULL AND expires_at > ?";

  /** A refresh token with its session and user, as read in the refreshing transaction. */
  record RefreshRow(
      boolean used,
      String sessionId,
      String userId,
      String username,
      Set<String> roles,
      long sessionTv,
      long userTv,
      boolean disabled,
      long expiresAt,
      boolean rememberMe,
      boolean revoked) {}

  /** A revoked session and its expiry (epoch ms). */
  record Revoked(String sessionId, long expiresAt) {}

  private static RefreshRow refreshRow(ResultSet rs) throws SQLException {
    return new RefreshRow(
        AuthDatabase.nullableLong(rs, "used_at") != null,
        rs.getString("session_id"),
        rs.getString("user_id"),
        rs.getString("username"),
        StoredUser.parseRoles(rs.getString("roles")),
        rs.getLong("session_tv"),
        rs.getLong("user_tv"),
        rs.getInt("disabled") == 1,
        rs.getLong("expires_at"),
        rs.getInt("remember_me") == 1,
        AuthDatabase.nullableLong(rs, "revoked_at") != null);
  }

  private static SessionInfo sessionInfo(ResultSet rs) throws SQLException {
    Long last = AuthDatabase.nullableLong(rs, "last_used_at");
    Long revoked = AuthDatabase.nullableLong(rs, "revoked_at");
    return new SessionInfo(
        rs.getString("id"),
        rs.getString("user_id"),
        rs.getString("username"),
        rs.getInt("remember_me") == 1,
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        Optional.ofNullable(last).map(Instant::ofEpochMilli),
        Optional.ofNullable(rs.getString("client_address")),
        Optional.ofNullable(rs.getString("user_agent")),
        Optional.ofNullable(revoked).map(Instant::ofEpochMilli),
        Optional.ofNullable(rs.getString("revoke_reason")));
  }

  // ------------------------------------------------------------------------------------------------ sessions

  void insert(
      AuthDatabase.Tx tx, String id, String userId, boolean rememberMe, long tokenVersion, long createdAt,
      long expiresAt, String clientAddress, @Nullable String userAgent) throws SQLException {
    tx.update(
        INSERT_SESSION, id, userId, rememberMe ? 1 : 0, tokenVersion, createdAt, expiresAt, clientAddress, userAgent);
  }

  void touch(AuthDatabase.Tx tx, String id, long now) throws SQLException {
    tx.update(TOUCH, now, id);
  }

  Optional<SessionInfo> info(AuthDatabase.Sql sql, String id) throws SQLException {
    return sql.one(BY_ID, SessionRepository::sessionInfo, id);
  }

  /** Every session, or those of one user, newest first. */
  List<SessionInfo> list(AuthDatabase.Sql sql, Optional<String> userId) throws SQLException {
    return userId.isPresent()
        ? sql.list(LIST_USER, SessionRepository::sessionInfo, userId.get())
        : sql.list(LIST_ALL, SessionRepository::sessionInfo);
  }

  /** Revokes one active session of the user; false if unknown, another user's, or already revoked. */
  boolean revoke(AuthDatabase.Tx tx, String userId, String sessionId, String reason, long now) throws SQLException {
    return tx.update(REVOKE, now, reason, sessionId, userId) == 1;
  }

  void revokeAllOfUser(AuthDatabase.Tx tx, String userId, String reason, long now) throws SQLException {
    tx.update(REVOKE_USER, now, reason, userId);
  }

  Optional<Long> expiresAt(AuthDatabase.Sql sql, String sessionId) throws SQLException {
    return sql.one(EXPIRY, rs -> rs.getLong("expires_at"), sessionId);
  }

  /** The ids of the user's unrevoked, unexpired sessions other than {@code keep}. */
  List<String> activeExcept(AuthDatabase.Sql sql, String userId, String keep, long now) throws SQLException {
    return sql.list(ACTIVE_EXCEPT, rs -> rs.getString("id"), userId, keep, now);
  }

  /** Revoked sessions that expire after {@code after} (epoch ms). */
  List<Revoked> revokedExpiringAfter(AuthDatabase.Sql sql, long after) throws SQLException {
    return sql.list(REVOKED_UNEXPIRED, rs -> new Revoked(rs.getString("id"), rs.getLong("expires_at")), after);
  }

  // ------------------------------------------------------------------------------------------------ refresh tokens

  void insertRefreshToken(AuthDatabase.Tx tx, byte[] tokenHash, String sessionId, long now) throws SQLException {
    tx.update(INSERT_REFRESH, tokenHash, sessionId, now);
  }

  Optional<RefreshRow> refreshToken(AuthDatabase.Sql sql, byte[] tokenHash) throws SQLException {
    return sql.one(REFRESH_LOOKUP, SessionRepository::refreshRow, tokenHash);
  }

  /** Marks a refresh token used if it was not; false means a concurrent or earlier use (reuse). */
  boolean useRefreshToken(AuthDatabase.Tx tx, byte[] tokenHash, long now) throws SQLException {
    return tx.update(USE_REFRESH, now, tokenHash) == 1;
  }
}
