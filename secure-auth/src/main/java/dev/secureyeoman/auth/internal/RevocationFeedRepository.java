package dev.secureyeoman.auth.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code revocations} feed that instances sharing the database poll: one row per revoked session, bumped token
 * version or new signing key, in commit order ({@code seq}). Rows are read by column name.
 *
 * <p>{@code seq} is assigned as {@code max(seq) + 1} inside the write transaction, which holds the database's write lock
 * (SQLite: {@code BEGIN IMMEDIATE}; PostgreSQL: an advisory transaction lock), so numbers are dense and in commit order
 * on every engine: a rolled-back transaction leaves no gap (a PostgreSQL sequence would), and a reader that sees row
 * {@code n + 1} has seen every row up to {@code n} committed. Pruning never deletes the newest row, so a number is never
 * reused. A gap therefore only ever means pruned rows, and a poll reloads the authoritative tables only then.
 */
final class RevocationFeedRepository {
  static final int PAGE = 1000;

  private static final String INSERT =
      "INSERT INTO revocations(seq, kind, user_id, session_id, token_version, created_at)"
          + " SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ? FROM revocations";
  private static final String AFTER =
      "SELECT r.seq, r.kind, r.user_id, r.session_id, r.token_version, s.expires_at FROM revocations r"
          + " LEFT JOIN sessions s ON s.id = r.session_id WHERE r.seq > ? ORDER BY r.seq LIMIT " + PAGE;
  private static final String MAX_SEQ = "SELECT coalesce(max(seq), 0) AS seq FROM revocations";
  private static final String PRUNE =
      "DELETE FROM revocations WHERE created_at < ? AND seq < (SELECT max(seq) FROM revocations)";

  /** A feed row; {@code expiresAt} is the revoked session's expiry when the session still exists. */
  record Row(
      long seq, String kind, @Nullable String userId, @Nullable String sessionId, @Nullable Long tokenVersion,
      @Nullable Long expiresAt) {}

  private static Row map(ResultSet rs) throws SQLException {
    return new Row(
        rs.getLong("seq"),
        rs.getString("kind"),
        rs.getString("user_id"),
        rs.getString("session_id"),
        AuthDatabase.nullableLong(rs, "token_version"),
        AuthDatabase.nullableLong(rs, "expires_at"));
  }

  void append(
      AuthDatabase.Tx tx, String kind, @Nullable String userId, @Nullable String sessionId, @Nullable Long tokenVersion,
      long now)
      throws SQLException {
    tx.update(INSERT, kind, userId, sessionId, tokenVersion, now);
  }

  /** Up to {@link #PAGE} rows after {@code seq}, in order. */
  List<Row> after(AuthDatabase.Sql sql, long seq) throws SQLException {
    return sql.list(AFTER, RevocationFeedRepository::map, seq);
  }

  long maxSeq(AuthDatabase.Sql sql) throws SQLException {
    return sql.one(MAX_SEQ, rs -> rs.getLong("seq")).orElse(0L);
  }

  /** Deletes rows created before {@code before}, never the newest. */
  void prune(AuthDatabase.Tx tx, long before) throws SQLException {
    tx.update(PRUNE, before);
  }
}
