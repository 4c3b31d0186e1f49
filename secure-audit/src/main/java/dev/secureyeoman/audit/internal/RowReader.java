package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Reads a stored audit row by column name: the one row reader of both engines (SQLite and PostgreSQL). The column
 * positions are looked up once per result set ({@link #of}), so a query may select the columns in any order, with a
 * table prefix ({@code l.seq}) or extra columns (the verifier's storage-class column). The values are read exactly as
 * stored — the canonical MAC input is built from them unchanged.
 */
final class RowReader {
  private final int seq;
  private final int ts;
  private final int level;
  private final int event;
  private final int actor;
  private final int message;
  private final int metadata;
  private final int correlationId;
  private final int keyId;
  private final int prevHash;
  private final int hash;

  private RowReader(ResultSet rs) throws SQLException {
    seq = rs.findColumn("seq");
    ts = rs.findColumn("ts");
    level = rs.findColumn("level");
    event = rs.findColumn("event");
    actor = rs.findColumn("actor");
    message = rs.findColumn("message");
    metadata = rs.findColumn("metadata");
    correlationId = rs.findColumn("correlation_id");
    keyId = rs.findColumn("key_id");
    prevHash = rs.findColumn("prev_hash");
    hash = rs.findColumn("hash");
  }

  /**
   * The reader of a result set's columns.
   *
   * @param rs a result set selecting every audit_log column
   * @return the reader, valid for {@code rs}
   * @throws SQLException if a column is missing
   */
  static RowReader of(ResultSet rs) throws SQLException {
    return new RowReader(rs);
  }

  /** The seq of the current row (readable even when the rest of the row is malformed). */
  long seq(ResultSet rs) throws SQLException {
    return rs.getLong(seq);
  }

  /**
   * The current row.
   *
   * @throws IllegalArgumentException if the metadata is not a JSON object or a hash is null
   * @throws NullPointerException if a required text column is null
   */
  Row read(ResultSet rs) throws SQLException {
    String md = rs.getString(metadata);
    if (md == null) {
      throw new IllegalArgumentException("metadata is null");
    }
    byte[] prev = rs.getBytes(prevHash);
    byte[] h = rs.getBytes(hash);
    if (prev == null || h == null) {
      throw new IllegalArgumentException("hash is null");
    }
    return new Row(
        rs.getLong(seq), rs.getLong(ts),
        Objects.requireNonNull(rs.getString(level), "level"),
        Objects.requireNonNull(rs.getString(event), "event"),
        Objects.requireNonNull(rs.getString(actor), "actor"),
        Objects.requireNonNull(rs.getString(message), "message"),
        Json.parseObject(md), rs.getString(correlationId), rs.getInt(keyId), prev, h);
  }

  /**
   * The current row as an entry, for reads (query, search, export): a malformed row is a typed storage failure naming
   * its seq, never an unchecked exception.
   */
  AuditEntry entry(ResultSet rs) throws SQLException, AuditException {
    long s = seq(rs);
    try {
      return SqliteStore.toEntry(read(rs));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuditException(
          Reason.STORAGE, "audit entry seq " + s + " is malformed (run verify): " + e.getMessage(), e);
    }
  }
}
