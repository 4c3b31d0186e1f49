package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Red team attack18: credentials in a host's storage URL must never reach the CLI's output. */
class Attack18CliTest {
  static final String PASSWORD_VAR = "SY_TEST_PG_PASSWORD";

  @TempDir Path tmp;
  final Map<String, String> envVars = new HashMap<>();

  @BeforeEach
  void setUp() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    envVars.put("SECUREYEOMAN_AUDIT_KEY", Base64.getEncoder().encodeToString(key));
    envVars.put(PASSWORD_VAR, "EnvSecret1");
    AuditCommand.env = envVars::get;
  }

  @AfterEach
  void tearDown() {
    AuditCommand.env = System::getenv;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "jdbc:postgresql://admin:S3cretPw@127.0.0.1:PORT/sy",
      "jdbc:postgresql://admin:S3cr/etPw@127.0.0.1:PORT/sy",
      "jdbc:postgresql://admin:S3cr?etPw@127.0.0.1:PORT/sy",
      "jdbc:postgresql://127.0.0.1:notaport/sy?password=S3cretPw",
      "jdbc:postgresql://127.0.0.1:PORT/sy?password=S3cretPw&sslmode=bogus"})
  void credentialInUrl_neverPrinted(String template) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = template.replace("PORT", Integer.toString(port));
    Path f = tmp.resolve("host.yaml");
    Files.writeString(
        f, "security:\n  storage: { engine: postgres, url: '" + url + "', user: sy, password_env: " + PASSWORD_VAR
            + " }\n");
    for (String cmd : new String[] {"verify"}) {
      Run r = cmd.equals("search") ? Run.of("audit", cmd, "--config", f.toString(), "x")
          : Run.of("audit", cmd, "--config", f.toString());
      assertEquals(1, r.code(), r.err());
      String all = r.out() + r.err();
      assertFalse(all.contains("S3cr") || all.contains("etPw") || all.contains("EnvSecret1"), all);
    }
  }

  /**
   * A port out of range: before, the driver's JUL warning reached stderr and the error blamed a missing driver. Now one
   * {@code error:} line naming the URL form, the URL itself (it may carry user-info) not repeated.
   */
  @org.junit.jupiter.api.Test
  void invalidPort_oneErrorLine_namesTheUrlForm_notAMissingDriver() throws Exception {
    Path f = tmp.resolve("port.yaml");
    Files.writeString(
        f, "security:\n  storage: { engine: postgres, url: 'jdbc:postgresql://127.0.0.1:99999/sy', user: sy,"
            + " password_env: " + PASSWORD_VAR + " }\n");
    dev.secureyeoman.testkit.ChildJvm.Result r =
        dev.secureyeoman.testkit.ChildJvm.builder(SecureYeomanCli.class)
            .env("SECUREYEOMAN_AUDIT_KEY", envVars.get("SECUREYEOMAN_AUDIT_KEY"))
            .env(PASSWORD_VAR, "EnvSecret1")
            .args("audit", "verify", "--config", f.toString())
            .run(java.time.Duration.ofSeconds(120));
    assertEquals(1, r.exitCode(), r.stdout() + r.stderr());
    assertEquals(
        "error: security.storage: not a valid PostgreSQL JDBC URL (jdbc:postgresql://host[:port]/database, port"
            + " 1..65535)",
        r.stderr().strip());
    assertEquals("", r.stdout());
  }
}
