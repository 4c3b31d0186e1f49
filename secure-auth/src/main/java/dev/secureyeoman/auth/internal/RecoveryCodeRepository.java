package dev.secureyeoman.auth.internal;

import java.sql.SQLException;
import java.util.List;

/** The {@code recovery_codes} table: keyed hashes of a user's recovery codes; {@link #use} is single-use (CAS). */
final class RecoveryCodeRepository {
  private static final String USE =
      "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL";
  private static final String COUNT_UNUSED =
      "SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL";
  private static final String DELETE_OF_USER = "DELETE FROM recovery_codes WHERE user_id = ?";
  private static final String INSERT = "INSERT INTO recovery_codes(user_id, code_hash) VALUES (?, ?)";

  /** Uses a code up; false if unknown or already used (also by a concurrent request). */
  boolean use(AuthDatabase.Tx tx, String userId, byte[] codeHash, long now) throws SQLException {
    return tx.update(USE, now, userId, codeHash) == 1;
  }

  long countUnused(AuthDatabase.Sql sql, String userId) throws SQLException {
    return sql.one(COUNT_UNUSED, rs -> rs.getLong("n"), userId).orElse(0L);
  }

  void deleteOfUser(AuthDatabase.Tx tx, String userId) throws SQLException {
    tx.update(DELETE_OF_USER, userId);
  }

  /** Replaces every code of the user with {@code codeHashes}. */
  void replace(AuthDatabase.Tx tx, String userId, List<byte[]> codeHashes) throws SQLException {
    deleteOfUser(tx, userId);
    for (byte[] h : codeHashes) {
      tx.update(INSERT, userId, h);
    }
  }
}
