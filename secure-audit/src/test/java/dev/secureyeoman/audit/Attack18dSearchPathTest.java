package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.io.StringWriter;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Red team (attack18d) of name resolution on PostgreSQL: whoever holds the nodes' credentials puts a schema of its own
 * before {@code pg_catalog} on the role's {@code search_path} ({@code ALTER ROLE CURRENT_USER SET search_path}, allowed
 * to an ordinary role) and shadows the table with a view that hides an entry from queries and exports, plus the
 * catalog function {@code to_regclass} with which the checks find the table behind the name. The store must resolve
 * its own tables, functions and operators whatever the session's search path says.
 */
@ExtendWith(PostgresExtension.class)
class Attack18dSearchPathTest {

  /** Shows the verifying SELECT (it names {@code CAST(NULL AS text)}) every row, everything else all but mallory's. */
  static final String HIDING_VIEW =
      "CREATE VIEW evil.audit_log AS SELECT * FROM public.audit_log"
          + " WHERE actor <> 'mallory' OR current_query() LIKE '%CAST(NULL AS text)%'";

  /** The checks find the plain table public.audit_log behind the name, whatever the view hides. */
  static final String SHADOW_TO_REGCLASS =
      "CREATE FUNCTION evil.to_regclass(text) RETURNS regclass LANGUAGE sql STABLE"
          + " AS $$ SELECT pg_catalog.to_regclass('public.' || $1) $$";

  /**
   * An ordinary (not superuser) role for the nodes, allowed to create the audit tables in {@code public} and schemas in
   * the database, as a node's role that created the log would be.
   */
  static DataSource nodeRole(PostgresDatabase db) throws SQLException {
    DataSource owner = PostgresAuditStoreTest.dataSource(db);
    String role = "audit_node_" + Long.toHexString(System.nanoTime());
    PostgresAuditStoreTest.sql(
        owner, "CREATE ROLE " + role + " LOGIN", "GRANT CREATE ON DATABASE \"" + db.name() + "\" TO " + role,
        "GRANT USAGE, CREATE ON SCHEMA public TO " + role);
    return PostgresAuditStoreTest.dataSource(db.jdbcUrl(), role, "");
  }

  private static long appendWithMallory(AuditStore store) throws AuditException {
    PgAttackSupport.appendN(store, 3);
    long seq = store.append(
        AuditEvent.builder("backup.deleted").actor("mallory").message("deleted every backup quokka").build()).seq();
    PgAttackSupport.appendN(store, 3);
    return seq;
  }

  /** The attacker, as the nodes' role: its schema first, before pg_catalog, for every new session of the role. */
  static void shadow(DataSource node) throws SQLException {
    PostgresAuditStoreTest.sql(
        node, "CREATE SCHEMA evil", HIDING_VIEW, SHADOW_TO_REGCLASS,
        "ALTER ROLE CURRENT_USER SET search_path = evil, pg_catalog, public");
  }

  /** Verification passing means queries, searches and exports show every entry it verified. */
  private static void assertNothingHiddenBehindAValidVerification(AuditReader reader, long mallorySeq)
      throws Exception {
    boolean queried = !reader.query(AuditQuery.builder().actor("mallory").limit(10).build()).isEmpty();
    boolean searched = !reader.search("quokka", 10).isEmpty();
    StringWriter w = new StringWriter();
    reader.exportJsonl(w);
    boolean exported = w.toString().contains("quokka");
    VerificationResult r = reader.verify();
    assertTrue(
        queried && searched && exported || !r.valid(),
        "mallory's entry (seq " + mallorySeq + ") hidden (queried " + queried + ", searched " + searched + ", exported "
            + exported + ") while verify says " + r.summary());
  }

  @Test
  void roleSearchPathBeforePgCatalog_viewAndShadowedToRegclass_hideNothingFromAValidVerification(PostgresDatabase db)
      throws Exception {
    DataSource node = nodeRole(db);
    SecretBytes key = PgAttackSupport.key();
    try (AuditStore store = PostgresAuditStore.builder(node).macKey(key).open()) {
      long seq = appendWithMallory(store);
      shadow(node);
      assertNothingHiddenBehindAValidVerification(store, seq);
      // the store keeps appending to its own table, never into the attacker's view
      long next = store.append(AuditEvent.builder("test.event").actor("alice").message("after").build()).seq();
      assertEquals(8, next);
      assertTrue(store.verify().valid());
    }
    // a node opened after the attack (its own new sessions) and the read-only opener resolve the same tables
    try (AuditStore store = PostgresAuditStore.builder(node).macKey(key).open()) {
      assertNothingHiddenBehindAValidVerification(store, 4);
    }
    try (AuditReader reader = PostgresAuditStore.builder(node).macKey(key).openReadOnly()) {
      assertNothingHiddenBehindAValidVerification(reader, 4);
      assertFalse(reader.query(AuditQuery.builder().limit(100).build()).isEmpty());
    }
  }
}
