package dev.secureyeoman.auth.internal;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.auth.AuthException;
import dev.secureyeoman.auth.AuthStorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * JDBC access of the auth service: pooled connections, reads, and write transactions whose audit events are part of the
 * unit of work.
 *
 * <p><b>Audit before commit.</b> A {@link Tx} collects the audit events of its state change; they are recorded by the
 * {@link AuditTrail} after every statement ran and <em>before</em> {@code COMMIT}. If the sink fails, the transaction
 * rolls back and the caller gets {@link AuthStorageException}: no state change happens unaudited. If {@code COMMIT}
 * itself fails after the events were recorded, a compensating {@code auth.tx.rolled_back} event names them.
 *
 * <p><b>Dialect.</b> What is engine-specific comes from the {@link SqlDialect}: the statement that begins a write
 * transaction holding the write lock (SQLite: {@code BEGIN IMMEDIATE}, so two processes never both read then write) and
 * the DDL; PostgreSQL: an advisory transaction lock). Every other statement is standard SQL in a per-concern repository,
 * run through {@link Sql}. Writers of this process are serialised by a lock, writers of other processes (nodes) by the
 * database.
 */
final class AuthDatabase implements AutoCloseable {
  /** Statements on one connection: what the repositories run (reads; writes only through a {@link Tx}). */
  interface Sql {
    <T> Optional<T> one(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException;

    <T> List<T> list(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException;
  }

  /** Reads through {@link Sql} on one pooled connection. */
  @FunctionalInterface
  interface Query<T> {
    T apply(Sql sql) throws SQLException;
  }

  /** Work on a connection (reads). */
  @FunctionalInterface
  interface Read<T> {
    T apply(Connection c) throws SQLException;
  }

  /** Work in a write transaction. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Tx tx) throws SQLException, AuthException;
  }

  /** Work in a write transaction that has no result (see {@link #run}). */
  @FunctionalInterface
  interface Action {
    void apply(Tx tx) throws SQLException, AuthException;
  }

  /** Maps the current row, reading columns by name. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private final ConnectionPool pool;
  private final AuditTrail audit;
  private final SqlDialect dialect;
  private final Repositories repos;
  private final ReentrantLock writeLock = new ReentrantLock();

  AuthDatabase(DataSource ds, AuditTrail audit, SqlDialect dialect) {
    this.pool = new ConnectionPool(ds, dialect.externallyPooled() ? 0 : 8);
    this.audit = audit;
    this.dialect = dialect;
    this.repos = Repositories.of(dialect);
  }

  SqlDialect dialect() {
    return dialect;
  }

  /** The repositories for this database's dialect. */
  Repositories repos() {
    return repos;
  }

  /** Creates or migrates the schema. */
  void migrate() throws AuthStorageException {
    read(
        c -> {
          Schema.migrate(c, dialect);
          return Boolean.TRUE; // read() yields a value (non-null); the migration has none
        });
  }

  <T> T read(Read<T> fn) throws AuthStorageException {
    Connection c = null;
    boolean healthy = false;
    try {
      c = pool.borrow();
      T r = fn.apply(c);
      healthy = true;
      return r;
    } catch (SQLException e) {
      throw new AuthStorageException("auth database failure", e);
    } finally {
      if (c != null) {
        pool.release(c, healthy);
      }
    }
  }

  /** Runs reads outside a write transaction, on one connection. */
  <T> T query(Query<T> q) throws AuthStorageException {
    return read(c -> q.apply(on(c)));
  }

  /** {@link Sql} over a connection (reads). */
  static Sql on(Connection c) {
    return new Sql() {
      @Override
      public <T> Optional<T> one(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException {
        return AuthDatabase.one(c, sql, mapper, args);
      }

      @Override
      public <T> List<T> list(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException {
        return AuthDatabase.list(c, sql, mapper, args);
      }
    };
  }

  /**
   * Runs {@code work} in one write transaction. Its audit events are recorded before {@code COMMIT}; an exception from
   * the work, from the database or from the audit sink rolls everything back.
   */
  <T> T tx(Work<T> work) throws AuthException {
    writeLock.lock();
    Connection c = null;
    boolean healthy = false;
    try {
      c = pool.borrow();
      dialect.begin(c);
      Tx tx = new Tx(c);
      boolean ended = false;
      try {
        T r = work.apply(tx);
        if (tx.rollbackOnly) {
          dialect.rollback(c);
        } else {
          audit.recordAll(tx.events); // before COMMIT: a failing sink rolls the change back
          try {
            dialect.commit(c);
          } catch (SQLException e) {
            audit.compensate(tx.events, e);
            throw e;
          }
        }
        ended = true;
        if (!tx.rollbackOnly) {
          tx.afterCommit.forEach(Runnable::run);
        }
        healthy = true;
        return r;
      } finally {
        if (!ended) {
          rollbackQuietly(c);
        }
      }
    } catch (SQLException e) {
      throw new AuthStorageException("auth database failure", e);
    } finally {
      if (c != null) {
        pool.release(c, healthy);
      }
      writeLock.unlock();
    }
  }

  /** {@link #tx} for work without a result. */
  void run(Action action) throws AuthException {
    tx(
        tx -> {
          action.apply(tx);
          return Boolean.TRUE; // tx() yields a value (non-null); the action has none
        });
  }

  private void rollbackQuietly(Connection c) {
    try {
      dialect.rollback(c);
    } catch (SQLException ignored) {
      // no transaction left to roll back, or the connection is broken (it is then closed, not reused)
    }
  }

  static int update(Connection c, String sql, @Nullable Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, @Nullable Object... args)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
    }
  }

  static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException {
    List<T> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(mapper.map(rs));
      }
    }
    return out;
  }

  private static PreparedStatement prepare(Connection c, String sql, @Nullable Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
    return ps;
  }

  /** A nullable INTEGER column by name. */
  static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  @Override
  public void close() {
    pool.close();
  }

  /** One write transaction: statements, the audit events of its change, and an optional roll-back. */
  static final class Tx implements Sql {
    private final Connection c;
    private final List<AuditEvent> events = new ArrayList<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private boolean rollbackOnly;

    private Tx(Connection c) {
      this.c = c;
    }

    int update(String sql, @Nullable Object... args) throws SQLException {
      return AuthDatabase.update(c, sql, args);
    }

    @Override
    public <T> Optional<T> one(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException {
      return AuthDatabase.one(c, sql, mapper, args);
    }

    @Override
    public <T> List<T> list(String sql, RowMapper<T> mapper, @Nullable Object... args) throws SQLException {
      return AuthDatabase.list(c, sql, mapper, args);
    }

    /** Adds an event recorded before this transaction commits (and never if it rolls back). */
    void audit(AuditEvent event) {
      events.add(event);
    }

    /** Runs {@code action} once this transaction has committed (in-memory caches follow the database, never lead). */
    void afterCommit(Runnable action) {
      afterCommit.add(action);
    }

    /** Ends the transaction with {@code ROLLBACK} (its events are dropped) while returning the work's result. */
    void rollbackOnly() {
      rollbackOnly = true;
    }
  }
}
