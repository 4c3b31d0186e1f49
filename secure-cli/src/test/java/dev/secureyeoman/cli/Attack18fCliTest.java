package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.PostgresAuditStore;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * attack18f through the CLI: the operator's {@code audit verify --config F} is how a tampered cluster is stopped
 * (docs/scale-out.md "CLI against PostgreSQL"). With {@code audit_meta} rigged by the nodes' role (a view hiding the
 * tamper row, or a CHECK constraint refusing it) nothing is recorded and the nodes keep appending (see
 * {@code Attack18fTest#auditMetaRigged_hidesTheTamperRecord_appendsGoOn}); held here: the CLI reads the record back and
 * tells the operator "; not recorded" (with a reason that names a wrong key or a role without write access, not the
 * rigged table).
 */
@ExtendWith(PostgresExtension.class)
@EnabledIf("dev.secureyeoman.testkit.PostgresServer#shouldRun")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Attack18fCliTest {
  private static final String ROLE = "node18fcli";
  private static final String PASSWORD_VAR = "SY_ATTACK18F_PG_PASSWORD";

  @TempDir Path tmp;
  final Map<String, String> envVars = new HashMap<>();
  final byte[] key = new byte[32];

  @BeforeEach
  void setUp() {
    new SecureRandom().nextBytes(key);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(key));
    envVars.put(PASSWORD_VAR, "unused-trust-auth");
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"view", "check constraint"})
  void verifyCli_auditMetaRigged_nodesKeepAppending_butTheOperatorIsToldNotRecorded(String how, PostgresDatabase db)
      throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
          + "CREATE ROLE " + ROLE + " LOGIN; END IF; END $$");
      s.execute("GRANT CREATE, USAGE ON SCHEMA public TO " + ROLE);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(db.jdbcUrl());
    ds.setUser(ROLE);
    Path cfg = tmp.resolve("host.yaml");
    Files.writeString(cfg, "security:\n  storage: { engine: postgres, url: '" + db.jdbcUrl() + "', user: " + ROLE
        + ", password_env: " + PASSWORD_VAR + " }\n");
    try (SecretBytes k = SecretBytes.copyOf(key); AuditStore node = PostgresAuditStore.builder(ds).macKey(k).open()) {
      for (int i = 1; i <= 7; i++) {
        node.append(AuditEvent.builder("admin.action").actor(i == 4 ? "mallory" : "alice").build());
      }
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        if (how.equals("view")) {
          s.execute("ALTER TABLE public.audit_meta RENAME TO audit_meta_real");
          s.execute("CREATE VIEW public.audit_meta AS SELECT * FROM public.audit_meta_real WHERE name <> 'tamper'");
        } else {
          s.execute("ALTER TABLE public.audit_meta ADD CONSTRAINT no_tamper CHECK (name <> 'tamper')");
        }
        s.execute("UPDATE public.audit_log SET message = 'nothing happened' WHERE seq = 4");
      }
      Run r = Run.of("audit", "verify", "--config", cfg.toString());
      assertEquals(1, r.code(), r.err());
      assertTrue(r.err().startsWith("error: verification FAILED at seq 4"), r.err());
      // the operator is told why: the record did not read back (not a wrong key or missing rights)
      assertTrue(r.err().contains("could not be stored or does not read back"), r.err());
      String outcome;
      try {
        outcome = "accepted at seq " + node.append(AuditEvent.builder("admin.action").actor("mallory").build()).seq();
      } catch (AuditException e) {
        outcome = e.reason().name();
      }
      // secure: the nodes refuse appends, or at least the operator is told that nothing was recorded
      assertTrue(outcome.equals("TAMPERED") || r.err().contains("not recorded"),
          "CLI said: " + r.err().strip() + " — then a node's append was " + outcome);
    }
  }
}
