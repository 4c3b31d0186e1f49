package dev.secureyeoman.auth.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Versioned schema of the auth database; migrations run in one transaction each. */
final class Schema {
  static final int VERSION = 1;

  private static final List<String> V1 =
      List.of(
          "CREATE TABLE users("
              + " id TEXT PRIMARY KEY,"
              + " username TEXT NOT NULL,"
              + " username_key TEXT NOT NULL UNIQUE,"
              + " password_hash TEXT NOT NULL,"
              + " roles TEXT NOT NULL,"
              + " token_version INTEGER NOT NULL DEFAULT 0,"
              + " created_at INTEGER NOT NULL,"
              + " updated_at INTEGER NOT NULL,"
              + " totp_enabled INTEGER NOT NULL DEFAULT 0,"
              + " totp_secret BLOB,"
              + " totp_algorithm TEXT,"
              + " totp_digits INTEGER,"
              + " totp_period INTEGER,"
              + " totp_last_step INTEGER,"
              + " totp_pending_secret BLOB,"
              + " totp_pending_expires_at INTEGER)",
          "CREATE TABLE sessions("
              + " id TEXT PRIMARY KEY,"
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " remember_me INTEGER NOT NULL,"
              + " token_version INTEGER NOT NULL,"
              + " created_at INTEGER NOT NULL,"
              + " expires_at INTEGER NOT NULL,"
              + " revoked_at INTEGER,"
              + " revoke_reason TEXT,"
              + " client_address TEXT)",
          "CREATE INDEX sessions_user ON sessions(user_id)",
          "CREATE TABLE refresh_tokens("
              + " token_hash BLOB PRIMARY KEY,"
              + " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
              + " issued_at INTEGER NOT NULL,"
              + " used_at INTEGER)",
          "CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id)",
          "CREATE TABLE mfa_challenges("
              + " challenge_hash BLOB PRIMARY KEY,"
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " token_version INTEGER NOT NULL,"
              + " remember_me INTEGER NOT NULL,"
              + " expires_at INTEGER NOT NULL,"
              + " attempts INTEGER NOT NULL DEFAULT 0,"
              + " used_at INTEGER)",
          "CREATE TABLE recovery_codes("
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " code_hash BLOB NOT NULL,"
              + " used_at INTEGER,"
              + " PRIMARY KEY(user_id, code_hash))",
          "CREATE TABLE signing_keys(kid TEXT PRIMARY KEY, created_at INTEGER NOT NULL)");

  private Schema() {}

  /** Creates or migrates the schema; refuses a database written by a newer version. */
  static void migrate(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        st.execute("CREATE TABLE IF NOT EXISTS auth_schema(version INTEGER NOT NULL)");
        int current = 0;
        try (ResultSet rs = st.executeQuery("SELECT max(version) FROM auth_schema")) {
          if (rs.next()) {
            current = rs.getInt(1);
          }
        }
        if (current > VERSION) {
          throw new SQLException("auth database schema version " + current + " is newer than supported " + VERSION);
        }
        if (current < 1) {
          for (String sql : V1) {
            st.execute(sql);
          }
          st.execute("INSERT INTO auth_schema(version) VALUES (1)");
        }
        st.execute("COMMIT");
      } catch (SQLException e) {
        st.execute("ROLLBACK");
        throw e;
      }
    }
  }
}
