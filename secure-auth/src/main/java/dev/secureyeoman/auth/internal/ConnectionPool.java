package dev.secureyeoman.auth.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Keeps up to {@code maxIdle} open connections for reuse: opening an SQLite connection re-applies the pragmas and re-reads
 * the schema, which costs more than most of our statements. Connections are used by one thread at a time; a connection
 * that saw an error, or is not in auto-commit mode, is closed instead of reused.
 */
final class ConnectionPool implements AutoCloseable {
  private final DataSource ds;
  private final @Nullable BlockingQueue<Connection> idle; // null: the data source pools itself
  private volatile boolean closed;

  /**
   * @param maxIdle idle connections kept; 0 when the data source pools itself (HikariCP): every connection then goes
   *     back to it at once, so its validation and eviction (a server restart) apply
   */
  ConnectionPool(DataSource ds, int maxIdle) {
    this.ds = ds;
    this.idle = maxIdle == 0 ? null : new ArrayBlockingQueue<>(maxIdle);
  }

  Connection borrow() throws SQLException {
    if (idle == null) {
      return ds.getConnection();
    }
    Connection c = idle.poll();
    while (c != null) {
      if (!c.isClosed()) {
        return c;
      }
      c = idle.poll();
    }
    return ds.getConnection();
  }

  /** Returns a connection; {@code healthy} false (or a connection in a transaction) closes it. */
  void release(Connection c, boolean healthy) {
    try {
      if (idle != null && healthy && !closed && !c.isClosed() && c.getAutoCommit() && idle.offer(c)) {
        return;
      }
      c.close();
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already broken
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (idle == null) {
      return;
    }
    Connection c;
    while ((c = idle.poll()) != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }
}
