package dev.secureyeoman.auth.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL's dialect (tested on PostgreSQL 15, Debian 12's version).
 *
 * <p><b>Write lock.</b> A write transaction runs at {@code READ COMMITTED} and first takes the transaction-scoped
 * advisory lock {@link #WRITE_LOCK_KEY} ({@code pg_advisory_xact_lock}); every write transaction of every node takes
 * it, so they are serialised exactly like SQLite's {@code BEGIN IMMEDIATE}: each statement after the lock sees every
 * transaction committed before it, and a read-then-write (the TOTP replay compare-and-set, refresh-token reuse
 * detection, single-use recovery codes and challenges) cannot interleave with another node's. The lock is released by
 * {@code COMMIT} or {@code ROLLBACK}, also when the connection dies (the server ends the transaction), so a crashed node
 * never leaves it held. SERIALIZABLE is not used: it would need retries of whole units of work (with their audit events).
 * Transactions are begun through JDBC ({@code setAutoCommit(false)}) so that a pool which gets a connection back in a
 * failed transaction rolls it back before reuse.
 *
 * <p><b>Types.</b> Epoch milliseconds, versions and counters are {@code BIGINT}, flags {@code INTEGER} (0/1, as the
 * repositories write them), byte strings {@code BYTEA}. The migrations mirror SQLite's versions one to one, so the
 * schema version means the same on both engines.
 */
final class PostgresDialect implements SqlDialect {
  /** The advisory lock key every write transaction takes ("SYauth18" as ASCII). */
  static final long WRITE_LOCK_KEY = 0x5359617574683138L;

  /** Version 1: users, sessions, refresh tokens, MFA challenges, recovery codes, signing key ids. */
  static final List<String> V1 =
      List.of(
          "CREATE TABLE users("
              + " id TEXT PRIMARY KEY,"
              + " username TEXT NOT NULL,"
              + " username_key TEXT NOT NULL UNIQUE,"
              + " password_hash TEXT NOT NULL,"
              + " roles TEXT NOT NULL,"
              + " token_version BIGINT NOT NULL DEFAULT 0,"
              + " created_at BIGINT NOT NULL,"
              + " updated_at BIGINT NOT NULL,"
              + " totp_enabled INTEGER NOT NULL DEFAULT 0,"
              + " totp_secret BYTEA,"
              + " totp_algorithm TEXT,"
              + " totp_digits INTEGER,"
              + " totp_period INTEGER,"
              + " totp_last_step BIGINT,"
              + " totp_pending_secret BYTEA,"
              + " totp_pending_expires_at BIGINT)",
          "CREATE TABLE sessions("
              + " id TEXT PRIMARY KEY,"
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " remember_me INTEGER NOT NULL,"
              + " token_version BIGINT NOT NULL,"
              + " created_at BIGINT NOT NULL,"
              + " expires_at BIGINT NOT NULL,"
              + " revoked_at BIGINT,"
              + " revoke_reason TEXT,"
              + " client_address TEXT)",
          "CREATE INDEX sessions_user ON sessions(user_id)",
          "CREATE TABLE refresh_tokens("
              + " token_hash BYTEA PRIMARY KEY,"
              + " session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
              + " issued_at BIGINT NOT NULL,"
              + " used_at BIGINT)",
          "CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id)",
          "CREATE TABLE mfa_challenges("
              + " challenge_hash BYTEA PRIMARY KEY,"
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " token_version BIGINT NOT NULL,"
              + " remember_me INTEGER NOT NULL,"
              + " expires_at BIGINT NOT NULL,"
              + " attempts INTEGER NOT NULL DEFAULT 0,"
              + " used_at BIGINT)",
          "CREATE TABLE recovery_codes("
              + " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
              + " code_hash BYTEA NOT NULL,"
              + " used_at BIGINT,"
              + " PRIMARY KEY(user_id, code_hash))",
          "CREATE TABLE signing_keys(kid TEXT PRIMARY KEY, created_at BIGINT NOT NULL)");

  /** Version 2: as SQLite's version 2 (the feed's {@code seq} is assigned under the write lock, no sequence). */
  static final List<String> V2 =
      List.of(
          "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE users ADD COLUMN mfa_last_failure_at BIGINT",
          "ALTER TABLE users ADD COLUMN mfa_locked_at BIGINT",
          "ALTER TABLE sessions ADD COLUMN user_agent TEXT",
          "ALTER TABLE sessions ADD COLUMN last_used_at BIGINT",
          "ALTER TABLE mfa_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'mfa'",
          "ALTER TABLE signing_keys ADD COLUMN generation BIGINT",
          "UPDATE signing_keys k SET generation = o.g FROM (SELECT kid, row_number() OVER (ORDER BY created_at, kid) AS g"
              + " FROM signing_keys) o WHERE o.kid = k.kid",
          "CREATE UNIQUE INDEX signing_keys_generation ON signing_keys(generation)",
          "CREATE TABLE revocations("
              + " seq BIGINT PRIMARY KEY,"
              + " kind TEXT NOT NULL,"
              + " user_id TEXT,"
              + " session_id TEXT,"
              + " token_version BIGINT,"
              + " created_at BIGINT NOT NULL)",
          "CREATE INDEX revocations_created ON revocations(created_at)");

  /**
   * Seconds a write transaction may sit idle between statements while it holds the write lock before the server ends
   * its session ({@code idle_in_transaction_session_timeout}, for that transaction only): a node frozen inside its
   * transaction (SIGSTOP, VM pause, long GC, network partition) stops the other nodes' writes for at most this long
   * instead of until it resumes (or, partitioned, until the OS keepalive: about two hours). Above the audit store's own
   * bound (30 s), because the audit events of the transaction are written while it is open.
   */
  public static final int IDLE_HOLDER_TIMEOUT_SECONDS = 45;

  private static final String BEGIN_STATEMENTS =
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL idle_in_transaction_session_timeout = '"
          + IDLE_HOLDER_TIMEOUT_SECONDS + "s'; SELECT pg_advisory_xact_lock(" + WRITE_LOCK_KEY + ")";

  @Override
  public String name() {
    return "postgresql";
  }

  /** The lock statement run first in every write transaction (for messages and documentation). */
  @Override
  public String beginWrite() {
    return "SELECT pg_advisory_xact_lock(" + WRITE_LOCK_KEY + ")";
  }

  @Override
  public List<List<String>> migrations() {
    return List.of(V1, V2);
  }

  @Override
  public boolean externallyPooled() {
    return true;
  }

  /**
   * {@code READ COMMITTED} is set per transaction (whatever the server's or the pool's default), because the lock only
   * helps if every statement after it takes a fresh snapshot: at {@code REPEATABLE READ} or {@code SERIALIZABLE} the
   * snapshot would date from before the wait for the lock. Both statements go in one round trip.
   */
  @Override
  public void begin(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute(BEGIN_STATEMENTS);
    }
  }

  @Override
  public void commit(Connection c) throws SQLException {
    c.commit();
    c.setAutoCommit(true);
  }

  @Override
  public void rollback(Connection c) throws SQLException {
    c.rollback();
    c.setAutoCommit(true);
  }
}
