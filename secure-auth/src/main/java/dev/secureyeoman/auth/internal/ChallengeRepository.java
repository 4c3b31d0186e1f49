package dev.secureyeoman.auth.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The {@code mfa_challenges} table (MFA and password-change challenges, stored as HMACs). {@link #claimAttempt} and
 * {@link #consume} are compare-and-set updates: an attempt is counted only under the cap, a challenge is used once.
 */
final class ChallengeRepository {
  private static final String INSERT =
      "INSERT INTO mfa_challenges(challenge_hash, user_id, token_version, remember_me, expires_at, purpose)"
          + " VALUES (?, ?, ?, ?, ?, ?)";
  private static final String SELECT =
      "SELECT user_id, token_version, remember_me, expires_at, attempts, used_at, purpose FROM mfa_challenges"
          + " WHERE challenge_hash = ?";
  private static final String CLAIM_ATTEMPT =
      "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE challenge_hash = ? AND attempts < ?"
          + " AND used_at IS NULL AND expires_at > ?";
  private static final String REFUND_ATTEMPT =
      "UPDATE mfa_challenges SET attempts = attempts - 1 WHERE challenge_hash = ? AND attempts > 0";
  private static final String CONSUME =
      "UPDATE mfa_challenges SET used_at = ? WHERE challenge_hash = ? AND used_at IS NULL AND expires_at > ?";
  private static final String DELETE_OF_USER = "DELETE FROM mfa_challenges WHERE user_id = ?";

  /** A stored challenge. */
  record Stored(
      String userId, long tokenVersion, boolean rememberMe, long expiresAt, int attempts, boolean used,
      String purpose) {}

  private static Stored map(ResultSet rs) throws SQLException {
    return new Stored(
        rs.getString("user_id"),
        rs.getLong("token_version"),
        rs.getInt("remember_me") == 1,
        rs.getLong("expires_at"),
        rs.getInt("attempts"),
        AuthDatabase.nullableLong(rs, "used_at") != null,
        rs.getString("purpose"));
  }

  void insert(
      AuthDatabase.Tx tx, byte[] hash, String userId, long tokenVersion, boolean rememberMe, long expiresAt,
      String purpose) throws SQLException {
    tx.update(INSERT, hash, userId, tokenVersion, rememberMe ? 1 : 0, expiresAt, purpose);
  }

  Optional<Stored> find(AuthDatabase.Sql sql, byte[] hash) throws SQLException {
    return sql.one(SELECT, ChallengeRepository::map, hash);
  }

  /** Counts one attempt if fewer than {@code max} were made and the challenge is unused and unexpired. */
  boolean claimAttempt(AuthDatabase.Tx tx, byte[] hash, int max, long now) throws SQLException {
    return tx.update(CLAIM_ATTEMPT, hash, max, now) == 1;
  }

  void refundAttempt(AuthDatabase.Tx tx, byte[] hash) throws SQLException {
    tx.update(REFUND_ATTEMPT, hash);
  }

  /** Marks the challenge used if it is unused and unexpired; false if another request did first or it expired. */
  boolean consume(AuthDatabase.Tx tx, byte[] hash, long now) throws SQLException {
    return tx.update(CONSUME, now, hash, now) == 1;
  }

  void deleteOfUser(AuthDatabase.Tx tx, String userId) throws SQLException {
    tx.update(DELETE_OF_USER, userId);
  }
}
