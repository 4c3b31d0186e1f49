package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The SQLite schema of an audit log and its migrations.
 *
 * <p>Version 2 (current): {@code audit_log} and {@code audit_meta} are {@code STRICT} tables, so SQLite itself refuses
 * a value of another storage class (an {@code actor} stored as a BLOB, a {@code ts} as TEXT); verification checks the
 * storage class of every column too, because an attacker with the file can rebuild a table without {@code STRICT}.
 * {@code audit_meta} holds the log id (16 random bytes, hex) created when the log is created, and the first seq whose
 * MAC binds it. Version 1 logs are migrated in one transaction: rows are copied as they are (a row whose storage class
 * was altered makes the migration fail rather than be laundered), their MACs are left untouched (they verify with the
 * version 1 encoding), and entries written from then on bind the new log id.
 */
public final class Schema {
  /** Current schema version ({@code PRAGMA user_version}). */
  public static final int VERSION = 2;

  static final String LOG_TABLE_COLUMNS =
      " seq INTEGER PRIMARY KEY,"
          + " ts INTEGER NOT NULL,"
          + " level TEXT NOT NULL,"
          + " event TEXT NOT NULL,"
          + " actor TEXT NOT NULL,"
          + " message TEXT NOT NULL,"
          + " metadata TEXT NOT NULL,"
          + " correlation_id TEXT,"
          + " key_id INTEGER NOT NULL,"
          + " prev_hash BLOB NOT NULL,"
          + " hash BLOB NOT NULL";

  private static final String COLUMNS =
      "seq, ts, level, event, actor, message, metadata, correlation_id, key_id, prev_hash, hash";

  /** The log's identity. */
  public record LogIdentity(String hex, byte[] id, long since) {
    /**
     * The id to bind into the MAC of entry {@code seq}, or null for entries written before the log had an id.
     *
     * @param seq the entry
     * @return the id or null
     */
    byte @Nullable [] forSeq(long seq) {
      return seq >= since ? id : null;
    }
  }

  private Schema() {}

  /**
   * The schema version of the database.
   *
   * @param c connection
   * @return {@code PRAGMA user_version}
   * @throws SQLException on failure
   */
  public static int version(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.getInt(1);
    }
  }

  /**
   * Reads the log identity.
   *
   * @param c connection
   * @return the identity, or null when the database has none (version 1, or the record was removed)
   * @throws SQLException on failure other than a missing table
   */
  public static @Nullable LogIdentity readIdentity(Connection c) throws SQLException {
    String hex = null;
    String since = null;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name, value FROM audit_meta WHERE name IN ('log_id', 'log_id_since')")) {
      while (rs.next()) {
        if ("log_id".equals(rs.getString(1))) {
          hex = rs.getString(2);
        } else {
          since = rs.getString(2);
        }
      }
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no such table")) {
        return null;
      }
      throw e;
    }
    if (hex == null || since == null || !hex.matches("[0-9a-f]{32}")) {
      return null;
    }
    try {
      return new LogIdentity(hex, HexFormat.of().parseHex(hex), Long.parseLong(since));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Creates or migrates the schema inside one {@code BEGIN IMMEDIATE} transaction (so two processes opening the same
   * new file do not both create it), and returns the log identity.
   *
   * @param c the writer connection, in autocommit mode, WAL already on
   * @param random randomness for a new log id
   * @return the identity
   * @throws SQLException on storage failure
   * @throws AuditException if the schema is newer than this library or cannot be migrated
   */
  static LogIdentity createOrMigrate(Connection c, SecureRandom random) throws SQLException, AuditException {
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        int version = version(c);
        if (version > VERSION) {
          throw new AuditException(
              Reason.UNSUPPORTED_SCHEMA,
              "audit database schema version " + version + " is newer than supported version " + VERSION);
        }
        if (version == 0) {
          st.execute("CREATE TABLE IF NOT EXISTS audit_log (" + LOG_TABLE_COLUMNS + ") STRICT");
          createCommon(st);
          writeIdentity(c, random, 1);
        } else if (version == 1) {
          migrateFromVersion1(c, st, random);
        }
        if (version != VERSION) {
          st.execute("PRAGMA user_version = " + VERSION);
        }
        st.execute("COMMIT");
      } catch (SQLException | AuditException | RuntimeException e) {
        try {
          st.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // no transaction left to roll back
        }
        throw e;
      }
    }
    LogIdentity id = readIdentity(c);
    if (id == null) {
      throw new AuditException(
          Reason.UNSUPPORTED_SCHEMA, "the log id record of the audit database is missing or unreadable (run verify)");
    }
    return id;
  }

  private static void createCommon(Statement st) throws SQLException {
    st.execute("CREATE TABLE IF NOT EXISTS audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
    st.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log"
            + " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END");
    st.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_meta_immutable BEFORE UPDATE ON audit_meta"
            + " BEGIN SELECT RAISE(ABORT, 'audit_meta is immutable'); END");
    st.execute(
        "CREATE TRIGGER IF NOT EXISTS audit_meta_undeletable BEFORE DELETE ON audit_meta"
            + " BEGIN SELECT RAISE(ABORT, 'audit_meta is immutable'); END");
  }

  private static void writeIdentity(Connection c, SecureRandom random, long since) throws SQLException {
    byte[] id = new byte[16];
    random.nextBytes(id);
    try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO audit_meta(name, value) VALUES (?, ?)")) {
      ps.setString(1, "log_id");
      ps.setString(2, HexFormat.of().formatHex(id));
      ps.executeUpdate();
      ps.setString(1, "log_id_since");
      ps.setString(2, Long.toString(since));
      ps.executeUpdate();
    }
  }

  private static void migrateFromVersion1(Connection c, Statement st, SecureRandom random)
      throws SQLException, AuditException {
    st.execute("DROP TRIGGER IF EXISTS audit_fts_ai");
    st.execute("DROP TRIGGER IF EXISTS audit_fts_ad");
    st.execute("DROP TABLE IF EXISTS audit_fts"); // rebuilt from audit_log after the migration
    st.execute("DROP TRIGGER IF EXISTS audit_log_append_only");
    st.execute("CREATE TABLE audit_log_v2 (" + LOG_TABLE_COLUMNS + ") STRICT");
    try {
      st.execute("INSERT INTO audit_log_v2(" + COLUMNS + ") SELECT " + COLUMNS + " FROM audit_log ORDER BY seq");
    } catch (SQLException e) {
      throw new AuditException(
          Reason.UNSUPPORTED_SCHEMA,
          "cannot migrate the audit database to schema version " + VERSION + ": a row holds a value of another storage"
              + " class than the schema declares (tampered?); run 'audit verify', which names it",
          e);
    }
    st.execute("DROP TABLE audit_log");
    st.execute("ALTER TABLE audit_log_v2 RENAME TO audit_log");
    createCommon(st);
    long next;
    try (ResultSet rs = st.executeQuery("SELECT coalesce(max(seq), 0) + 1 FROM audit_log")) {
      next = rs.getLong(1);
    }
    writeIdentity(c, random, next);
  }
}
