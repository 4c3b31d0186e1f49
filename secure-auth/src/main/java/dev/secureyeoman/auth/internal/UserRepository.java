package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpParameters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code users} table: account, password, token version, TOTP secret and the persisted second-factor counters. Rows
 * are read by column name into {@link StoredUser} (a reordered {@code SELECT} cannot shift a security check onto another
 * column). Compare-and-set updates return whether they changed the row; the callers decide inside their transaction.
 */
final class UserRepository {
  static final String COLUMNS =
      "id, username, password_hash, roles, token_version, disabled, must_change_password, totp_enabled, totp_secret,"
          + " totp_algorithm, totp_digits, totp_period, totp_pending_secret, totp_pending_expires_at, mfa_failures,"
          + " mfa_last_failure_at, mfa_locked_at, created_at, updated_at";
  private static final String BY_ID = "SELECT " + COLUMNS + " FROM users WHERE id = ?";
  private static final String BY_KEY = "SELECT " + COLUMNS + " FROM users WHERE username_key = ?";
  private static final String ALL = "SELECT " + COLUMNS + " FROM users ORDER BY username_key";
  private static final String INSERT =
      "INSERT INTO users(id, username, username_key, password_hash, roles, token_version, created_at, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, 0, ?, ?)";
  private static final String ID_BY_KEY = "SELECT id FROM users WHERE username_key = ?";
  private static final String REHASH =
      "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?";
  private static final String SET_PASSWORD =
      "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?";
  private static final String SET_DISABLED = "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?";
  private static final String SET_ROLES = "UPDATE users SET roles = ?, updated_at = ? WHERE id = ?";
  private static final String DELETE = "DELETE FROM users WHERE id = ?";
  private static final String ENABLED_ROLES = "SELECT roles FROM users WHERE disabled = 0";
  private static final String TOKEN_VERSION = "SELECT token_version FROM users WHERE id = ?";
  private static final String BUMP_VERSION =
      "UPDATE users SET token_version = token_version + 1, updated_at = ? WHERE id = ?";
  // second-factor counters
  private static final String MFA_CHARGE =
      "UPDATE users SET mfa_failures = mfa_failures + 1, mfa_last_failure_at = ? WHERE id = ?";
  private static final String MFA_CLEAR = "UPDATE users SET mfa_failures = 0 WHERE id = ?";
  private static final String MFA_REFUND =
      "UPDATE users SET mfa_failures = mfa_failures - 1 WHERE id = ? AND mfa_failures > 0";
  private static final String MFA_LOCK =
      "UPDATE users SET mfa_locked_at = ? WHERE id = ? AND mfa_failures >= ? AND mfa_locked_at IS NULL";
  private static final String MFA_UNLOCK =
      "UPDATE users SET mfa_failures = 0, mfa_last_failure_at = NULL, mfa_locked_at = NULL WHERE id = ?";
  // TOTP
  private static final String ADVANCE_STEP =
      "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_enabled = 1"
          + " AND (totp_last_step IS NULL OR totp_last_step < ?)";
  private static final String SET_PENDING =
      "UPDATE users SET totp_pending_secret = ?, totp_pending_expires_at = ?, totp_algorithm = ?, totp_digits = ?,"
          + " totp_period = ? WHERE id = ? AND totp_enabled = 0";
  private static final String ENABLE_TOTP =
      "UPDATE users SET totp_secret = totp_pending_secret, totp_enabled = 1, totp_last_step = ?,"
          + " totp_pending_secret = NULL, totp_pending_expires_at = NULL WHERE id = ? AND totp_enabled = 0"
          + " AND totp_pending_secret = ?";
  private static final String DISABLE_TOTP =
      "UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = NULL, totp_algorithm = NULL,"
          + " totp_digits = NULL, totp_period = NULL, totp_pending_secret = NULL, totp_pending_expires_at = NULL"
          + " WHERE id = ?";

  /** Maps a row of {@link #COLUMNS} by column name. */
  static StoredUser map(ResultSet rs) throws SQLException {
    String alg = rs.getString("totp_algorithm");
    TotpParameters tp =
        alg == null
            ? null
            : new TotpParameters(TotpAlgorithm.valueOf(alg), rs.getInt("totp_digits"), rs.getInt("totp_period"));
    return new StoredUser(
        rs.getString("id"),
        rs.getString("username"),
        rs.getString("password_hash"),
        StoredUser.parseRoles(rs.getString("roles")),
        rs.getLong("token_version"),
        rs.getInt("disabled") == 1,
        rs.getInt("must_change_password") == 1,
        rs.getInt("totp_enabled") == 1,
        rs.getBytes("totp_secret"),
        tp,
        rs.getBytes("totp_pending_secret"),
        rs.getLong("totp_pending_expires_at"),
        rs.getInt("mfa_failures"),
        AuthDatabase.nullableLong(rs, "mfa_last_failure_at"),
        AuthDatabase.nullableLong(rs, "mfa_locked_at") != null,
        rs.getLong("created_at"),
        rs.getLong("updated_at"));
  }

  // ------------------------------------------------------------------------------------------------ reads

  Optional<StoredUser> byId(AuthDatabase.Sql sql, String id) throws SQLException {
    return sql.one(BY_ID, UserRepository::map, id);
  }

  Optional<StoredUser> byKey(AuthDatabase.Sql sql, String usernameKey) throws SQLException {
    return sql.one(BY_KEY, UserRepository::map, usernameKey);
  }

  List<StoredUser> all(AuthDatabase.Sql sql) throws SQLException {
    return sql.list(ALL, UserRepository::map);
  }

  boolean existsKey(AuthDatabase.Sql sql, String usernameKey) throws SQLException {
    return sql.one(ID_BY_KEY, rs -> rs.getString("id"), usernameKey).isPresent();
  }

  /** The roles of every enabled user. */
  List<Set<String>> enabledRoles(AuthDatabase.Sql sql) throws SQLException {
    return sql.list(ENABLED_ROLES, rs -> StoredUser.parseRoles(rs.getString("roles")));
  }

  Optional<Long> tokenVersion(AuthDatabase.Sql sql, String id) throws SQLException {
    return sql.one(TOKEN_VERSION, rs -> rs.getLong("token_version"), id);
  }

  // ------------------------------------------------------------------------------------------------ accounts

  void insert(AuthDatabase.Tx tx, String id, String username, String usernameKey, String hash, String roles, long now)
      throws SQLException {
    tx.update(INSERT, id, username, usernameKey, hash, roles, now, now);
  }

  /** Replaces the hash only if it is still {@code oldHash}. */
  boolean rehash(AuthDatabase.Tx tx, String id, String oldHash, String newHash, long now) throws SQLException {
    return tx.update(REHASH, newHash, now, id, oldHash) == 1;
  }

  void setPassword(AuthDatabase.Tx tx, String id, String hash, boolean mustChange, long now) throws SQLException {
    tx.update(SET_PASSWORD, hash, mustChange ? 1 : 0, now, id);
  }

  void setDisabled(AuthDatabase.Tx tx, String id, boolean disabled, long now) throws SQLException {
    tx.update(SET_DISABLED, disabled ? 1 : 0, now, id);
  }

  void setRoles(AuthDatabase.Tx tx, String id, String roles, long now) throws SQLException {
    tx.update(SET_ROLES, roles, now, id);
  }

  void delete(AuthDatabase.Tx tx, String id) throws SQLException {
    tx.update(DELETE, id);
  }

  /** Increments the token version; false if there is no such user. */
  boolean bumpTokenVersion(AuthDatabase.Tx tx, String id, long now) throws SQLException {
    return tx.update(BUMP_VERSION, now, id) == 1;
  }

  // ------------------------------------------------------------------------------------------------ second factor

  void chargeMfaFailure(AuthDatabase.Tx tx, String id, long now) throws SQLException {
    tx.update(MFA_CHARGE, now, id);
  }

  void clearMfaFailures(AuthDatabase.Tx tx, String id) throws SQLException {
    tx.update(MFA_CLEAR, id);
  }

  void refundMfaFailure(AuthDatabase.Tx tx, String id) throws SQLException {
    tx.update(MFA_REFUND, id);
  }

  /** Locks the second factor if the count reached {@code threshold} and it is not locked yet; true if this locked it. */
  boolean lockMfa(AuthDatabase.Tx tx, String id, long now, int threshold) throws SQLException {
    return tx.update(MFA_LOCK, now, id, threshold) == 1;
  }

  void unlockMfa(AuthDatabase.Tx tx, String id) throws SQLException {
    tx.update(MFA_UNLOCK, id);
  }

  /** The TOTP replay compare-and-set: records {@code step} as used only if it is after the last used step. */
  boolean advanceTotpStep(AuthDatabase.Tx tx, String id, long step) throws SQLException {
    return tx.update(ADVANCE_STEP, step, id, step) == 1;
  }

  void setPendingTotp(
      AuthDatabase.Tx tx, String id, byte[] sealed, long expiresAt, TotpParameters p) throws SQLException {
    tx.update(SET_PENDING, sealed, expiresAt, p.algorithm().name(), p.digits(), p.periodSeconds(), id);
  }

  /** Enables the pending secret if it is still {@code pendingSecret}; {@code step} counts as used. */
  boolean enableTotp(AuthDatabase.Tx tx, String id, long step, byte[] pendingSecret) throws SQLException {
    return tx.update(ENABLE_TOTP, step, id, pendingSecret) == 1;
  }

  void disableTotp(AuthDatabase.Tx tx, String id) throws SQLException {
    tx.update(DISABLE_TOTP, id);
  }
}
