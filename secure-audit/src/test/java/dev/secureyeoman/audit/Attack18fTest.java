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
import dev.secureyeoman.testkit.PostgresServer;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * attack18f: an outside attacker holding the gateway nodes' own PostgreSQL role (it owns the audit tables and may create
 * objects in the store's schema) tries to make {@code verify()} say OK while {@code query}/{@code search}/{@code
 * exportJsonl} hide, add or alter an entry, to hide the fail-closed record, or to leave changed session settings on the
 * host's pooled connection. Every test plays the attacker with plain SQL as that role; a test of an attack that works
 * asserts the secure behaviour and is {@code @Disabled} until the product is fixed.
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf("dev.secureyeoman.testkit.PostgresServer#shouldRun")
class Attack18fTest {
  private static final String ROLE = "node18f";

  /** The nodes' role: it owns what it creates and may create objects in {@code public}. */
  private static PGSimpleDataSource nodeRole(PostgresDatabase db) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
          + "CREATE ROLE " + ROLE + " LOGIN; END IF; END $$");
      s.execute("GRANT CREATE, USAGE ON SCHEMA public TO " + ROLE);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(db.jdbcUrl());
    ds.setUser(ROLE);
    return ds;
  }

  private static SecretBytes key() {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (i * 7 + 1);
    }
    return SecretBytes.copyOf(k);
  }

  /** Seven entries; mallory's is seq 4. */
  private static void seven(AuditStore store) throws AuditException {
    for (int i = 1; i <= 7; i++) {
      String actor = i == 4 ? "mallory" : "alice";
      store.append(AuditEvent.builder("admin.action").actor(actor).message("step " + i).build());
    }
  }

  private static List<Long> all() {
    return List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // A. The column check reads information_schema.columns with "table_name = 'audit_log'": an unknown literal against
  // the domain information_schema.sql_identifier. An operator =(sql_identifier, sql_identifier) in the store's schema
  // is an exact match (pg_catalog has none for the domain), so the check can be pointed at a pristine copy of the
  // table's shape while audit_log's seq is a domain with attack18e's better-matching ">".
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void identifierOperatorBlindsColumnCheck_domainOnSeq_verifyOkWhileQueryHidesAnEntry(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      assertEquals(all(), seqs(store.query(AuditQuery.builder().build())));
      blindColumnCheck(ds);
      sql(ds,
          "CREATE DOMAIN public.dseq AS bigint",
          "ALTER TABLE public.audit_log ALTER COLUMN seq TYPE public.dseq",
          "CREATE FUNCTION public.dseq_gt(public.dseq, bigint) RETURNS boolean LANGUAGE sql IMMUTABLE "
              + "AS $$ SELECT $1::bigint > $2 AND $1::bigint <> 4 $$",
          "CREATE OPERATOR public.> (LEFTARG = public.dseq, RIGHTARG = bigint, FUNCTION = public.dseq_gt)");

      List<Long> shown = seqs(store.query(AuditQuery.builder().build()));
      VerificationResult r = store.verify();
      // the secure outcome: either every entry is shown, or verification fails (and is recorded)
      assertTrue(shown.equals(all()) || !r.valid(),
          "verify " + r.summary() + " while query returned " + shown);
      assertTrue(shown.equals(all()) || store.tamperingDetected().isPresent());
    }
  }

  /** The same blind with a fresh node / the read-only reader (CLI {@code audit verify|search --config}). */
  @Test
  void identifierOperatorBlindsColumnCheck_readOnlyReaderToo(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
    }
    blindColumnCheck(ds);
    sql(ds,
        "CREATE DOMAIN public.dactor AS text",
        "ALTER TABLE public.audit_log ALTER COLUMN actor TYPE public.dactor",
        "CREATE FUNCTION public.dactor_eq(public.dactor, text) RETURNS boolean LANGUAGE sql IMMUTABLE "
            + "AS $$ SELECT $1::text = $2 AND $1::text <> 'mallory' $$",
        "CREATE OPERATOR public.= (LEFTARG = public.dactor, RIGHTARG = text, FUNCTION = public.dactor_eq)");
    try (AuditReader r = PostgresAuditStore.builder(ds).macKey(key()).openReadOnly()) {
      List<AuditEntry> mallory = r.query(AuditQuery.builder().actor("mallory").build());
      VerificationResult v = r.verify();
      assertTrue(mallory.size() == 1 || !v.valid(),
          "verify " + v.summary() + " while the actor filter 'mallory' returned " + seqs(mallory));
    }
  }

  /** Held part of A: without the blind, the same domain is refused (attack18e's fix), so the blind is what matters. */
  @Test
  void domainOnSeq_withoutTheBlind_refused(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds,
          "CREATE DOMAIN public.dseq AS bigint",
          "ALTER TABLE public.audit_log ALTER COLUMN seq TYPE public.dseq");
      VerificationResult r = store.verify();
      assertFalse(r.valid());
      assertEquals(Optional.of(VerificationResult.Problem.STORAGE_TYPE_ALTERED), r.problem());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // B. The fail-closed record lives in audit_meta, which is checked for nothing but existence: a view in its place
  // that leaves out the "tamper" row still takes the store's upsert (auto-updatable view, ON CONFLICT goes to the
  // renamed table) but never shows it to the read that decides whether appends are refused.
  // ---------------------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"view", "row level security", "trigger", "check constraint", "rule"})
  void auditMetaRigged_hidesTheTamperRecord_appendsGoOn(String how, PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      switch (how) {
        case "view" -> sql(ds,
            "ALTER TABLE public.audit_meta RENAME TO audit_meta_real",
            "CREATE VIEW public.audit_meta AS SELECT * FROM public.audit_meta_real WHERE name <> 'tamper'");
        case "row level security" -> sql(ds,
            "ALTER TABLE public.audit_meta ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.audit_meta FORCE ROW LEVEL SECURITY",
            "CREATE POLICY r ON public.audit_meta FOR SELECT USING (name <> 'tamper')",
            "CREATE POLICY i ON public.audit_meta FOR INSERT WITH CHECK (true)",
            "CREATE POLICY u ON public.audit_meta FOR UPDATE USING (true)",
            "CREATE POLICY d ON public.audit_meta FOR DELETE USING (true)");
        case "check constraint" -> sql(ds,
            "ALTER TABLE public.audit_meta ADD CONSTRAINT no_tamper CHECK (name <> 'tamper')");
        case "rule" -> sql(ds,
            "CREATE RULE no_tamper AS ON INSERT TO public.audit_meta WHERE NEW.name = 'tamper' DO INSTEAD NOTHING");
        default -> sql(ds,
            "CREATE FUNCTION public.drop_tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.name = 'tamper' THEN RETURN NULL; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER drop_tamper BEFORE INSERT OR UPDATE ON public.audit_meta FOR EACH ROW "
                + "EXECUTE FUNCTION public.drop_tamper()");
      }
      sql(ds, "UPDATE public.audit_log SET message = 'nothing happened' WHERE seq = 4");
      String verified;
      try {
        VerificationResult r = store.verify();
        assertFalse(r.valid());
        verified = r.summary();
      } catch (AuditException e) {
        verified = "threw " + e.reason();   // the failure could not be recorded
      }
      String outcome;
      try {
        outcome = "accepted at seq "
            + store.append(AuditEvent.builder("admin.action").actor("mallory").message("more").build()).seq();
      } catch (AuditException e) {
        outcome = e.reason().name();
      }
      assertEquals("TAMPERED", outcome, "verify " + verified + ", tamperingDetected() "
          + store.tamperingDetected().isPresent() + ", the next append " + outcome);
      assertTrue(store.tamperingDetected().isPresent());
    }
  }

  /**
   * B without touching audit_meta: a role default default_transaction_read_only = on while a node verifies. The write
   * that records the failure fails (its transaction never says READ WRITE) and is swallowed; the attacker resets the
   * default and every node appends again, with nothing recorded.
   */
  @Test
  void roleDefaultReadOnlyDuringVerification_failureNeverRecorded_appendsGoOnAfterReset(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds,
          "UPDATE public.audit_log SET message = 'nothing happened' WHERE seq = 4",
          "ALTER ROLE CURRENT_USER SET default_transaction_read_only = on");
      String verified;
      try {
        verified = store.verify().summary();
      } catch (AuditException e) {
        verified = "threw " + e.reason();
      }
      sql(ds, "SET default_transaction_read_only = off", "ALTER ROLE CURRENT_USER RESET default_transaction_read_only");
      String outcome;
      try {
        outcome = "accepted at seq " + store.append(AuditEvent.builder("admin.action").actor("mallory").build()).seq();
      } catch (AuditException e) {
        outcome = e.reason().name();
      }
      assertEquals("TAMPERED", outcome, "verify " + verified + ", then the next append " + outcome);
    }
  }

  /** Control for B: the same edit without the view is recorded and refuses appends (what the view defeats). */
  @Test
  void editWithoutTheView_recorded_appendsRefused(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds, "UPDATE public.audit_log SET message = 'nothing happened' WHERE seq = 4");
      assertFalse(store.verify().valid());
      assertTrue(store.tamperingDetected().isPresent());
      AuditException e = assertThrows(AuditException.class,
          () -> store.append(AuditEvent.builder("admin.action").actor("mallory").message("more").build()));
      assertEquals(AuditException.Reason.TAMPERED, e.reason());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // C. The store pins search_path for each of its transactions and puts lock_timeout back, but code of the attacker's
  // runs inside its write transactions on the host's pooled connection: a trigger on audit_log. set_config(…, false)
  // there is a session-level change that survives the store's COMMIT, so the host's connection goes back to the pool
  // with the attacker's search_path (secure-auth's statements on the same pool are unqualified), statement_timeout,
  // default_transaction_read_only … .
  // ---------------------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"trigger", "check constraint", "expression index"})
  @Disabled("attack18f: works — attacker code run by the append (a trigger, a CHECK constraint or an expression index "
      + "on audit_log) sets session-level search_path/statement_timeout/read-only; the host's pooled connection "
      + "keeps them after append returns")
  void attackersCodeInTheAppend_changesSessionSettingsOfTheHostsPooledConnection(String how, PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (Connection pooled = ds.getConnection()) {
      DataSource pool = oneConnectionPool(pooled);
      String pathBefore = show(pooled, "search_path");
      String timeoutBefore = show(pooled, "statement_timeout");
      String readOnlyBefore = show(pooled, "default_transaction_read_only");
      try (AuditStore store = PostgresAuditStore.builder(pool).macKey(key()).open()) {
        store.append(AuditEvent.builder("admin.action").actor("alice").message("before").build());
        String leak = "PERFORM pg_catalog.set_config('search_path', 'evil, pg_catalog, public', false); "
            + "PERFORM pg_catalog.set_config('statement_timeout', '4711', false); "
            + "PERFORM pg_catalog.set_config('default_transaction_read_only', 'on', false); ";
        switch (how) {
          case "trigger" -> sql(ds,
              "CREATE FUNCTION public.leak() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " + leak
                  + "RETURN NULL; END $$",
              "CREATE TRIGGER leak AFTER INSERT ON public.audit_log FOR EACH STATEMENT "
                  + "EXECUTE FUNCTION public.leak()");
          case "check constraint" -> sql(ds,
              "CREATE FUNCTION public.leak(bigint) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
                  + "IF $1 > 1 THEN " + leak + "END IF; RETURN true; END $$",
              "ALTER TABLE public.audit_log ADD CONSTRAINT leak CHECK (public.leak(seq))");
          default -> sql(ds,
              "CREATE FUNCTION public.leak(bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN "
                  + "IF $1 > 1 THEN " + leak + "END IF; RETURN $1; END $$",
              "CREATE INDEX leak ON public.audit_log ((public.leak(seq)))");
        }
        try {
          store.append(AuditEvent.builder("admin.action").actor("alice").message("after").build());
        } catch (AuditException refused) {
          // refusing to run with foreign code on the table is a secure outcome too: the settings must still be the host's
        }
        // what the host's next user of the pooled connection (e.g. the auth service) runs with
        String path = show(pooled, "search_path");
        String timeout = show(pooled, "statement_timeout");
        String readOnly = show(pooled, "default_transaction_read_only");
        assertEquals(List.of(pathBefore, timeoutBefore, readOnlyBefore), List.of(path, timeout, readOnly),
            "the pooled connection kept the session settings of the attacker's " + how);
      }
    }
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * A pool of one connection, as HikariCP behaves for the settings that matter here: {@code close()} hands it back
   * (auto-commit, isolation and read-only are reset by the pool; server-side session settings are not).
   */
  private static DataSource oneConnectionPool(Connection physical) {
    Connection handle = (Connection) Proxy.newProxyInstance(
        Attack18fTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
          switch (m.getName()) {
            case "close":
              if (!physical.getAutoCommit()) {
                physical.rollback();
              }
              physical.setAutoCommit(true);
              physical.setReadOnly(false);
              physical.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
              return null;
            case "isClosed":
              return false;
            default:
              try {
                return m.invoke(physical, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
    return (DataSource) Proxy.newProxyInstance(
        Attack18fTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
          if (m.getName().equals("getConnection")) {
            return handle;
          }
          if (m.getName().equals("isWrapperFor")) {
            return false;
          }
          throw new UnsupportedOperationException(m.getName());
        });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // D. Appends bind each column as a text array literal ({a,b}); array_in reads an unquoted NULL as SQL NULL. Caller
  // input spelled NULL (any case), and the array_nulls setting (a role default), decide what is stored.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void callerInputSpelledNull_storedAsText_logVerifies(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      for (String v : List.of("NULL", "null", "Null", " NULL", "NULL ")) {
        store.append(AuditEvent.builder("ev.null")
            .actor(v).message(v).correlationId(v).put(v, v).build());
      }
      store.append(AuditEvent.builder("ev").actor("alice").build());
      VerificationResult r = store.verify();
      assertTrue(r.valid(), r.summary());
      List<AuditEntry> got = store.query(AuditQuery.builder().actor("NULL").build());
      assertEquals(1, got.size());
      assertEquals(Optional.of("NULL"), got.get(0).correlationId());
      assertTrue(store.tamperingDetected().isEmpty());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // E. Session defaults the nodes' role may set for itself (ALTER ROLE CURRENT_USER SET …): every new connection of
  // the host's pool starts with them.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void roleSessionDefaults_changeNothingTheStoreReadsOrWrites(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds,
          "ALTER ROLE CURRENT_USER SET DateStyle = 'SQL, DMY'",
          "ALTER ROLE CURRENT_USER SET IntervalStyle = 'sql_standard'",
          "ALTER ROLE CURRENT_USER SET TimeZone = 'Pacific/Kiritimati'",
          "ALTER ROLE CURRENT_USER SET bytea_output = 'escape'",
          "ALTER ROLE CURRENT_USER SET extra_float_digits = -15",
          "ALTER ROLE CURRENT_USER SET standard_conforming_strings = off",
          "ALTER ROLE CURRENT_USER SET default_text_search_config = 'pg_catalog.english'",
          "ALTER ROLE CURRENT_USER SET transform_null_equals = on",
          "ALTER ROLE CURRENT_USER SET lc_monetary = 'C'",
          "ALTER ROLE CURRENT_USER SET lc_numeric = 'C'",
          "ALTER ROLE CURRENT_USER SET lc_time = 'C'",
          "ALTER ROLE CURRENT_USER SET default_transaction_isolation = 'serializable'",
          "ALTER ROLE CURRENT_USER SET default_transaction_deferrable = on",
          "ALTER ROLE CURRENT_USER SET synchronous_commit = off",
          "ALTER ROLE CURRENT_USER SET enable_seqscan = off",
          "ALTER ROLE CURRENT_USER SET enable_indexscan = off",
          "ALTER ROLE CURRENT_USER SET plan_cache_mode = 'force_generic_plan'");
      try (Connection fresh = ds.getConnection()) {   // the defaults are in force for every new connection
        assertEquals(List.of("escape", "off", "serializable"), List.of(show(fresh, "bytea_output"),
            show(fresh, "standard_conforming_strings"), show(fresh, "default_transaction_isolation")));
      }
      store.append(AuditEvent.builder("admin.action").actor("alice").message("step 8").put("k", "a\\b'c").build());
      assertTrue(store.verify().valid());
      List<Long> eight = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
      assertEquals(eight, seqs(store.query(AuditQuery.builder().build())));
      assertEquals(List.of(4L), seqs(store.query(AuditQuery.builder().actor("mallory").build())));
      assertEquals(List.of(4L), seqs(store.search("mallory", 10)));
      assertEquals(List.of(4L), seqs(store.search("step 4", 10)));
      StringWriter out = new StringWriter();
      assertEquals(8, store.exportJsonl(out));
    }
    // a node opened afterwards (every one of its connections starts with the role's defaults)
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      store.append(AuditEvent.builder("admin.action").actor("bob").build());
      assertTrue(store.verify().valid());
      assertEquals(9, store.query(AuditQuery.builder().build()).size());
    }
  }

  /**
   * array_nulls = off (a role default) would make an unquoted {NULL} array element the text "NULL", so an entry without
   * a correlation id would be stored as something other than what was MACed. Held: the NULL stays NULL (the driver
   * does not send the array as that text), the log verifies.
   */
  @Test
  void roleDefaultArrayNullsOff_nullCorrelationIdStaysNull_logVerifies(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds, "ALTER ROLE CURRENT_USER SET array_nulls = off");
      try (Connection fresh = ds.getConnection()) {
        assertEquals("off", show(fresh, "array_nulls"));
      }
      AuditEntry eight = store.append(AuditEvent.builder("admin.action").actor("alice").message("step 8").build());
      assertEquals(Optional.empty(), eight.correlationId());
      List<AuditEntry> stored = store.query(AuditQuery.builder().afterSeq(7).build());
      VerificationResult r = store.verify();
      assertEquals(Optional.empty(), stored.get(0).correlationId());
      assertTrue(r.valid(), r.summary());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // F. Names the pinned search path (pg_catalog, "<schema>", pg_temp) must keep resolving to the built-ins.
  // ---------------------------------------------------------------------------------------------------------------

  /** search casts 'simple' to regconfig: a configuration named simple in the store's schema that indexes nothing. */
  @Test
  void simpleTextSearchConfigurationInTheStoresSchema_searchStillFindsEveryEntry(PostgresDatabase db)
      throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds,
          "CREATE TEXT SEARCH CONFIGURATION public.simple (COPY = pg_catalog.simple)",
          "ALTER TEXT SEARCH CONFIGURATION public.simple DROP MAPPING FOR asciiword, word, numword, asciihword, "
              + "hword, hword_part, hword_asciipart, hword_numpart",
          "ALTER ROLE CURRENT_USER SET search_path = public, pg_catalog",
          "ALTER ROLE CURRENT_USER SET default_text_search_config = 'public.simple'",
          // the index rebuilt with the attacker's configuration: the planner must not use it for the store's query
          "DROP INDEX public.audit_log_fts",
          "SET search_path = public, pg_catalog",
          "CREATE INDEX audit_log_fts ON public.audit_log USING GIN "
              + "(to_tsvector('simple', event || ' ' || actor || ' ' || message || ' ' || metadata))");
      assertEquals(List.of(4L), seqs(store.search("mallory", 10)));
      assertEquals(List.of(7L, 6L, 5L, 3L, 2L, 1L), seqs(store.search("alice step", 10)));
    }
  }

  /**
   * Temporary tables audit_log / audit_meta, a temporary to_regclass, "=" and regconfig on the store's own pooled
   * connection, with pg_temp first on its session search_path (pg_temp is last on the pinned path).
   */
  @Test
  void temporaryObjectsOnThePooledConnection_shadowNothing(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (Connection pooled = ds.getConnection()) {
      DataSource pool = oneConnectionPool(pooled);
      try (AuditStore store = PostgresAuditStore.builder(pool).macKey(key()).open()) {
        seven(store);
        try (Statement s = pooled.createStatement()) {
          s.execute("CREATE TEMP TABLE audit_log AS SELECT * FROM public.audit_log WHERE actor <> 'mallory'");
          s.execute("CREATE TEMP TABLE audit_meta AS SELECT * FROM public.audit_meta");
          // temporary functions, operators and domains: the temporary schema is never searched for the first two
          s.execute("CREATE FUNCTION pg_temp.to_regclass(text) RETURNS regclass LANGUAGE sql "
              + "AS $$ SELECT 'pg_catalog.pg_class'::regclass $$");
          s.execute("CREATE FUNCTION pg_temp.never(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$");
          s.execute("CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.never)");
          s.execute("CREATE DOMAIN pg_temp.regconfig AS text");
          s.execute("SET search_path = pg_temp, pg_catalog, public");
        }
        sql(ds, "UPDATE public.audit_log SET message = 'nothing happened' WHERE seq = 4");
        assertEquals(all(), seqs(store.query(AuditQuery.builder().build())));
        assertEquals(List.of(4L), seqs(store.query(AuditQuery.builder().actor("mallory").build())));
        assertEquals(List.of(4L), seqs(store.search("mallory", 10)));
        assertFalse(store.verify().valid());
        assertTrue(store.tamperingDetected().isPresent());
        AuditException e = assertThrows(AuditException.class,
            () -> store.append(AuditEvent.builder("admin.action").actor("mallory").build()));
        assertEquals(AuditException.Reason.TAMPERED, e.reason());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // G. search: "every word must occur", with more than MAX_SEARCH_WORDS words refused, never cut. Words that one
  // engine's parser turns into no token at all are dropped (the result is widened to entries lacking them); words
  // separated by whitespace the reader does not split on become one FTS5 phrase on SQLite (narrowed).
  // ---------------------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgres", "sqlite"})
  @Disabled("attack18f: works (low, documented) — a word without letters or digits (emoji, lone surrogate, punctuation)"
      + " is ignored on both engines, so it does not exclude entries lacking it; the joining of words split by"
      + " U+00A0/U+3000/U+2028 is fixed (SearchTest#unicodeSpaces_separateWords_neverJoinIntoAPhrase)")
  void searchWords_neitherDroppedNorJoined(String engine, PostgresDatabase db) throws Exception {
    try (AuditStore store = engine.equals("postgres")
        ? PostgresAuditStore.builder(nodeRole(db)).macKey(key()).open()
        : SqliteAuditStore.open(AuditStoreOptions.builder(
            java.nio.file.Files.createTempDirectory("attack18f").resolve("audit.db")).macKey(key()).build())) {
      store.append(AuditEvent.builder("ev").actor("alice").message("hello").build());                 // 1
      store.append(AuditEvent.builder("ev").actor("mallory").message("hello").build());               // 2
      store.append(AuditEvent.builder("ev").actor("mallory").message("hello --- x").build());         // 3
      store.append(AuditEvent.builder("ev").actor("mallory").message("hello \uD83D\uDE42 y").build()); // 4
      List<String> problems = new ArrayList<>();
      // a word is never dropped: only entries holding it may be returned (or the search is refused)
      notWidened(store, "mallory \uD83D\uDE42", List.of(4L), problems);
      notWidened(store, "mallory ---", List.of(3L), problems);
      notWidened(store, "mallory \uD800", List.of(), problems);
      // words are never joined: seq 3 holds both words, apart
      for (String sep : List.of("\u00A0", "\u3000", "\u2028", "\u0085", "\u001C")) {
        List<Long> got = seqs(store.search("mallory" + sep + "x", 10));
        if (!got.equals(List.of(3L))) {
          problems.add("'mallory" + String.format("U+%04X", (int) sep.charAt(0)) + "x' returned " + got);
        }
      }
      assertEquals(List.of(), problems, engine);
    }
  }

  private static void notWidened(AuditStore store, String text, List<Long> allowed, List<String> problems)
      throws AuditException {
    try {
      List<Long> got = seqs(store.search(text, 10));
      if (!allowed.containsAll(got)) {
        problems.add("'" + text.replaceAll("[^\\x20-\\x7e]", "?") + "' returned " + got + " (only " + allowed
            + " hold every word)");
      }
    } catch (IllegalArgumentException refused) {
      // refusing a word that cannot be matched is fine
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // H. Harmless-looking table changes and what the role cannot do.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void harmlessLookingTableChanges_hideNothing_newEntriesStoredAsMaced(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds,
          "ALTER TABLE public.audit_log SET (autovacuum_enabled = false, fillfactor = 50)",
          "ALTER TABLE public.audit_log ALTER COLUMN actor SET STORAGE EXTERNAL",
          "ALTER TABLE public.audit_log ALTER COLUMN correlation_id SET DEFAULT 'forged'",
          "ALTER TABLE public.audit_log ALTER COLUMN message SET DEFAULT 'forged'",
          "ALTER TABLE public.audit_log ADD COLUMN extra text DEFAULT 'x'",
          "ALTER TABLE public.audit_log ADD COLUMN shown text GENERATED ALWAYS AS (actor || '!') STORED",
          "CLUSTER public.audit_log USING audit_log_pkey");
      AuditEntry eight = store.append(AuditEvent.builder("admin.action").actor("mallory").build());
      assertTrue(store.verify().valid());
      List<AuditEntry> got = store.query(AuditQuery.builder().build());
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), seqs(got));
      assertEquals(Optional.empty(), got.get(7).correlationId());
      assertEquals(eight, got.get(7));
      assertEquals(List.of(4L, 8L), seqs(store.query(AuditQuery.builder().actor("mallory").build())));
    }
  }

  @Test
  void eventTrigger_refusedToTheNodesRole(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      sql(ds, "CREATE FUNCTION public.et() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$");
      SQLException e = assertThrows(SQLException.class,
          () -> sql(ds, "CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION public.et()"));
      assertEquals("42501", e.getSQLState());   // insufficient_privilege: superusers only
      assertTrue(store.verify().valid());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // I. The write lock's key is public (docs/audit.md). A session of the role that takes it at session level and then
  // idles outside any transaction is not cut by idle_in_transaction_session_timeout (attack18b's fix), and appends
  // set no lock_timeout: every node's appends — and every audited request — wait for as long as that session lives.
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void idleSessionHoldingTheWriteLock_appendsFailOrSucceedWithinBound(PostgresDatabase db) throws Exception {
    PGSimpleDataSource ds = nodeRole(db);
    try (AuditStore store = PostgresAuditStore.builder(ds).macKey(key()).open()) {
      seven(store);
      try (Connection attacker = ds.getConnection(); Statement s = attacker.createStatement()) {
        s.execute("SELECT pg_advisory_lock(x'5359617564743138'::bigint)");   // autocommit: idle, not in a transaction
        java.util.concurrent.CompletableFuture<AuditEntry> f =
            store.appendAsync(AuditEvent.builder("auth.login.failure").actor("alice").build());
        String outcome;
        try {
          outcome = "committed at seq " + f.get(40, java.util.concurrent.TimeUnit.SECONDS).seq();
        } catch (java.util.concurrent.ExecutionException e) {
          outcome = "failed " + e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
          outcome = "still waiting after 40 s";
        }
        s.execute("SELECT pg_advisory_unlock(x'5359617564743138'::bigint)");
        assertFalse(outcome.startsWith("still waiting"), outcome);
      }
    }
  }

  private static void blindColumnCheck(PGSimpleDataSource ds) throws SQLException {
    sql(ds,
        // a pristine copy of the table's shape for the check to read instead
        "CREATE TABLE public.audit_log_shape (LIKE public.audit_log)",
        "CREATE FUNCTION public.ident_eq(information_schema.sql_identifier, information_schema.sql_identifier) "
            + "RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT CASE WHEN $2::text = 'audit_log' "
            + "THEN $1::text = 'audit_log_shape' ELSE $1::text = $2::text END $$",
        "CREATE OPERATOR public.= (LEFTARG = information_schema.sql_identifier, "
            + "RIGHTARG = information_schema.sql_identifier, FUNCTION = public.ident_eq)");
  }
}
