package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  /**
   * The nodes' role may create objects in the store's own schema (it created the tables there): with pg_catalog first
   * it cannot shadow a built-in, but an operator that matches a parameter's type better than the built-in one would
   * still be chosen — {@code =(text, varchar)} beats the built-in {@code =(text, text)} for a string the driver binds
   * as {@code varchar}. This one hides mallory's rows from filters and the fail-closed record from the store.
   */
  @Test
  void betterMatchingOperatorInTheStoresSchema_hidesNeitherAnEntryNorTheTamperRecord(PostgresDatabase db)
      throws Exception {
    DataSource node = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(node).macKey(PgAttackSupport.key()).open()) {
      long seq = appendWithMallory(store);
      PostgresAuditStoreTest.sql(
          node,
          "CREATE FUNCTION public.sy_eq(text, varchar) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1"
              + " OPERATOR(pg_catalog.=) $2::pg_catalog.text AND $1 OPERATOR(pg_catalog.<>) 'mallory'"
              + " AND $1 OPERATOR(pg_catalog.<>) 'tamper' $$",
          "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.sy_eq)");
      assertEquals(1, store.query(AuditQuery.builder().actor("mallory").limit(10).build()).size(), "seq " + seq);
      assertEquals(1, store.search("quokka", 10).size());
      assertTrue(store.verify().valid());
      PostgresAuditStoreTest.sql(node, "UPDATE audit_log SET message = 'edited' WHERE seq = 2");
      assertFalse(store.verify().valid());
      assertTrue(store.tamperingDetected().isPresent(), "the failure is recorded and seen");
      AuditException e =
          assertThrows(
              AuditException.class,
              () -> store.append(AuditEvent.builder("test.event").actor("alice").message("more").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  /**
   * The checks find the table behind the name by comparing catalog oids with {@code to_regclass}: an operator
   * {@code =(oid, regclass)} in the store's schema matches better than the built-in {@code =(oid, oid)} and can point
   * them at the renamed real table while a view in its place hides mallory's entry.
   */
  @Test
  void betterMatchingOidOperator_pointsTheChecksAtTheRenamedTable_viewStillRefused(PostgresDatabase db)
      throws Exception {
    DataSource node = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(node).macKey(PgAttackSupport.key()).open()) {
      long seq = appendWithMallory(store);
      PostgresAuditStoreTest.sql(
          node, "ALTER TABLE audit_log RENAME TO audit_log_data",
          "CREATE VIEW public.audit_log AS SELECT * FROM public.audit_log_data"
              + " WHERE actor <> 'mallory' OR current_query() LIKE '%CAST(NULL AS text)%'",
          "CREATE FUNCTION public.sy_oideq(oid, regclass) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT $1"
              + " OPERATOR(pg_catalog.=) pg_catalog.to_regclass('public.audit_log_data')::pg_catalog.oid $$",
          "CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.sy_oideq)");
      assertNothingHiddenBehindAValidVerification(store, seq);
    }
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
