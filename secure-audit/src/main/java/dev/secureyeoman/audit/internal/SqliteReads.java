package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditException.Reason;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditQuery;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import org.jspecify.annotations.Nullable;
import java.io.IOException;
import java.io.Writer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** The read operations of a SQLite audit log, on fresh connections; shared by the store and the read-only reader. */
final class SqliteReads {
  /** Opens a read connection (query_only, and read-only for a reader). */
  @FunctionalInterface
  interface Connections {
    Connection open() throws SQLException;
  }

  /** The checkpoints of a sink: the complete ones, and whether a torn note follows them. */
  record SinkState(List<Checkpoint> checkpoints, boolean torn, String tornDetail) {}

  private final AuditStoreOptions opts;
  private final MacKeys keys;
  private final Connections connections;
  private final Runnable checkOpen;

  SqliteReads(AuditStoreOptions opts, MacKeys keys, Connections connections, Runnable checkOpen) {
    this.opts = opts;
    this.keys = keys;
    this.connections = connections;
    this.checkOpen = checkOpen;
  }

  private void checkOpen() throws AuditException {
    try {
      checkOpen.run();
    } catch (ClosedException e) {
      throw new AuditException(Reason.CLOSED, Objects.requireNonNullElse(e.getMessage(), "closed"));
    }
  }

  /** Thrown by the open-check callback. */
  static final class ClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClosedException(String message) {
      super(message, null, false, false);
    }
  }

  private AuditException storage(SQLException e) {
    return new AuditException(Reason.STORAGE, "cannot read audit database " + opts.dbPath() + ": " + e.getMessage(), e);
  }

  Optional<String> logId() throws AuditException {
    checkOpen();
    try (Connection c = connections.open()) {
      Schema.LogIdentity id = Schema.readIdentity(c);
      return id == null ? Optional.empty() : Optional.of(id.hex());
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  /**
   * Reads a sink. A file sink whose last note is torn yields its complete notes and {@code torn = true}; every other
   * failure is thrown.
   */
  static SinkState readSink(CheckpointSink sink) throws AuditException {
    if (sink instanceof FileCheckpointSink file) {
      FileCheckpointSink.Contents c = file.read();
      String detail =
          c.torn()
              ? "the checkpoint file " + file.location().orElseThrow() + " ends in an incomplete note ("
                  + c.tornBytes() + " bytes after " + c.complete().size() + " complete checkpoints, which verified):"
                  + " repair it with 'secureyeoman audit repair-checkpoints'"
              : "";
      return new SinkState(c.complete(), c.torn(), detail);
    }
    return new SinkState(sink.readAll(), false, "");
  }

  VerificationResult verify(VerifyOptions options) throws AuditException {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    checkOpen();
    Checkpoints.Plan plan = Checkpoints.plan(options, opts.checkpointSink(), opts.checkpointKeys());
    return plan.withTornSink(verify(plan.checks()).result());
  }

  /** Verifies in one read snapshot. */
  Verifier.Outcome verify(Verifier.Checks checks) throws AuditException {
    checkOpen();
    try (Connection c = connections.open();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      try {
        return new Verifier(keys).verify(c, checks, Long.MAX_VALUE);
      } finally {
        st.execute("COMMIT");
      }
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  /**
   * The failure to record for {@code failure} ({@link Verifier#toRecord}), decided in one read snapshot; null when
   * everything found is acknowledged.
   */
  @Nullable VerificationResult toRecord(Verifier.Checks checks, VerificationResult failure) throws AuditException {
    checkOpen();
    try (Connection c = connections.open();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      try {
        return new Verifier(keys).toRecord(c, checks, failure);
      } finally {
        st.execute("COMMIT");
      }
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  Optional<AuditEntry> head() throws AuditException {
    List<AuditEntry> l = select(SqliteStore.SELECT_ROW + " ORDER BY seq DESC LIMIT 1", List.of());
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  List<AuditEntry> query(AuditQuery q) throws AuditException {
    if (q == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    // NOT INDEXED: filters are evaluated on the stored rows, never through an index an attacker planted whose content
    // does not match its declared column (it would hide rows while every MAC still verifies)
    StringBuilder sql = new StringBuilder(SqliteStore.SELECT_ROW).append(" NOT INDEXED WHERE seq > ?");
    List<Object> args = new ArrayList<>();
    SqliteReads.appendFilters(q, sql, args);
    return select(sql.toString(), args);
  }

  List<AuditEntry> search(String text, int limit) throws AuditException {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + AuditQuery.MAX_LIMIT + ", got " + limit);
    }
    if (!opts.fullTextSearch()) {
      throw new IllegalStateException("full-text search is disabled for " + opts.dbPath());
    }
    String match = FtsQuery.escape(text);
    if (match.isEmpty()) {
      return List.of();
    }
    String sql =
        "SELECT l.seq, l.ts, l.level, l.event, l.actor, l.message, l.metadata, l.correlation_id, l.key_id,"
            + " l.prev_hash, l.hash FROM audit_fts f JOIN audit_log l ON l.seq = f.rowid"
            + " WHERE audit_fts MATCH ? ORDER BY l.seq DESC LIMIT ?";
    return select(sql, List.of(match, (long) limit));
  }

  /** Binds query arguments in order: a {@code Long} as a long, anything else as a string (both engines). */
  static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else {
        ps.setString(i + 1, (String) a);
      }
    }
  }

  private List<AuditEntry> select(String sql, List<Object> args) throws AuditException {
    checkOpen();
    try (Connection c = connections.open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      List<AuditEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        RowReader rows = RowReader.of(rs);
        while (rs.next()) {
          out.add(rows.entry(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw storage(e);
    }
  }

  long exportJsonl(Writer out) throws AuditException {
    if (out == null) {
      throw new IllegalArgumentException("out must not be null");
    }
    checkOpen();
    long n = 0;
    try (Connection c = connections.open();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      try (ResultSet rs = st.executeQuery(SqliteStore.SELECT_ROW + " ORDER BY seq")) {
        RowReader rows = RowReader.of(rs);
        while (rs.next()) {
          out.write(rows.entry(rs).toJson());
          out.write('\n');
          n++;
        }
      } finally {
        st.execute("COMMIT");
      }
      out.flush();
      return n;
    } catch (SQLException e) {
      throw storage(e);
    } catch (IOException e) {
      throw new AuditException(Reason.STORAGE, "cannot write export: " + e.getMessage(), e);
    }
  }

  /**
   * Appends the query's filters, order and limit (after {@code WHERE seq > ?}) as bound parameters; the one filter
   * builder of both engines.
   */
  static void appendFilters(AuditQuery q, StringBuilder sql, List<Object> args) {
    appendFilters(q, sql, args, "?");
  }

  /**
   * As {@link #appendFilters(AuditQuery, StringBuilder, List)}, with {@code textParam} for each string parameter
   * (PostgreSQL casts it to {@code text}).
   */
  static void appendFilters(AuditQuery q, StringBuilder sql, List<Object> args, String textParam) {
    args.add(q.afterSeq());
    q.minLevel()
        .ifPresent(
            min -> {
              sql.append(" AND level IN (");
              boolean firstLevel = true;
              for (AuditLevel l : AuditLevel.values()) {
                if (l.compareTo(min) >= 0) {
                  sql.append(firstLevel ? textParam : "," + textParam);
                  args.add(l.name());
                  firstLevel = false;
                }
              }
              sql.append(')');
            });
    q.event().ifPresent(e -> {
      sql.append(" AND event = ").append(textParam);
      args.add(e);
    });
    q.actor().ifPresent(a -> {
      sql.append(" AND actor = ").append(textParam);
      args.add(a);
    });
    q.from().ifPresent(f -> {
      sql.append(" AND ts >= ?");
      args.add(f.toEpochMilli());
    });
    q.to().ifPresent(t -> {
      sql.append(" AND ts < ?");
      args.add(t.toEpochMilli());
    });
    sql.append(" ORDER BY seq LIMIT ?");
    args.add((long) q.limit());
  }
}
