package dev.secureyeoman.auth.internal;

import java.util.List;

/**
 * SQLite's dialect: {@code BEGIN IMMEDIATE} (the write lock at the start of the transaction) and the DDL (types,
 * {@code AUTOINCREMENT}, {@code rowid}).
 */
final class SqliteDialect implements SqlDialect {
  /** Version 1: users, sessions, refresh tokens, MFA challenges, recovery codes, signing key ids. */
  static final List<String> V1 =
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

  /**
   * Version 2: account state (disabled, forced password change), the persisted second-factor failure counter and lock,
   * session user agent and last use, challenge purpose, ordered key generations and the revocation feed that other
   * instances poll.
   */
  static final List<String> V2 =
      List.of(
          "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN mfa_last_failure_at INTEGER",
          "ALTER TABLE users ADD COLUMN mfa_locked_at INTEGER",
          "ALTER TABLE sessions ADD COLUMN user_agent TEXT",
          "ALTER TABLE sessions ADD COLUMN last_used_at INTEGER",
          "ALTER TABLE mfa_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'mfa'",
          "ALTER TABLE signing_keys ADD COLUMN generation INTEGER",
          "UPDATE signing_keys SET generation = rowid",
          "CREATE UNIQUE INDEX signing_keys_generation ON signing_keys(generation)",
          "CREATE TABLE revocations("
              + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " kind TEXT NOT NULL,"
              + " user_id TEXT,"
              + " session_id TEXT,"
              + " token_version INTEGER,"
              + " created_at INTEGER NOT NULL)",
          "CREATE INDEX revocations_created ON revocations(created_at)");

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public String beginWrite() {
    return "BEGIN IMMEDIATE";
  }

  @Override
  public List<List<String>> migrations() {
    return List.of(V1, V2);
  }
}
