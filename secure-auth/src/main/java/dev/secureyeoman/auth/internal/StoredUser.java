package dev.secureyeoman.auth.internal;

import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpParameters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One row of {@code users}, read by column name (a reordered {@code SELECT} cannot shift a security check onto another
 * column). Holds sealed TOTP secrets only.
 */
record StoredUser(
    String id,
    String username,
    String passwordHash,
    Set<String> roles,
    long tokenVersion,
    boolean disabled,
    boolean mustChangePassword,
    boolean totpEnabled,
    byte[] totpSecret,
    TotpParameters totpParameters,
    byte[] pendingSecret,
    long pendingExpiresAt,
    int mfaFailures,
    Long mfaLastFailureAt,
    boolean mfaLocked,
    long createdAt,
    long updatedAt) {

  static final String COLUMNS =
      "id, username, password_hash, roles, token_version, disabled, must_change_password, totp_enabled, totp_secret,"
          + " totp_algorithm, totp_digits, totp_period, totp_pending_secret, totp_pending_expires_at, mfa_failures,"
          + " mfa_last_failure_at, mfa_locked_at, created_at, updated_at";
  static final String BY_ID = "SELECT " + COLUMNS + " FROM users WHERE id = ?";
  static final String BY_KEY = "SELECT " + COLUMNS + " FROM users WHERE username_key = ?";
  static final String ALL = "SELECT " + COLUMNS + " FROM users ORDER BY username_key";

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
        parseRoles(rs.getString("roles")),
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

  /** This row with another password hash (after a rehash this instance committed). */
  StoredUser withPasswordHash(String hash) {
    return new StoredUser(
        id, username, hash, roles, tokenVersion, disabled, mustChangePassword, totpEnabled, totpSecret, totpParameters,
        pendingSecret, pendingExpiresAt, mfaFailures, mfaLastFailureAt, mfaLocked, createdAt, updatedAt);
  }

  static Set<String> parseRoles(String s) {
    return s == null || s.isEmpty() ? Set.of() : Set.of(s.split(","));
  }

  static String formatRoles(Set<String> roles) {
    return String.join(",", new TreeSet<>(roles));
  }

  /** User names are unique ignoring case. */
  static String key(String username) {
    return username.toLowerCase(Locale.ROOT);
  }
}
