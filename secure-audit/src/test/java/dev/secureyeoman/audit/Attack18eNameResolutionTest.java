package dev.secureyeoman.audit;

import static dev.secureyeoman.audit.PgAttackSupport.seqs;
import static dev.secureyeoman.audit.PgAttackSupport.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * attack18e: an outside attacker holding the nodes' (non-superuser, table-owning) PostgreSQL role changes name
 * resolution without touching search_path: domains on the store's columns, with operators on the domain type that
 * match exactly and so beat the built-in ones even with {@code pg_catalog} first on the pinned path.
 */
@ExtendWith(PostgresExtension.class)
class Attack18eNameResolutionTest {

  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 7 + 3);
    }
  }

  private static PGSimpleDataSource ds(PostgresDatabase db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(db.jdbcUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    return ds;
  }

  private static AuditStore open(PGSimpleDataSource ds) throws AuditException {
    return PostgresAuditStore.builder(ds).macKey(SecretBytes.copyOf(KEY)).open();
  }

  private static void appendSeven(AuditStore store) throws AuditException {
    for (int i = 1; i <= 7; i++) {
      String actor = i == 4 ? "mallory" : "alice";
      store.append(AuditEvent.builder("user.login").actor(actor).message("login " + i).build());
    }
  }

  /**
   * The seq column becomes a domain over bigint (information_schema still reports {@code bigint}); an operator
   * {@code >(dseq, bigint)} in the store's schema is an exact match for {@code seq > ?} and hides seq 4 from every
   * read that pages with it, while the verifying full scan (no WHERE) still sees all seven.
   */
  @Test
  void domainOnSeq_exactMatchOperator_verifyOkWhileQueryHidesAnEntry(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = ds(db);
    try (AuditStore store = open(ds)) {
      appendSeven(store);
    }
    sql(
        ds,
        "CREATE DOMAIN public.dseq AS bigint",
        "ALTER TABLE public.audit_log ALTER COLUMN seq TYPE public.dseq",
        "CREATE FUNCTION public.evil_gt(a public.dseq, b bigint) RETURNS boolean LANGUAGE sql IMMUTABLE"
            + " SET search_path = pg_catalog AS"
            + " $$ SELECT (a::bigint OPERATOR(pg_catalog.>) b) AND (a::bigint OPERATOR(pg_catalog.<>) 4) $$",
        "CREATE OPERATOR public.> (LEFTARG = public.dseq, RIGHTARG = bigint, FUNCTION = public.evil_gt)");
    try (AuditStore store = open(ds)) {
      VerificationResult v = store.verify();
      List<AuditEntry> all = store.query(AuditQuery.builder().build());
      StringWriter out = new StringWriter();
      long exported = store.exportJsonl(out);
      System.out.println("attack18e domainOnSeq: verify=" + v.summary() + " query=" + seqs(all) + " exported="
          + exported);
      // the claim: a valid verification implies every entry is visible to query and export
      assertTrue(
          !v.valid() || (seqs(all).contains(4L) && exported == 7),
          "verify " + v.summary() + " while query shows " + seqs(all) + " and export " + exported);
    }
  }

  /**
   * The audit_meta.name column becomes a domain over text; {@code =(dname, text)} in the store's schema is an exact
   * match for {@code name = CAST(? AS text)} and answers false for 'tamper': the fail-closed record is written but
   * never read back, so appends go on after a failed verification.
   */
  @Test
  void domainOnMetaName_exactMatchOperator_hidesTheTamperRecord(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = ds(db);
    try (AuditStore store = open(ds)) {
      appendSeven(store);
    }
    sql(
        ds,
        "CREATE DOMAIN public.dname AS text",
        "ALTER TABLE public.audit_meta ALTER COLUMN name TYPE public.dname",
        "CREATE FUNCTION public.evil_eq(a public.dname, b text) RETURNS boolean LANGUAGE sql IMMUTABLE"
            + " SET search_path = pg_catalog AS"
            + " $$ SELECT (a::text OPERATOR(pg_catalog.=) b) AND (b OPERATOR(pg_catalog.<>) 'tamper') $$",
        "CREATE OPERATOR public.= (LEFTARG = public.dname, RIGHTARG = text, FUNCTION = public.evil_eq)",
        // tamper with entry 4 so verification fails
        "UPDATE public.audit_log SET message = 'edited' WHERE seq = 4");
    try (AuditStore store = open(ds)) {
      VerificationResult v = store.verify();
      assertFalse(v.valid(), v.summary());
      boolean detected = store.tamperingDetected().isPresent();
      boolean appended;
      try {
        store.append(AuditEvent.builder("after.tamper").actor("mallory").build());
        appended = true;
      } catch (AuditException e) {
        appended = false;
      }
      System.out.println("attack18e domainOnMetaName: verify=" + v.summary() + " tamperingDetected=" + detected
          + " appendAfterFailedVerify=" + appended);
      assertTrue(detected, "tamper record hidden after " + v.summary());
      assertFalse(appended, "append accepted after a failed verification");
    }
  }

  /**
   * The metadata column becomes a domain over text; {@code ||(text, dmeta)} in the store's schema is an exact match for
   * the last concatenation of the search tsvector (the GIN index is rebuilt from its re-parsed definition and uses it
   * too) and blanks mallory's document; {@code =(dactor, text)} does the same for the actor filter.
   */
  @Test
  void domainOnTextColumns_exactMatchOperators_searchAndFilterHideAnEntry(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = ds(db);
    try (AuditStore store = open(ds)) {
      appendSeven(store);
      assertEquals(7, store.search("login", 100).size());
    }
    sql(
        ds,
        "CREATE DOMAIN public.dmeta AS text",
        "CREATE FUNCTION public.evil_cat(a text, b public.dmeta) RETURNS text LANGUAGE sql IMMUTABLE"
            + " SET search_path = pg_catalog AS"
            + " $$ SELECT CASE WHEN pg_catalog.strpos(a, 'mallory') OPERATOR(pg_catalog.>) 0 THEN ''"
            + " ELSE a OPERATOR(pg_catalog.||) b::text END $$",
        "CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = public.dmeta, FUNCTION = public.evil_cat)",
        "SET search_path = public, pg_catalog",
        "ALTER TABLE public.audit_log ALTER COLUMN metadata TYPE public.dmeta",
        "CREATE DOMAIN public.dactor AS text",
        "CREATE FUNCTION public.evil_eq2(a public.dactor, b text) RETURNS boolean LANGUAGE sql IMMUTABLE"
            + " SET search_path = pg_catalog AS"
            + " $$ SELECT (a::text OPERATOR(pg_catalog.=) b) AND (b OPERATOR(pg_catalog.<>) 'mallory') $$",
        "CREATE OPERATOR public.= (LEFTARG = public.dactor, RIGHTARG = text, FUNCTION = public.evil_eq2)",
        "ALTER TABLE public.audit_log ALTER COLUMN actor TYPE public.dactor");
    try (AuditStore store = open(ds)) {
      VerificationResult v = store.verify();
      List<Long> found = seqs(store.search("login", 100));
      List<Long> byActor = seqs(store.query(AuditQuery.builder().actor("mallory").build()));
      System.out.println("attack18e domainOnTextColumns: verify=" + v.summary() + " search(login)=" + found
          + " query(actor=mallory)=" + byActor);
      assertTrue(
          !v.valid() || (found.contains(4L) && byActor.equals(List.of(4L))),
          "verify " + v.summary() + " while search shows " + found + " and actor filter " + byActor);
    }
  }

  /**
   * A nondeterministic (case-insensitive) ICU collation on the actor column: information_schema still says text; the
   * actor filter compares under the column's collation.
   */
  @Test
  void nondeterministicCollationOnActor_filterMatchesOnlyTheExactActor(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = ds(db);
    try (AuditStore store = open(ds)) {
      appendSeven(store);
      store.append(AuditEvent.builder("user.login").actor("MALLORY").message("login 8").build());
    }
    sql(
        ds,
        "CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
        "ALTER TABLE public.audit_log ALTER COLUMN actor TYPE text COLLATE public.ci");
    try (AuditStore store = open(ds)) {
      VerificationResult v = store.verify();
      List<Long> byActor = seqs(store.query(AuditQuery.builder().actor("mallory").build()));
      System.out.println("attack18e collation: verify=" + v.summary() + " query(actor=mallory)=" + byActor);
      assertTrue(!v.valid() || byActor.equals(List.of(4L)), "verify " + v.summary() + " actor filter " + byActor);
    }
  }

  /** One physical connection handed out again and again, close() a no-op: the host's pool of one. */
  private static javax.sql.DataSource poolOfOne(Connection physical) {
    Connection handle =
        (Connection)
            java.lang.reflect.Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, m, a) -> {
                  if (m.getName().equals("close")) {
                    return null;
                  }
                  try {
                    return m.invoke(physical, a);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            javax.sql.DataSource.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, m, a) -> {
              if (m.getName().equals("getConnection")) {
                return handle;
              }
              if (m.getName().equals("unwrap") || m.getName().equals("isWrapperFor")) {
                return m.getName().equals("isWrapperFor") ? false : null;
              }
              if (m.getName().equals("getLoginTimeout")) {
                return 0;
              }
              return null;
            });
  }

  private static String session(Connection c) throws SQLException {
    StringBuilder b = new StringBuilder();
    try (Statement st = c.createStatement()) {
      for (String q :
          new String[] {
            "SHOW search_path", "SHOW lock_timeout", "SHOW transaction_read_only", "SHOW statement_timeout",
            "SHOW idle_in_transaction_session_timeout", "SHOW synchronous_commit",
            "SHOW default_transaction_isolation"
          }) {
        try (java.sql.ResultSet rs = st.executeQuery(q)) {
          rs.next();
          b.append(q.substring(5)).append('=').append(rs.getString(1)).append(' ');
        }
      }
    }
    return b.append("autocommit=").append(c.getAutoCommit()).toString().trim();
  }

  /**
   * The host's pooled connection keeps its session settings after every store call, including calls that fail
   * mid-transaction (an INSERT trigger raising, SELECT revoked, a failed verification writing the tamper row).
   */
  @Test
  void pooledConnection_keepsHostSessionSettings_afterSuccessAndFailurePaths(PostgresDatabase db) throws Exception {
    PGSimpleDataSource raw = ds(db);
    sql(raw, "CREATE SCHEMA hostapp");
    try (Connection physical = raw.getConnection()) {
      try (Statement st = physical.createStatement()) {
        st.execute("SET search_path = hostapp, public");
        st.execute("SET lock_timeout = '1234ms'");
        st.execute("SET statement_timeout = '98765ms'");
      }
      String host = session(physical);
      javax.sql.DataSource pool = poolOfOne(physical);
      java.util.List<String> drift = new java.util.ArrayList<>();
      try (AuditStore store =
          PostgresAuditStore.builder(pool).macKey(SecretBytes.copyOf(KEY)).open()) {
        check(drift, "open", host, physical);
        appendSeven(store);
        check(drift, "append", host, physical);
        store.query(AuditQuery.builder().actor("mallory").build());
        store.search("login", 10);
        store.exportJsonl(new StringWriter());
        store.head();
        check(drift, "reads", host, physical);
        assertTrue(store.verify().valid());
        check(drift, "verify", host, physical);
        store.tamperingDetected();
        store.reclaimSpace();
        check(drift, "reclaim", host, physical);
        // failure mid-transaction: a trigger raising on INSERT
        sql(
            raw,
            "CREATE FUNCTION public.boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$",
            "CREATE TRIGGER boom BEFORE INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.boom()");
        assertThrows(AuditException.class, () -> store.append(AuditEvent.builder("x").build()));
        check(drift, "append failing in trigger", host, physical);
        sql(raw, "DROP TRIGGER boom ON public.audit_log");
        // failure mid-read: SELECT revoked from the owner
        sql(raw, "REVOKE SELECT ON public.audit_log FROM CURRENT_USER");
        try {
          store.query(AuditQuery.builder().build());
        } catch (AuditException expected) {
          // a typed failure is fine; the session must be untouched
        }
        check(drift, "query failing", host, physical);
        try {
          store.verify();
        } catch (AuditException expected) {
          // ditto
        }
        check(drift, "verify failing", host, physical);
        sql(raw, "GRANT SELECT ON public.audit_log TO CURRENT_USER");
        // failed verification writes the tamper row; the append after it is refused
        sql(raw, "UPDATE public.audit_log SET message = 'edited' WHERE seq = 4");
        assertFalse(store.verify().valid());
        check(drift, "verify tampered", host, physical);
        assertThrows(AuditException.class, () -> store.append(AuditEvent.builder("y").build()));
        check(drift, "append refused", host, physical);
        try {
          store.enforceRetention(RetentionPolicy.maxEntries(2));
        } catch (AuditException | RuntimeException expected) {
          // refused on a failing log
        }
        check(drift, "retention refused", host, physical);
      }
      check(drift, "close", host, physical);
      System.out.println("attack18e pool: host=" + host + " drift=" + drift);
      assertEquals(List.of(), drift);
    }
  }

  private static void check(List<String> drift, String step, String host, Connection c) throws SQLException {
    String now = session(c);
    if (!now.equals(host)) {
      drift.add(step + ": " + now);
    }
  }

  /** Legitimate path for the same fixture shapes: an untouched log verifies and every read sees all seven. */
  @Test
  void untouchedLog_verifiesAndEveryReadSeesAllEntries(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = ds(db);
    try (AuditStore store = open(ds)) {
      appendSeven(store);
      VerificationResult v = store.verify();
      assertTrue(v.valid(), v.summary());
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), seqs(store.query(AuditQuery.builder().build())));
      assertEquals(7, store.exportJsonl(new StringWriter()));
      assertEquals(1, store.query(AuditQuery.builder().actor("mallory").build()).size());
    }
  }
}
