package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.auth.AuthDataSources;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionPoolTest {
  @TempDir Path dir;

  @Test
  void healthyConnectionsReused_brokenOrInTransactionClosed() throws Exception {
    ConnectionPool pool = new ConnectionPool(AuthDataSources.sqlite(dir.resolve("p.db")), 1);
    Connection a = pool.borrow();
    pool.release(a, true);
    assertSame(a, pool.borrow(), "reused");
    pool.release(a, false);
    assertTrue(a.isClosed(), "unhealthy connection closed");
    Connection b = pool.borrow();
    assertNotSame(a, b);
    b.setAutoCommit(false);
    pool.release(b, true);
    assertTrue(b.isClosed(), "connection left in a transaction is not reused");
    Connection c = pool.borrow();
    Connection d = pool.borrow();
    pool.release(c, true);
    pool.release(d, true); // pool full: closed
    assertTrue(d.isClosed());
    assertFalse(c.isClosed());
    c.close(); // closed behind the pool's back: skipped on borrow
    Connection e = pool.borrow();
    assertFalse(e.isClosed());
    pool.release(e, true);
    pool.close();
    assertTrue(e.isClosed());
    Connection f = pool.borrow();
    pool.release(f, true); // after close: not kept
    assertTrue(f.isClosed());
  }
}
