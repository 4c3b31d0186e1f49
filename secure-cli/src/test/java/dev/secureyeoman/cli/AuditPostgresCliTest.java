package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.auth.AuthDataSources;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import dev.secureyeoman.testkit.PostgresServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit verify|search|export|acknowledge-tampering --config F} against a real PostgreSQL (testkit): the log
 * written by three store instances ("nodes") on one database is one chain the CLI accepts; a row changed with plain SQL
 * fails it naming the seq; an unreachable server, a missing password variable and a database without a log are one
 * {@code error:} line and exit 1, never with the password or URL parameters.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditPostgresCliTest {
  static final String PASSWORD_VAR = "SY_TEST_PG_PASSWORD";

  @TempDir Path tmp;
  final Map<String, String> envVars = new HashMap<>();
  byte[] key = new byte[32];

  @BeforeEach
  void setUp() {
    new SecureRandom().nextBytes(key);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(key));
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  private Path config(String url, String user) throws Exception {
    return config(url, user, PASSWORD_VAR);
  }

  private Path config(String url, String user, String passwordVar) throws Exception {
    Path f = tmp.resolve("host-" + user + ".yaml");
    Files.writeString(
        f,
        "security:\n  storage: { engine: postgres, url: '" + url + "', user: " + user + ", password_env: "
            + passwordVar + " }\n");
    return f;
  }

  private Path config(PostgresDatabase db) throws Exception {
    envVars.put(PASSWORD_VAR, db.password());
    return config(db.jdbcUrl(), db.user());
  }

  /** Three store instances on one database append interleaved entries: one chain of {@code rounds * 3} entries. */
  private void threeNodesAppend(PostgresDatabase db, int rounds) throws Exception {
    List<AuthDataSources.Pooled> pools = new ArrayList<>();
    List<AuditStore> stores = new ArrayList<>();
    try (SecretBytes k = SecretBytes.copyOf(key)) {
      for (int i = 0; i < 3; i++) {
        AuthDataSources.Pooled pool = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray());
        pools.add(pool);
        stores.add(PostgresAuditStore.builder(pool).macKey(k).open());
      }
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < 3; i++) {
          stores.get(i).append(
              AuditEvent.builder("node.event").actor("node" + (i + 1)).message("round " + r + " quokka").build());
        }
      }
    } finally {
      stores.forEach(AuditStore::close);
      pools.forEach(AuthDataSources.Pooled::close);
    }
  }

  private static int sql(PostgresDatabase db, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      return s.executeUpdate(statement);
    }
  }

  @Test
  void verifySearchExport_entriesOfThreeNodes_oneChain_tamperedRowNamedBySeq_thenAcknowledged(PostgresDatabase db)
      throws Exception {
    threeNodesAppend(db, 4);
    Path cfg = config(db);

    Run ok = Run.of("audit", "verify", "--config", cfg.toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("OK: 12 entries (seq 1..12)"), ok.out());

    Run found = Run.of("audit", "search", "--config", cfg.toString(), "quokka", "--limit", "100");
    assertEquals(0, found.code(), found.err());
    assertEquals(12, found.out().lines().count(), found.out());
    assertTrue(found.out().contains("node3"), found.out());

    Path export = tmp.resolve("export.jsonl");
    Run exported = Run.of("audit", "export", "--config", cfg.toString(), "-o", export.toString());
    assertEquals(0, exported.code(), exported.err());
    assertEquals(12, Files.readAllLines(export).size());

    // the attack: one row changed with plain SQL
    assertEquals(1, sql(db, "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 7"));
    Run bad = Run.of("audit", "verify", "--config", cfg.toString());
    assertEquals(1, bad.code());
    assertEquals("error: verification FAILED at seq 7: ENTRY_ALTERED", bad.err().strip().split(" \\(")[0]);
    assertEquals(1, bad.err().strip().lines().count(), bad.err());

    // the failure is the cluster's: every node's store now refuses appends (fail closed)
    try (AuthDataSources.Pooled pool = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray());
        SecretBytes k = SecretBytes.copyOf(key);
        AuditStore node = PostgresAuditStore.builder(pool).macKey(k).open()) {
      AuditException refused =
          assertThrows(AuditException.class, () -> node.append(AuditEvent.builder("x.y").actor("a").build()));
      assertEquals(AuditException.Reason.TAMPERED, refused.reason());

      Run ack = Run.of("audit", "acknowledge-tampering", "--config", cfg.toString(), "--reason", "ticket 42");
      assertEquals(0, ack.code(), ack.err());
      assertTrue(ack.out().startsWith("acknowledged at seq 13"), ack.out());
      assertEquals(
          System.getProperty("user.name"), one(db, "SELECT actor FROM audit_log WHERE seq = 13"),
          "default actor: the OS user running the CLI");
      assertEquals(14, node.append(AuditEvent.builder("x.y").actor("a").build()).seq());
    }
  }

  /**
   * Red team (attack18b): a truncation is visible only against the checkpoint file of the node that found it. The
   * acknowledgement written without that file covers nothing and the node locks the log again; with {@code
   * --checkpoint} it covers the truncation and the node keeps appending.
   */
  @Test
  void acknowledge_truncationFoundByANodesCheckpoints_coveredOnlyWithThatCheckpointFile(PostgresDatabase db)
      throws Exception {
    Path cfg = config(db);
    Path cpFile = tmp.resolve("node-checkpoints");
    try (AuthDataSources.Pooled pool = AuthDataSources.postgres(db.jdbcUrl(), db.user(), db.password().toCharArray());
        SecretBytes k = SecretBytes.copyOf(key);
        AuditStore node =
            PostgresAuditStore.builder(pool)
                .macKey(k)
                .checkpoints(
                    dev.secureyeoman.audit.CheckpointSinks.appendOnlyFile(cpFile),
                    dev.secureyeoman.audit.CheckpointKeys.deriveFromAuditKey(k))
                .open()) {
      for (int i = 0; i < 10; i++) {
        node.append(AuditEvent.builder("node.event").actor("node1").message("entry " + i).build());
      }
      node.checkpoint();
      assertEquals(2, sql(db, "DELETE FROM audit_log WHERE seq >= 9"));
      assertFalse(node.verify().valid());
      assertTrue(node.tamperingDetected().isPresent());

      Run blind = Run.of("audit", "acknowledge-tampering", "--config", cfg.toString(), "--reason", "SEC-2 first try");
      assertEquals(0, blind.code(), blind.err());
      assertTrue(blind.out().contains("covers broken seq ranges: none"), blind.out());
      assertTrue(blind.err().startsWith("note: without --checkpoint"), blind.err());
      assertFalse(node.verify().valid());
      assertTrue(node.tamperingDetected().isPresent(), "the truncation was not covered: locked again");
      AuditException refused =
          assertThrows(AuditException.class, () -> node.append(AuditEvent.builder("x.y").actor("a").build()));
      assertEquals(AuditException.Reason.TAMPERED, refused.reason());

      Run seen =
          Run.of("audit", "acknowledge-tampering", "--config", cfg.toString(), "--checkpoint", cpFile.toString(),
              "--reason", "SEC-2 with the node's checkpoints");
      assertEquals(0, seen.code(), seen.err());
      assertTrue(seen.out().contains(":TRUNCATED"), seen.out());
      assertEquals("", seen.err());
      node.verify();
      assertTrue(node.tamperingDetected().isEmpty(), "covered: " + seen.out());
      node.append(AuditEvent.builder("x.y").actor("a").build());

      Run missing =
          Run.of("audit", "acknowledge-tampering", "--config", cfg.toString(), "--checkpoint",
              tmp.resolve("nope").toString(), "--reason", "x");
      assertEquals(1, missing.code());
      assertEquals("error: no checkpoint file at " + tmp.resolve("nope"), missing.err().strip());
    }
  }

  private static String one(PostgresDatabase db, String query) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Every row of the log and its meta table, to compare before and after a command. */
  private static String state(PostgresDatabase db) throws Exception {
    return one(db, "SELECT (SELECT count(*) || ':' || max(seq) || ':' || md5(string_agg(hash::text, ',' ORDER BY seq))"
        + " FROM audit_log) || '|' || (SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM audit_meta)");
  }

  /** An event trigger (security definer, so any role's DDL is noted) writing every DDL command tag into ddl_seen. */
  private static void noteDdl(PostgresDatabase db) throws Exception {
    sql(db, "CREATE TABLE ddl_seen (tag TEXT NOT NULL)");
    sql(db, "CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS"
        + " $$ BEGIN INSERT INTO public.ddl_seen VALUES (tg_tag); END $$");
    sql(db, "CREATE EVENT TRIGGER note_ddl ON ddl_command_start EXECUTE FUNCTION note_ddl()");
  }

  /** A login role with SELECT on the two audit tables only; returns its config (password in the variable). */
  private Path selectOnlyConfig(PostgresDatabase db) throws Exception {
    String role = "auditor_" + Long.toHexString(System.nanoTime());
    String password = "ro-" + Long.toHexString(new SecureRandom().nextLong());
    sql(db, "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
    sql(db, "GRANT SELECT ON audit_log, audit_meta TO " + role);
    envVars.put("SY_AUDITOR_PASSWORD", password);
    return config(db.jdbcUrl(), role, "SY_AUDITOR_PASSWORD");
  }

  @Test
  void searchExportVerify_selectOnlyRoleAndOwner_noDdlNothingWritten_failureRecordedOnlyByOwnerWithoutReadOnly(
      PostgresDatabase db) throws Exception {
    threeNodesAppend(db, 2);
    Path auditor = selectOnlyConfig(db);
    noteDdl(db);
    String before = state(db);
    Path export = tmp.resolve("ro.jsonl");
    for (String[] cmd : List.of(
        new String[] {"audit", "search", "--config", auditor.toString(), "quokka"},
        new String[] {"audit", "export", "--config", auditor.toString(), "-o", export.toString()},
        new String[] {"audit", "verify", "--config", auditor.toString()})) {
      Run r = Run.of(cmd);
      assertEquals(0, r.code(), cmd[1] + ": " + r.err());
    }
    assertEquals(6, Files.readAllLines(export).size());
    assertEquals(6, Run.of("audit", "search", "--config", auditor.toString(), "quokka").out().lines().count());
    Path owner = config(db);
    for (String[] cmd : List.of(
        new String[] {"audit", "search", "--config", owner.toString(), "quokka"},
        new String[] {"audit", "export", "--config", owner.toString()},
        new String[] {"audit", "verify", "--config", owner.toString()})) {
      Run r = Run.of(cmd);
      assertEquals(0, r.code(), cmd[1] + ": " + r.err());
    }
    assertEquals(before, state(db), "nothing written");
    assertEquals("0", one(db, "SELECT count(*) FROM ddl_seen"), "no DDL by search, export or a passing verify");

    // a tampered row: the auditor's verify fails, exit 1, says it recorded nothing (it could not)
    sql(db, "UPDATE audit_log SET actor = 'eve' WHERE seq = 3");
    String tampered = state(db);
    Run ro = Run.of("audit", "verify", "--config", auditor.toString());
    assertEquals(1, ro.code(), ro.err());
    assertTrue(ro.err().startsWith("error: verification FAILED at seq 3: ENTRY_ALTERED"), ro.err());
    assertTrue(ro.err().contains("; not recorded"), ro.err());
    assertEquals(1, ro.err().strip().lines().count(), ro.err());
    assertEquals(tampered, state(db), "the auditor recorded nothing");

    // the owner with --read-only: reported, not recorded, the nodes keep appending
    Run ownerRo = Run.of("audit", "verify", "--config", owner.toString(), "--read-only");
    assertEquals(1, ownerRo.code(), ownerRo.err());
    assertTrue(ownerRo.err().contains("at seq 3") && ownerRo.err().contains("not recorded (--read-only)"),
        ownerRo.err());
    assertEquals(tampered, state(db));
    assertEquals("0", one(db, "SELECT count(*) FROM ddl_seen"));

    // the owner without it: recorded, every node fails closed (documented intent)
    Run recorded = Run.of("audit", "verify", "--config", owner.toString());
    assertEquals(1, recorded.code());
    assertTrue(recorded.err().startsWith("error: verification FAILED at seq 3: ENTRY_ALTERED"), recorded.err());
    assertFalse(recorded.err().contains("not recorded"), recorded.err());
    assertTrue(one(db, "SELECT value FROM audit_meta WHERE name = 'tamper'").startsWith("3\t"));
    assertEquals("6", one(db, "SELECT count(*) FROM audit_log"), "recording appends nothing");
  }

  @Test
  void headUnderOlderKeyId_searchExportVerifyAppendNoKeyRotatedEntry_notEvenWhenRecordingAFailure(PostgresDatabase db)
      throws Exception {
    threeNodesAppend(db, 2); // key id 1
    byte[] newKey = new byte[32];
    new SecureRandom().nextBytes(newKey);
    envVars.put("SY_OLD_AUDIT_KEY", Base64.getEncoder().encodeToString(key));
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(newKey));
    Path cfg = config(db);
    String[] keys = {"--key-id", "2", "--old-key-env", "1=SY_OLD_AUDIT_KEY"};
    String before = state(db);
    Run search = Run.of(cat(new String[] {"audit", "search", "--config", cfg.toString(), "quokka"}, keys));
    assertEquals(0, search.code(), search.err());
    assertEquals(6, search.out().lines().count());
    Run export = Run.of(cat(new String[] {"audit", "export", "--config", cfg.toString()}, keys));
    assertEquals(0, export.code(), export.err());
    assertEquals(6, export.out().lines().count());
    Run verify = Run.of(cat(new String[] {"audit", "verify", "--config", cfg.toString()}, keys));
    assertEquals(0, verify.code(), verify.err());
    assertEquals(before, state(db), "no audit.key_rotated entry, nothing written");

    sql(db, "UPDATE audit_log SET message = 'x' WHERE seq = 2");
    Run bad = Run.of(cat(new String[] {"audit", "verify", "--config", cfg.toString()}, keys));
    assertEquals(1, bad.code());
    assertFalse(bad.err().contains("not recorded"), bad.err());
    assertEquals("6", one(db, "SELECT count(*) FROM audit_log"), "recording the failure rotated nothing");
    assertEquals("0", one(db, "SELECT count(*) FROM audit_log WHERE event = 'audit.key_rotated'"));
  }

  /**
   * Red team: the newest row edited. Before issue 18's fix the store took an edited head for a wrong key and recorded
   * nothing (the CLI said "not recorded"). Now the writable store sees an earlier entry under the head's key id verify,
   * so the head was edited: the failure is recorded, and every node refuses appends.
   */
  @Test
  void verify_tamperedHead_reportedExit1_andRecorded(PostgresDatabase db) throws Exception {
    threeNodesAppend(db, 2);
    Path cfg = config(db);
    sql(db, "UPDATE audit_log SET message = 'nothing happened' WHERE seq = 6");
    Run r = Run.of("audit", "verify", "--config", cfg.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: verification FAILED at seq 6"), r.err());
    assertFalse(r.err().contains("not recorded"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertEquals("1", one(db, "SELECT count(*) FROM audit_meta WHERE name = 'tamper'"));
    assertEquals("6", one(db, "SELECT count(*) FROM audit_log"), "nothing appended on top of the edited head");
  }

  /**
   * Red team (attack18's caller typo, at the CLI): a wrong {@code --log-id} fails the verification, exit 1, but is not
   * recorded — the chain in the database verifies on its own, so the nodes keep appending; a real edit still is.
   */
  @Test
  void verify_wrongExpectedLogId_exit1_notRecorded_nodesKeepAppending(PostgresDatabase db) throws Exception {
    threeNodesAppend(db, 1);
    Path cfg = config(db);
    String before = state(db);
    Run r = Run.of("audit", "verify", "--config", cfg.toString(), "--log-id", "0".repeat(32));
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: verification FAILED"), r.err());
    assertTrue(r.err().contains("LOG_ID_MISMATCH"), r.err());
    assertTrue(r.err().contains("; not recorded: the chain in the database verifies on its own"), r.err());
    assertEquals(before, state(db), "nothing recorded, nothing appended");
    String logId = one(db, "SELECT value FROM audit_meta WHERE name = 'log_id'");
    Run ok = Run.of("audit", "verify", "--config", cfg.toString(), "--log-id", logId);
    assertEquals(0, ok.code(), ok.err());
    threeNodesAppend(db, 1); // the nodes still append
    assertEquals("6", one(db, "SELECT count(*) FROM audit_log"));
  }

  private static String[] cat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void verify_serverUnreachable_oneErrorLine_noPasswordNoUrlParameters() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    envVars.put(PASSWORD_VAR, "pg-secret-never-printed");
    Path cfg = config("jdbc:postgresql://127.0.0.1:" + port + "/sy?password=url-secret-never-printed", "sy");
    for (String cmd : List.of("verify", "export")) {
      Run r = Run.of("audit", cmd, "--config", cfg.toString());
      assertEquals(1, r.code(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(
          r.err().startsWith("error: PostgreSQL at jdbc:postgresql://127.0.0.1:" + port + "/sy?\u2026 unreachable: "),
          r.err());
      assertFalse(r.err().contains("never-printed") || r.out().contains("never-printed"), r.err());
    }
  }

  @Test
  void verify_serverStopped_oneErrorLine_thenWorksAfterRestart() throws Exception {
    try (PostgresServer own = PostgresServer.start()) {
      PostgresDatabase db = own.createDatabase();
      threeNodesAppend(db, 1);
      Path cfg = config(db);
      own.stop();
      Run down = Run.of("audit", "verify", "--config", cfg.toString());
      assertEquals(1, down.code());
      assertTrue(down.err().startsWith("error: PostgreSQL at " + db.jdbcUrl() + " unreachable: "), down.err());
      assertEquals(1, down.err().strip().lines().count(), down.err());
      own.restart();
      Run up = Run.of("audit", "verify", "--config", cfg.toString());
      assertEquals(0, up.code(), up.err());
      assertTrue(up.out().startsWith("OK: 3 entries"), up.out());
    }
  }

  @Test
  void verify_databaseWithoutLog_refused_nothingCreated(PostgresDatabase db) throws Exception {
    Path cfg = config(db);
    Run r = Run.of("audit", "verify", "--config", cfg.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: no audit log in the PostgreSQL database at " + db.jdbcUrl()), r.err());
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('audit_log') IS NULL")) {
      rs.next();
      assertTrue(rs.getBoolean(1), "the CLI created no table");
    }
  }

  @Test
  void passwordVariableUnset_wrongOptions_refusedWithOneLine(PostgresDatabase db) throws Exception {
    Path cfg = config(db.jdbcUrl(), db.user());
    Run unset = Run.of("audit", "verify", "--config", cfg.toString());
    assertEquals(1, unset.code());
    assertEquals(
        "error: security.storage.password_env: environment variable " + PASSWORD_VAR + " is not set",
        unset.err().strip());

    envVars.put(PASSWORD_VAR, db.password());
    Run both = Run.of("audit", "verify", "--config", cfg.toString(), "--db", tmp.resolve("a.db").toString());
    assertEquals(2, both.code());
    assertTrue(both.err().contains("exclude each other"), both.err());

    Run append = Run.of("audit", "append", "--config", cfg.toString(), "--event", "a.b", "--message", "m");
    assertEquals(2, append.code());
    assertTrue(append.err().startsWith("error: append does not run on PostgreSQL yet"), append.err());

    Run neither = Run.of("audit", "verify");
    assertEquals(2, neither.code());
    assertTrue(neither.err().startsWith("error: --db FILE is required"), neither.err());

    // a SQLite config is the same as no config: --db decides
    Path sqliteCfg = tmp.resolve("sqlite.yaml");
    Files.writeString(sqliteCfg, "security:\n  audit:\n    retention_days: 30\n");
    Path file = tmp.resolve("audit.db");
    assertEquals(0, Run.of("audit", "append", "--db", file.toString(), "--event", "a.b", "--message", "m").code());
    Run sqlite = Run.of("audit", "verify", "--config", sqliteCfg.toString(), "--db", file.toString());
    assertEquals(0, sqlite.code(), sqlite.err());
    assertTrue(sqlite.out().startsWith("OK: 1 entries"), sqlite.out());
  }

  @Test
  void redactUrl_dropsUserInfoAndParameters() {
    assertEquals("jdbc:postgresql://db:5432/sy?\u2026", AuditPostgres.redactUrl("jdbc:postgresql://u:p@db:5432/sy?password=x"));
    assertEquals("jdbc:postgresql://db/sy", AuditPostgres.redactUrl("jdbc:postgresql://db/sy"));
    assertEquals("(no url)", AuditPostgres.redactUrl(""));
    assertEquals("x (password)", AuditPostgres.scrub("x hunter2", "hunter2".toCharArray()));
  }
}
