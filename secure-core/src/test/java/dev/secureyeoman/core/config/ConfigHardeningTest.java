package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.RecipientKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations, required encryption, scalar alias expansion and explicit tags (issue 11, items 12-14). */
class ConfigHardeningTest {
  @TempDir Path dir;
  final EncryptedConfigLoader plain = EncryptedConfigLoader.builder().build();

  private Path write(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static List<String> lines(ConfigException e) {
    return e.violations().stream().map(ConfigViolation::toString).toList();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"900000", "\"900000\"", "900000.5", "-5", "15m", "\"PT15M garbage\""})
  void duration_bareNumberOrOtherText_isRefused(String value) throws Exception {
    ConfigException e = assertThrows(ConfigException.class,
        () -> plain.load(write("d.yaml", "security: {auth: {access_token_ttl: " + value + "}}\n")));
    assertEquals(List.of("security.auth.access_token_ttl: expected an ISO-8601 duration such as PT15M or P30D"),
        lines(e));
  }

  @Test
  void duration_iso_isAccepted_withinTheKeysBounds() throws Exception {
    SecurityConfig c = plain.load(write("ok.yaml",
        "security: {auth: {access_token_ttl: PT24H, session_ttl: P30D, remember_me_ttl: P365D},"
            + " audit: {maintenance_interval: P7D}, sandbox: {timeout: PT1S}}\n"));
    assertEquals(Duration.ofHours(24), c.auth().accessTokenTtl());
    assertEquals(Duration.ofDays(365), c.auth().rememberMeTtl());
    ConfigException e = assertThrows(ConfigException.class, () -> plain.load(write("big.yaml",
        "security: {auth: {access_token_ttl: PT250H, session_ttl: P31D, remember_me_ttl: P366D,"
            + " login_rate_limit: {refill_period: P2D}}, audit: {maintenance_interval: P8D},"
            + " sandbox: {timeout: PT25H}, http: {rate_limit: {window_ms: 86400001}}}\n")));
    assertEquals(List.of(
        "security.audit.maintenance_interval: must be between PT1S and P7D",
        "security.auth.access_token_ttl: must be between PT1S and PT24H",
        "security.auth.login_rate_limit.refill_period: must be between PT1S and PT24H",
        "security.auth.remember_me_ttl: must be between PT1M and P365D",
        "security.auth.session_ttl: must be between PT1M and P30D",
        "security.http.rate_limit.window_ms: must be less than or equal to 86400000",
        "security.sandbox.timeout: must be between PT1S and PT24H"), lines(e));
  }

  @Test
  void requireEncryption_refusesPlaintextWhateverItsName_andLoadsEnvelopes() throws Exception {
    byte[] raw = new byte[32];
    raw[0] = 9;
    EncryptedConfigLoader strict = EncryptedConfigLoader.builder()
        .keySource(KeySource.fixed(SecretBytes.copyOf(raw))).requireEncryption(true).build();
    String yaml = "security: {audit: {retention_days: 7}}\n";
    Path swapped = write("app.yaml", yaml); // an attacker put plain YAML where the host expects its encrypted file
    assertEquals(7, plain.load(swapped).audit().retentionDays(), "the default loader accepts it: that is the attack");
    ConfigException e = assertThrows(ConfigException.class, () -> strict.load(swapped));
    assertTrue(e.getMessage().contains("plaintext refused"), e.getMessage());
    assertThrows(ConfigException.class, () -> strict.load(write("app.txt", yaml)));
    byte[] envelope = EnvelopeArmor.armor(EnvelopeCipher.create().encrypt(yaml.getBytes(StandardCharsets.UTF_8),
        EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII),
        RecipientKey.raw(SecretBytes.copyOf(raw))));
    Path enc = dir.resolve("app-config.yaml"); // encrypted content under any name loads
    Files.write(enc, envelope);
    assertEquals(7, strict.load(enc).audit().retentionDays());
    assertThrows(IllegalStateException.class,
        () -> EncryptedConfigLoader.builder().requireEncryption(true).requireEncryption(false));
    assertTrue(strict.toString().contains("encryption required"));
  }

  @Test
  void scalarAliases_boundedByExpandedSize() throws Exception {
    // 250 aliases to one 10 000-character scalar: only aliases to collections are counted by SnakeYAML
    StringBuilder doc = new StringBuilder("big: &b \"" + "x".repeat(10_000) + "\"\nlist: [");
    for (int i = 0; i < 250; i++) {
      doc.append(i == 0 ? "*b" : ", *b");
    }
    doc.append("]\n");
    ConfigException e = assertThrows(ConfigException.class, () -> plain.load(write("alias.yaml", doc.toString())));
    assertTrue(e.getMessage().contains("after alias expansion"), e.getMessage());
    // a few aliases of a short scalar are fine
    assertEquals(5, plain.load(write("few.yaml", "n: &n 5\nsecurity: {audit: {retention_days: *n}}\n"))
        .audit().retentionDays());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
    "!!timestamp 2001-12-14", "!!str data/a.db", "!!binary aGVsbG8=", "!!int 5", "! data/a.db", "!local x",
    "!!python/object:os.system x", "!<tag:yaml.org,2002:str> x"})
  void explicitTags_refused(String value) throws Exception {
    ConfigException e = assertThrows(ConfigException.class,
        () -> plain.load(write("tag.yaml", "security: {audit: {db_path: " + value + "}}\n")));
    assertTrue(e.getMessage().contains("explicit YAML tags are not accepted")
        || e.getMessage().endsWith("invalid tag"), e.getMessage());
  }

  @Test
  void implicitTimestamp_staysTextAndFailsTypedBinding() throws Exception {
    assertEquals("2001-12-14", plain.load(write("ts.yaml", "security: {audit: {db_path: 2001-12-14}}\n"))
        .audit().dbPath());
    ConfigException e = assertThrows(ConfigException.class,
        () -> plain.load(write("ts2.yaml", "security: {audit: {retention_days: 2001-12-14}}\n")));
    assertEquals(List.of("security.audit.retention_days: expected an integer"), lines(e));
    assertThrows(ConfigException.class, () -> plain.load(write("c.yaml", "security: {audit: {db_path: !!map {}}}\n")));
  }

  @Test
  void yamlProblems_areFixedPhrases() {
    assertEquals("undefined alias", YamlTreeReader.kind("found undefined alias secret-name"));
    assertEquals("syntax error", YamlTreeReader.kind("something new with secret-name"));
    assertEquals("syntax error", YamlTreeReader.kind(null));
  }

  @Test
  void keyFile_readableByOthers_isAWarningTheCliCanShow() throws Exception {
    Path key = write("k.key", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(List.of("key file " + key + " is readable by group or others; restrict it to mode 0600"),
        KeySource.rawKeyFromFile(key).warnings());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertTrue(KeySource.rawKeyFromFile(key).warnings().isEmpty());
    assertTrue(KeySource.rawKeyFromEnv("X").warnings().isEmpty());
  }
}
