package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.RecipientKey;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedConfigLoaderTest {
  static final String DESIGN_EXAMPLE =
      """
      security:
        audit:   { db_path: data/audit.db, retention_days: 90, max_entries: 1000000, maintenance_interval: PT1H, checkpoint_path: data/audit.checkpoints }
        auth:    { access_token_ttl: PT15M, session_ttl: PT24H, remember_me_ttl: P30D, password_min_length: 32,
                   login_rate_limit: { capacity: 5, refill_period: PT1M }, totp: { issuer: SecureYeoman, window: 1 } }
        http:    { rate_limit: { window_ms: 60000, max_requests: 100 }, cors: { allowed_origins: [ "http://localhost:8080" ] } }
        sandbox: { backend: auto, require_isolation: true, network: none, timeout: PT30S }
      app:
        name: gateway
        port: 8080
      """;

  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      KEY[i] = (byte) (31 * i + 1);
    }
  }

  static final String KEY_B64 = Base64.getEncoder().encodeToString(KEY);

  @TempDir Path dir;

  final EncryptedConfigLoader plain = EncryptedConfigLoader.builder().build();

  EncryptedConfigLoader withEnv(Map<String, String> env) {
    return EncryptedConfigLoader.builder()
        .keySource(KeySource.rawKeyFromEnv("SECUREYEOMAN_CONFIG_KEY", env::get))
        .build();
  }

  Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  Path encrypt(String name, String yaml, byte[] key) throws Exception {
    byte[] env = EnvelopeCipher.create().encrypt(yaml.getBytes(StandardCharsets.UTF_8),
        EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII),
        RecipientKey.raw(SecretBytes.copyOf(key)));
    Path p = dir.resolve(name);
    Files.write(p, EnvelopeArmor.armor(env));
    return p;
  }

  static List<String> lines(ConfigException e) {
    return e.violations().stream().map(ConfigViolation::toString).toList();
  }

  /** A host application's own section. */
  record AppConfig(@NotBlank String name, @Positive @Max(65535) int port) {}

  @Test
  void plainYaml_designExample_loadsEveryKey() throws Exception {
    SecurityConfig c = plain.load(write("app.yaml", DESIGN_EXAMPLE));
    assertEquals(90, c.audit().retentionDays());
    assertEquals(1_000_000L, c.audit().maxEntries());
    assertEquals(Duration.ofHours(1), c.audit().maintenanceInterval());
    assertEquals("data/audit.checkpoints", c.audit().checkpointPath());
    assertEquals(Duration.ofDays(30), c.auth().rememberMeTtl());
    assertEquals(Duration.ofMinutes(15), c.auth().accessTokenTtl());
    assertEquals(5, c.auth().loginRateLimit().capacity());
    assertEquals("SecureYeoman", c.auth().totp().issuer());
    assertEquals(60_000L, c.http().rateLimit().windowMs());
    assertEquals(List.of("http://localhost:8080"), c.http().cors().allowedOrigins());
    assertEquals(SecurityConfig.Sandbox.Backend.AUTO, c.sandbox().backend());
    assertEquals(SecurityConfig.Sandbox.Network.NONE, c.sandbox().network());
    assertEquals(Duration.ofSeconds(30), c.sandbox().timeout());
    assertTrue(c.sandbox().requireIsolation());
  }

  @Test
  void emptyAndPartialFiles_fillDefaults() throws Exception {
    assertEquals(SecurityConfig.defaults(), plain.load(write("empty.yaml", "")));
    SecurityConfig c = plain.load(write("partial.yaml", "security:\n  audit:\n    retention_days: 30\n"));
    assertEquals(30, c.audit().retentionDays());
    assertEquals(1_000_000L, c.audit().maxEntries());
    assertEquals(32, c.auth().passwordMinLength());
    assertEquals(SecurityConfig.defaults().sandbox(), c.sandbox());
  }

  @Test
  void httpSection_bodyTimeoutTrustedProxiesAllowedHosts_defaultsOverridesAndLimits() throws Exception {
    SecurityConfig.Http d = SecurityConfig.defaults().http();
    assertEquals(Duration.ofSeconds(10), d.bodyTimeout());
    assertEquals(List.of(), d.trustedProxies());
    assertEquals(List.of(), d.allowedHosts());
    SecurityConfig c =
        plain.load(
            write(
                "http2.yaml",
                "security:\n  http: { body_timeout: PT3S, trusted_proxies: [ 10.0.0.0/8 ], allowed_hosts: [ gw.example ] }\n"));
    assertEquals(Duration.ofSeconds(3), c.http().bodyTimeout());
    assertEquals(List.of("10.0.0.0/8"), c.http().trustedProxies());
    assertEquals(List.of("gw.example"), c.http().allowedHosts());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> plain.load(write("bad-http2.yaml", "security:\n  http: { body_timeout: PT0S, allowed_hosts: [ \"\" ] }\n")));
    List<String> lines = lines(e);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("security.http.body_timeout:")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("security.http.allowed_hosts[0]")), lines.toString());
  }

  @Test
  void httpSection_gatewayKeys_defaultsAndOverridesAndLimits() throws Exception {
    SecurityConfig.Http d = SecurityConfig.defaults().http();
    assertEquals(16_384, d.maxBodyBytes());
    assertEquals(8_192, d.maxHeaderBytes());
    assertEquals(Duration.ofSeconds(30), d.idleTimeout());
    assertEquals("", d.contentSecurityPolicy());
    SecurityConfig c =
        plain.load(
            write(
                "http.yaml",
                "security:\n  http: { max_body_bytes: 1024, idle_timeout: PT5S, content_security_policy: \"default-src 'none'\" }\n"));
    assertEquals(1024, c.http().maxBodyBytes());
    assertEquals(8_192, c.http().maxHeaderBytes());
    assertEquals(Duration.ofSeconds(5), c.http().idleTimeout());
    assertEquals("default-src 'none'", c.http().contentSecurityPolicy());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> plain.load(write("bad-http.yaml", "security:\n  http: { max_body_bytes: 1, max_header_bytes: 100 }\n")));
    List<String> lines = lines(e);
    assertTrue(lines.contains("security.http.max_body_bytes: must be greater than or equal to 2"), lines.toString());
    assertTrue(lines.contains("security.http.max_header_bytes: must be greater than or equal to 1024"), lines.toString());
  }

  @Test
  void invalidValues_everyViolationListedWithYamlPath() throws Exception {
    Path p = write("bad.yaml", """
        security:
          audit: { retention_days: 0, max_entries: -1, db_path: "" }
          auth: { password_min_length: 3, totp: { window: 11 } }
          http: { cors: { allowed_origins: [ "" ] } }
          sandbox: { timeout: PT0S }
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> plain.load(p));
    List<String> lines = lines(e);
    assertTrue(lines.contains("security.audit.retention_days: must be greater than 0"), lines.toString());
    assertTrue(lines.contains("security.audit.max_entries: must be greater than 0"), lines.toString());
    assertTrue(lines.contains("security.audit.db_path: must not be blank"), lines.toString());
    assertTrue(lines.contains("security.auth.password_min_length: must be greater than or equal to 8"), lines.toString());
    assertTrue(lines.contains("security.auth.totp.window: must be less than or equal to 10"), lines.toString());
    assertTrue(lines.contains("security.http.cors.allowed_origins[0]: must not be blank"), lines.toString());
    assertTrue(lines.contains("security.sandbox.timeout: must be between PT1S and PT24H"), lines.toString());
    assertEquals(7, lines.size(), lines.toString());
    assertTrue(e.getMessage().startsWith(p + ": 7 violations"));
  }

  @Test
  void unknownKeys_allRejectedWithPaths() throws Exception {
    Path p = write("unknown.yaml", """
        security:
          audit: { retention_dayz: 5 }
          auth: { totp: { issuer: X, digits: 6 } }
          shell: { enabled: true }
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> plain.load(p));
    assertEquals(List.of("security.audit.retention_dayz: unknown key", "security.auth.totp.digits: unknown key",
        "security.shell: unknown key"), lines(e));
  }

  @Test
  void unknownKeysAndInvalidValues_reportedTogether() throws Exception {
    Path p = write("mixed.yaml", """
        security:
          audit: { retention_days: 0, retention_dayz: 5 }
          bogus: 1
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> plain.load(p));
    assertEquals(List.of("security.audit.retention_days: must be greater than 0",
        "security.audit.retention_dayz: unknown key", "security.bogus: unknown key"), lines(e));
  }

  @Test
  void wrongTypes_reportedWithPathAndExpectation() throws Exception {
    assertEquals(List.of("security.audit.retention_days: expected an integer"), lines(assertThrows(
        ConfigException.class, () -> plain.load(write("t1.yaml", "security: {audit: {retention_days: ninety}}")))));
    assertEquals(List.of("security.auth.session_ttl: expected an ISO-8601 duration such as PT15M or P30D"),
        lines(assertThrows(ConfigException.class,
            () -> plain.load(write("t2.yaml", "security: {auth: {session_ttl: one day}}")))));
    assertEquals(List.of("security.sandbox.backend: expected one of [auto, bwrap, unshare, landlock, none]"),
        lines(assertThrows(ConfigException.class,
            () -> plain.load(write("t3.yaml", "security: {sandbox: {backend: docker}}")))));
    assertEquals(List.of("security.audit.retention_days: must not be null"), lines(assertThrows(
        ConfigException.class, () -> plain.load(write("t4.yaml", "security: {audit: {retention_days: ~}}")))));
    assertEquals(List.of("security.audit.retention_days: expected an integer"), lines(assertThrows(
        ConfigException.class, () -> plain.load(write("t5.yaml", "security: {audit: {retention_days: 1.5}}")))));
    assertEquals(List.of("security.audit: must not be null"), lines(assertThrows(
        ConfigException.class, () -> plain.load(write("t6.yaml", "security: {audit: ~}")))));
    assertEquals(List.of("security: must be a mapping"), lines(assertThrows(
        ConfigException.class, () -> plain.load(write("t7.yaml", "security: [1, 2]")))));
  }

  @Test
  void hostSection_boundAndValidatedWithSamePipeline() throws Exception {
    Path p = write("app.yaml", DESIGN_EXAMPLE);
    AppConfig app = plain.load(p, "app", AppConfig.class);
    assertEquals(new AppConfig("gateway", 8080), app);
    Path bad = write("bad-app.yaml", "app: { name: '', port: 70000, debug: true }\n");
    assertEquals(
        List.of("app.debug: unknown key", "app.name: must not be blank", "app.port: must be less than or equal to 65535"),
        lines(assertThrows(ConfigException.class, () -> plain.load(bad, "app", AppConfig.class))));
    Path invalid = write("invalid-app.yaml", "app: { name: '', port: 70000 }\n");
    assertEquals(List.of("app.name: must not be blank", "app.port: must be less than or equal to 65535"),
        lines(assertThrows(ConfigException.class, () -> plain.load(invalid, "app", AppConfig.class))));
  }

  /** A host type bound from the whole document. */
  record Whole(SecurityConfig security, AppConfig app) {}

  @Test
  void wholeDocument_boundToHostRecord() throws Exception {
    Whole w = plain.load(write("whole.yaml", DESIGN_EXAMPLE), Whole.class);
    assertEquals(8080, w.app().port());
    assertEquals(90, w.security().audit().retentionDays());
  }

  @Test
  void encryptedFile_withKey_loadsAndHoldsNoPlaintext() throws Exception {
    Path p = encrypt("app.enc.yaml", DESIGN_EXAMPLE, KEY);
    String stored = Files.readString(p, StandardCharsets.ISO_8859_1);
    for (String fragment : List.of("security", "retention_days", "audit.db", "SecureYeoman", "localhost", "gateway")) {
      assertFalse(stored.contains(fragment), fragment);
    }
    SecurityConfig c = withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", KEY_B64)).load(p);
    assertEquals(90, c.audit().retentionDays());
    Path alt = encrypt("app.encrypted.yaml", DESIGN_EXAMPLE, KEY);
    assertEquals(c, withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", KEY_B64)).load(alt));
  }

  @Test
  void encryptedFile_keyUnset_messageNamesKeySource() throws Exception {
    Path p = encrypt("app.enc.yaml", DESIGN_EXAMPLE, KEY);
    ConfigException e = assertThrows(ConfigException.class, () -> withEnv(Map.of()).load(p));
    assertTrue(e.getMessage().contains("environment variable SECUREYEOMAN_CONFIG_KEY is not set"), e.getMessage());
    ConfigException none = assertThrows(ConfigException.class, () -> plain.load(p));
    assertTrue(none.getMessage().contains("no key source was configured"), none.getMessage());
  }

  @Test
  void encryptedFile_wrongKeyOrTampered_failsWithEnvelopeCause() throws Exception {
    Path p = encrypt("app.enc.yaml", DESIGN_EXAMPLE, KEY);
    byte[] other = KEY.clone();
    other[0] ^= 1;
    ConfigException wrong = assertThrows(ConfigException.class,
        () -> withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", Base64.getEncoder().encodeToString(other))).load(p));
    assertEquals(EnvelopeException.Reason.WRONG_KEY, assertInstanceOf(EnvelopeException.class, wrong.getCause()).reason());
    assertTrue(wrong.getMessage().contains("environment variable SECUREYEOMAN_CONFIG_KEY"), wrong.getMessage());
    // a ciphertext encrypted for another purpose (different associated data) is refused
    byte[] env = EnvelopeCipher.create().encrypt("security: {}".getBytes(StandardCharsets.UTF_8), new byte[0],
        RecipientKey.raw(SecretBytes.copyOf(KEY)));
    Path foreign = dir.resolve("foreign.enc.yaml");
    Files.write(foreign, EnvelopeArmor.armor(env));
    ConfigException tampered = assertThrows(ConfigException.class,
        () -> withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", KEY_B64)).load(foreign));
    assertEquals(EnvelopeException.Reason.TAMPERED,
        assertInstanceOf(EnvelopeException.class, tampered.getCause()).reason());
  }

  @Test
  void encryptedName_withPlaintextContent_refused() throws Exception {
    Path p = write("app.enc.yaml", "security: {audit: {retention_days: 1}}\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", KEY_B64)).load(p));
    assertTrue(e.getMessage().contains("does not hold a SecureYeoman envelope"), e.getMessage());
  }

  @Test
  void plainName_withEnvelopeContent_isDecrypted() throws Exception {
    Path enc = encrypt("x.enc.yaml", "security: {audit: {retention_days: 7}}\n", KEY);
    Path renamed = Files.move(enc, dir.resolve("x.yaml"));
    assertEquals(7, withEnv(Map.of("SECUREYEOMAN_CONFIG_KEY", KEY_B64)).load(renamed).audit().retentionDays());
  }

  @Test
  void hostileYaml_boundedAndRejected() throws Exception {
    String laughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        """;
    assertThrows(ConfigException.class, () -> plain.load(write("laughs.yaml", laughs)));
    EncryptedConfigLoader manyAliases = EncryptedConfigLoader.builder()
        .yamlLimits(new YamlLimits(1024 * 1024, 1000, 32, 10_000)).build();
    ConfigException nodes = assertThrows(ConfigException.class, () -> manyAliases.load(write("l2.yaml", laughs)));
    assertTrue(nodes.getMessage().contains("YAML nodes"), nodes.getMessage());
    assertThrows(ConfigException.class, () -> plain.load(write("deep.yaml", "[".repeat(100) + "]".repeat(100))));
    assertThrows(ConfigException.class, () -> plain.load(write("dup.yaml", "security: {}\nsecurity: {}\n")));
    ConfigException tag = assertThrows(ConfigException.class,
        () -> plain.load(write("tag.yaml", "security: !!javax.script.ScriptEngineManager [x]\n")));
    assertTrue(tag.getMessage().contains("tag"), tag.getMessage());
    ConfigException local = assertThrows(ConfigException.class,
        () -> plain.load(write("tag2.yaml", "security: !custom {audit: {}}\n")));
    assertTrue(local.getMessage().contains("explicit YAML tags are not accepted (line 1, column 11)"),
        local.getMessage());
    assertFalse(local.getMessage().contains("custom"), "the tag text is not echoed: " + local.getMessage());
    assertThrows(ConfigException.class, () -> plain.load(write("tag3.yaml", "a: !custom 1\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("merge.yaml", "x: &x {a: 1}\ny: {<<: *x}\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("multi.yaml", "a: 1\n---\nb: 2\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("complexkey.yaml", "? [a]\n: 1\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("big.yaml", "a: \"" + "x".repeat(2_000_000) + "\"\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("broken.yaml", "security: {audit: [\n")));
    assertThrows(ConfigException.class, () -> plain.load(write("root.yaml", "- 1\n- 2\n")));
    Path notUtf8 = dir.resolve("latin1.yaml");
    Files.write(notUtf8, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
    assertThrows(ConfigException.class, () -> plain.load(notUtf8));
    assertThrows(ConfigException.class, () -> plain.load(dir.resolve("missing.yaml")));
  }

  @Test
  void yamlErrors_carryPositionNotValue() throws Exception {
    ConfigException e = assertThrows(ConfigException.class,
        () -> plain.load(write("pos.yaml", "security:\n  audit: {db_path: \"s3cr3t-value\n")));
    assertTrue(e.getMessage().contains("line"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
  }

  @Test
  void yamlScalars_yaml11FormsStayStrict() throws Exception {
    // octal-looking and hex integers are not silently reinterpreted
    assertThrows(ConfigException.class,
        () -> plain.load(write("oct.yaml", "security: {audit: {retention_days: 0x10}}")));
    SecurityConfig c = plain.load(write("bool.yaml", "security: {sandbox: {require_isolation: yes}}"));
    assertTrue(c.sandbox().requireIsolation());
    SecurityConfig big = plain.load(write("big.yaml", "security: {audit: {max_entries: 5000000000}}"));
    assertEquals(5_000_000_000L, big.audit().maxEntries());
  }

  @Test
  void builder_optionsSetOnce() {
    EncryptedConfigLoader.Builder b = EncryptedConfigLoader.builder().yamlLimits(YamlLimits.DEFAULT);
    assertThrows(IllegalStateException.class, () -> b.yamlLimits(YamlLimits.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> b.keySource(null));
    assertThrows(IllegalArgumentException.class, () -> new YamlLimits(1, 1, 1, 1));
    assertTrue(EncryptedConfigLoader.isEncryptedName(Path.of("a.ENC.yml")));
    assertFalse(EncryptedConfigLoader.isEncryptedName(Path.of("a.yaml")));
  }

  @Test
  void parseSecurityConfig_fromText() throws Exception {
    assertEquals(12, plain.parseSecurityConfig("security: {auth: {password_min_length: 12}}")
        .auth().passwordMinLength());
  }
}
