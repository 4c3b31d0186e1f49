package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The legitimate side of the pinned search path (attack18d): the store works whatever harmless search path the role
 * has, keeps its tables in the schema it is given, and hands the host's pooled connection back with the host's own
 * session settings.
 */
@ExtendWith(PostgresExtension.class)
class SearchPathPinningTest {

  @Test
  void roleSearchPathWithoutPublic_defaultSchemaStillFound(PostgresDatabase db) throws Exception {
    DataSource node = Attack18dSearchPathTest.nodeRole(db);
    SecretBytes key = PgAttackSupport.key();
    try (AuditStore s = PostgresAuditStore.builder(node).macKey(key).open()) {
      PgAttackSupport.appendN(s, 2);
    }
    // harmless: a "$user" schema that does not exist, and no public at all
    PostgresAuditStoreTest.sql(node, "ALTER ROLE CURRENT_USER SET search_path = \"$user\"");
    try (AuditStore s = PostgresAuditStore.builder(node).macKey(key).open()) {
      assertEquals(3, s.append(PostgresAuditStoreTest.event("bob", 3)).seq());
      assertTrue(s.verify().valid());
      assertEquals(1, s.query(AuditQuery.builder().actor("bob").limit(10).build()).size());
      assertEquals(2, s.search("entry", 10).size());
      assertEquals(0, s.enforceRetention(new RetentionPolicy(0, 10)));
    }
    try (AuditReader r = PostgresAuditStore.builder(node).macKey(key).openReadOnly()) {
      assertTrue(r.verify().valid());
      assertEquals(3, r.head().orElseThrow().seq());
    }
  }

  @Test
  void otherSchema_holdsItsOwnLog_besidePublic(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    PostgresAuditStoreTest.sql(ds, "CREATE SCHEMA other");
    SecretBytes key = PgAttackSupport.key();
    try (AuditStore other = PostgresAuditStore.builder(ds).macKey(key).schema("other").open();
        AuditStore pub = PostgresAuditStore.builder(ds).macKey(key).open()) {
      PgAttackSupport.appendN(other, 2);
      PgAttackSupport.appendN(pub, 1);
      assertTrue(other.verify().valid());
      assertTrue(pub.verify().valid());
      assertTrue(!other.logId().equals(pub.logId()), "two logs");
      assertEquals(2, other.head().orElseThrow().seq());
      assertTrue(other.reclaimSpace() >= 0);
    }
    assertEquals(2, count(ds, "other.audit_log"));
    assertEquals(1, count(ds, "public.audit_log"));
    try (AuditReader r = PostgresAuditStore.builder(ds).macKey(key).schema("other").openReadOnly()) {
      assertEquals(2, r.query(AuditQuery.builder().limit(10).build()).size());
      assertTrue(r.verify().valid());
    }
    // tampering in one schema is seen by its store only
    PostgresAuditStoreTest.sql(ds, "UPDATE other.audit_log SET message = 'edited' WHERE seq = 1");
    try (AuditStore other = PostgresAuditStore.builder(ds).macKey(key).schema("other").open();
        AuditStore pub = PostgresAuditStore.builder(ds).macKey(key).open()) {
      assertTrue(!other.verify().valid());
      assertTrue(pub.verify().valid());
    }
  }

  /** The explicit casts of the search statement keep it on the GIN index (the index expression is unchanged). */
  @Test
  void searchStatement_stillMatchesTheGinIndex(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    try (AuditStore s = PostgresAuditStore.builder(ds).macKey(PgAttackSupport.key()).open()) {
      PgAttackSupport.appendN(s, 3);
    }
    StringBuilder plan = new StringBuilder();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("SET enable_seqscan = off");
      try (ResultSet rs =
          st.executeQuery(
              "EXPLAIN SELECT seq FROM audit_log WHERE to_tsvector(CAST('simple' AS regconfig), event || ' ' || actor"
                  + " || ' ' || message || ' ' || metadata) @@ plainto_tsquery(CAST('simple' AS regconfig),"
                  + " CAST('entry' AS text))")) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
    }
    assertTrue(plan.toString().contains("audit_log_fts"), plan.toString());
  }

  @Test
  void missingSchema_openFailsWithStorage_noTableAnywhere(PostgresDatabase db) throws Exception {
    DataSource ds = PostgresAuditStoreTest.dataSource(db);
    AuditException e =
        assertThrows(
            AuditException.class,
            () -> PostgresAuditStore.builder(ds).macKey(PgAttackSupport.key()).schema("missing").open());
    assertEquals(AuditException.Reason.STORAGE, e.reason());
    assertEquals(
        AuditException.Reason.NOT_FOUND,
        assertThrows(
                AuditException.class,
                () -> PostgresAuditStore.builder(ds).macKey(PgAttackSupport.key()).schema("missing").openReadOnly())
            .reason());
    assertEquals(0, count(ds, "pg_catalog.pg_class WHERE relname = 'audit_log'"));
  }

  @Test
  void schemaName_mustBeAPlainIdentifier() {
    PostgresAuditStore.Builder b = PostgresAuditStore.builder(new SingleConnection(null));
    for (String bad :
        new String[] {"", "Public", "a-b", "a\"b", "1abc", "pg_catalog", "pg_temp", "information_schema",
            "a".repeat(64), "public; drop"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.schema(bad), bad);
      assertTrue(e.getMessage().contains("[a-z_][a-z0-9_]{0,62}"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> b.schema(null));
    b.schema("_a1").schema("a".repeat(63)).schema("public");
  }

  /** Every store call leaves the session's search_path (and lock_timeout) of the host's connection as it was. */
  @Test
  void pooledConnection_goesBackWithTheHostsSessionSettings(PostgresDatabase db, @TempDir Path dir) throws Exception {
    DataSource owner = PostgresAuditStoreTest.dataSource(db);
    PostgresAuditStoreTest.sql(owner, "CREATE SCHEMA host_app");
    try (Connection physical = owner.getConnection()) {
      try (Statement st = physical.createStatement()) {
        st.execute("SET search_path = host_app, public");
        st.execute("SET lock_timeout = '1234ms'");
      }
      SingleConnection pool = new SingleConnection(physical);
      SecretBytes key = PgAttackSupport.key();
      java.security.KeyPair cpKeys = CheckpointKeys.deriveFromAuditKey(key);
      try (AuditStore s =
          PostgresAuditStore.builder(pool).macKey(key)
              .checkpoints(CheckpointSinks.appendOnlyFile(dir.resolve("audit.cp")), cpKeys).open()) {
        assertSession(physical);
        PgAttackSupport.appendN(s, 5);
        assertSession(physical);
        s.head();
        s.query(AuditQuery.builder().limit(10).build());
        s.search("entry", 10);
        s.exportJsonl(new StringWriter());
        assertSession(physical);
        assertTrue(s.verify().valid());
        assertTrue(s.tamperingDetected().isEmpty());
        assertEquals(5, s.checkpoint().seq());
        assertSession(physical);
        assertEquals(3, s.enforceRetention(new RetentionPolicy(0, 3)));
        s.reclaimSpace();
        assertSession(physical);
      }
      assertSession(physical);
      try (AuditReader r = PostgresAuditStore.builder(pool).macKey(key).openReadOnly()) {
        assertTrue(r.verify().valid());
        r.query(AuditQuery.builder().limit(10).build());
      }
      assertSession(physical);
      // the store's tables stayed in public, nothing was created in the host's first schema
      assertEquals(0, count(owner, "pg_catalog.pg_tables WHERE schemaname = 'host_app'"));
      assertTrue(pool.borrows > 10, "every call borrowed the one connection: " + pool.borrows);
    }
  }

  private static void assertSession(Connection c) throws SQLException {
    assertTrue(c.getAutoCommit());
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SHOW search_path")) {
        rs.next();
        assertEquals("host_app, public", rs.getString(1));
      }
      try (ResultSet rs = st.executeQuery("SHOW lock_timeout")) {
        rs.next();
        assertEquals("1234ms", rs.getString(1));
      }
    }
  }

  private static long count(DataSource ds, String from) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + from)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A pool of one connection: each borrower gets the same session, one at a time; close() hands it back. */
  static final class SingleConnection implements DataSource {
    private final Connection physical;
    private final Semaphore free = new Semaphore(1);
    int borrows;

    SingleConnection(Connection physical) {
      this.physical = physical;
    }

    @Override
    public Connection getConnection() throws SQLException {
      free.acquireUninterruptibly();
      borrows++;
      boolean[] returned = {false};
      return (Connection)
          Proxy.newProxyInstance(
              Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (proxy, m, args) -> {
                switch (m.getName()) {
                  case "close" -> {
                    if (!returned[0]) {
                      returned[0] = true;
                      free.release();
                    }
                    return null;
                  }
                  case "isClosed" -> {
                    return returned[0];
                  }
                  case "abort" -> throw new SQLException("this test's pool does not expect abort");
                  default -> {
                    try {
                      return m.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  }
                }
              });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
