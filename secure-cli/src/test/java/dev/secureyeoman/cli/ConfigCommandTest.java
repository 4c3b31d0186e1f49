package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
  static final String YAML =
      "security:\n  audit:\n    retention_days: 30\n    db_path: data/very-secret-audit.db\napp:\n  token: abc\n";


  @TempDir Path dir;
  Path key1;
  Path key2;
  Path plain;

  static Run run(String... args) {
    return Run.of(args);
  }

  static String keyB64(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  static void assertOneErrorLine(Run r, int code) {
    assertEquals(code, r.code(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
  }

  @BeforeEach
  void files() throws IOException {
    key1 = dir.resolve("k1.key");
    key2 = dir.resolve("k2.key");
    Files.writeString(key1, keyB64(1) + "\n");
    Files.writeString(key2, keyB64(2) + "\n");
    Files.setPosixFilePermissions(key1, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(key2, PosixFilePermissions.fromString("rw-------"));
    plain = dir.resolve("app.yaml");
    Files.writeString(plain, YAML);
  }

  @Test
  void encryptDecrypt_keyFile_roundTripsWithMode0600AndNoPlaintext() throws IOException {
    Run enc = run("config", "encrypt", plain.toString(), "--key-file", key1.toString());
    assertEquals(0, enc.code(), enc.err());
    Path encrypted = dir.resolve("app.enc.yaml");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(encrypted)));
    String stored = Files.readString(encrypted);
    assertTrue(stored.startsWith("-----BEGIN SECUREYEOMAN ENVELOPE-----\n"));
    for (String fragment : YAML.split("[\\s:]+")) {
      if (fragment.length() > 3) {
        assertFalse(stored.contains(fragment), fragment);
      }
    }
    Files.delete(plain);
    Run dec = run("config", "decrypt", encrypted.toString(), "--key-file", key1.toString());
    assertEquals(0, dec.code(), dec.err());
    assertEquals(YAML, Files.readString(plain));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
  }

  @Test
  void encrypt_existingOutput_refusedUnlessForce() throws IOException {
    assertEquals(0, run("config", "encrypt", plain.toString(), "--key-file", key1.toString()).code());
    Path encrypted = dir.resolve("app.enc.yaml");
    String first = Files.readString(encrypted);
    Run again = run("config", "encrypt", plain.toString(), "--key-file", key1.toString());
    assertOneErrorLine(again, 1);
    assertTrue(again.err().contains("already exists (use --force to overwrite)"), again.err());
    assertEquals(first, Files.readString(encrypted));
    Run forced = run("config", "encrypt", plain.toString(), "--key-file", key1.toString(), "--force");
    assertEquals(0, forced.code(), forced.err());
    assertFalse(first.equals(Files.readString(encrypted)));
  }

  @Test
  void encrypt_alreadyEncryptedInput_refused() {
    Path out = dir.resolve("x.enc.yaml");
    run("config", "encrypt", plain.toString(), "-o", out.toString(), "--key-file", key1.toString());
    assertOneErrorLine(run("config", "encrypt", out.toString(), "-o", dir.resolve("y").toString(),
        "--key-file", key1.toString()), 1);
  }

  @Test
  void decrypt_toStdout() {
    Path out = dir.resolve("s.enc.yaml");
    run("config", "encrypt", plain.toString(), "-o", out.toString(), "--key-file", key1.toString());
    Run dec = run("config", "decrypt", out.toString(), "-o", "-", "--key-file", key1.toString());
    assertEquals(0, dec.code(), dec.err());
    assertEquals(YAML, dec.out());
  }

  @Test
  void decrypt_wrongKeyOrTampered_exitOneWithOneErrorLine() throws IOException {
    Path out = dir.resolve("t.enc.yaml");
    run("config", "encrypt", plain.toString(), "-o", out.toString(), "--key-file", key1.toString());
    Run wrong = run("config", "decrypt", out.toString(), "-o", "-", "--key-file", key2.toString());
    assertOneErrorLine(wrong, 1);
    assertTrue(wrong.err().contains("wrong key with key file " + key2), wrong.err());
    assertEquals("", wrong.out());
    List<String> lines = new ArrayList<>(Files.readAllLines(out));
    char[] line = lines.get(3).toCharArray();
    line[10] = line[10] == 'A' ? 'B' : 'A';
    lines.set(3, new String(line));
    Files.write(out, lines);
    Run tampered = run("config", "decrypt", out.toString(), "-o", "-", "--key-file", key1.toString());
    assertOneErrorLine(tampered, 1);
    assertEquals("", tampered.out());
    Run verbose = run("--verbose", "config", "decrypt", out.toString(), "-o", "-", "--key-file", key1.toString());
    assertEquals(1, verbose.code());
    assertTrue(verbose.err().contains("EnvelopeException"), verbose.err());
  }

  @Test
  void rekey_newKeyWorksOldKeyFails_rotateToo() {
    Path enc = dir.resolve("r.enc.yaml");
    run("config", "encrypt", plain.toString(), "-o", enc.toString(), "--key-file", key1.toString());
    Run rekey = run("config", "rekey", enc.toString(), "--key-file", key1.toString(), "--new-key-file", key2.toString());
    assertEquals(0, rekey.code(), rekey.err());
    assertOneErrorLine(run("config", "decrypt", enc.toString(), "-o", "-", "--key-file", key1.toString()), 1);
    assertEquals(YAML, run("config", "decrypt", enc.toString(), "-o", "-", "--key-file", key2.toString()).out());
    Run rotate = run("config", "rekey", enc.toString(), "--key-file", key2.toString(), "--new-key-file",
        key1.toString(), "--rotate");
    assertEquals(0, rotate.code(), rotate.err());
    assertTrue(rotate.out().startsWith("rotated "), rotate.out());
    assertEquals(YAML, run("config", "decrypt", enc.toString(), "-o", "-", "--key-file", key1.toString()).out());
    // the old key cannot rekey
    assertOneErrorLine(run("config", "rekey", enc.toString(), "--key-file", key2.toString(), "--new-key-file",
        key2.toString()), 1);
  }

  @Test
  void usageErrors_exitTwo() {
    assertOneErrorLine(run("config", "rekey", plain.toString(), "--key-file", key1.toString()), 2);
    assertOneErrorLine(run("config", "encrypt", plain.toString(), "--key-file", key1.toString(),
        "--key-env", "X"), 2);
    assertOneErrorLine(run("config", "encrypt"), 2);
    assertOneErrorLine(run("config", "encrypt", plain.toString(), "--bogus"), 2);
    assertOneErrorLine(run("config"), 2);
    assertOneErrorLine(run("config", "decrypt", plain.toString(), "--key-file", key1.toString()), 2);
  }

  @Test
  void operationErrors_exitOne() {
    assertOneErrorLine(run("config", "encrypt", dir.resolve("missing.yaml").toString(),
        "--key-file", key1.toString()), 1);
    Run badKey = run("config", "encrypt", plain.toString(), "--key-file", dir.resolve("nokey").toString());
    assertOneErrorLine(badKey, 1);
    assertTrue(badKey.err().contains("key file"), badKey.err());
  }

  @Test
  void validate_validAndInvalid() throws IOException {
    Run ok = run("config", "validate", plain.toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("valid"));
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "security:\n  audit: { retention_days: 0, max_entries: 0 }\n  auth: { totp: { x: 1 } }\n");
    Files.writeString(bad, "security:\n  audit: { retention_days: 0, max_entries: 0 }\n");
    Run r = run("config", "validate", bad.toString());
    assertOneErrorLine(r, 1);
    assertEquals(List.of("security.audit.max_entries: must be greater than 0",
        "security.audit.retention_days: must be greater than 0"), r.out().lines().toList());
    assertTrue(r.err().contains("2 violations"), r.err());
    Path enc = dir.resolve("v.enc.yaml");
    run("config", "encrypt", bad.toString(), "-o", enc.toString(), "--key-file", key1.toString());
    Run encrypted = run("config", "validate", enc.toString(), "--key-file", key1.toString());
    assertEquals(1, encrypted.code());
    assertEquals(2, encrypted.out().lines().count(), encrypted.out());
    Run noKey = run("config", "validate", enc.toString(), "--key-env", "SECUREYEOMAN_TEST_UNSET_VARIABLE");
    assertOneErrorLine(noKey, 1);
    assertTrue(noKey.err().contains("environment variable SECUREYEOMAN_TEST_UNSET_VARIABLE is not set"), noKey.err());
  }

  @Test
  void defaultNames() {
    assertEquals(Path.of("a/app.enc.yaml"), ConfigCommand.defaultEncryptedName(Path.of("a/app.yaml")));
    assertEquals(Path.of("app.enc.yml"), ConfigCommand.defaultEncryptedName(Path.of("app.yml")));
    assertEquals(Path.of("app.conf.enc.yaml"), ConfigCommand.defaultEncryptedName(Path.of("app.conf")));
    assertEquals(Path.of("a/app.yaml"), ConfigCommand.defaultDecryptedName(Path.of("a/app.enc.yaml")));
    assertEquals(Path.of("app.yaml"), ConfigCommand.defaultDecryptedName(Path.of("app.encrypted.yaml")));
  }

  // ---- real process: the default key variable and passphrases come from the environment ----

  static Run process(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(SecureYeomanCli.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove(ConfigCommand.DEFAULT_KEY_ENV);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out, err);
  }

  @Test
  void process_validateValid_stderrEmpty_noLibraryChatter() throws Exception {
    // Hibernate Validator announces itself (HV000001) through jboss-logging unless the program owns its logging
    Run r = process(Map.of(), "config", "validate", plain.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(plain + ": valid\n", r.out());
    assertEquals("", r.err());
  }

  @Test
  void process_validateInvalid_stdoutViolationsAndExactlyOneStderrLine() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "security:\n  audit: { retention_days: 0 }\n");
    Run r = process(Map.of(), "config", "validate", bad.toString());
    assertEquals(1, r.code());
    assertEquals("security.audit.retention_days: must be greater than 0\n", r.out());
    assertEquals("error: " + bad + ": 1 violation\n", r.err());
  }

  @Test
  void process_defaultKeyEnvAndPassphraseEnv() throws Exception {
    Run enc = process(Map.of("SECUREYEOMAN_CONFIG_KEY", keyB64(7)), "config", "encrypt", plain.toString());
    assertEquals(0, enc.code(), enc.err());
    Path encrypted = dir.resolve("app.enc.yaml");
    Run unset = process(Map.of(), "config", "decrypt", encrypted.toString(), "-o", "-");
    assertOneErrorLine(unset, 1);
    assertTrue(unset.err().contains("environment variable SECUREYEOMAN_CONFIG_KEY is not set"), unset.err());
    Run dec = process(Map.of("SECUREYEOMAN_CONFIG_KEY", keyB64(7)), "config", "decrypt", encrypted.toString(),
        "-o", "-");
    assertEquals(YAML, dec.out(), dec.err());
    Run toPass = process(Map.of("SECUREYEOMAN_CONFIG_KEY", keyB64(7), "PW", "correct horse battery staple"),
        "config", "rekey", encrypted.toString(), "--new-passphrase-env", "PW");
    assertEquals(0, toPass.code(), toPass.err());
    Run byPass = process(Map.of("PW", "correct horse battery staple"), "config", "decrypt", encrypted.toString(),
        "-o", "-", "--passphrase-env", "PW");
    assertEquals(YAML, byPass.out(), byPass.err());
  }

  // ---- issue 11: overwrite protection, key-file warning, required encryption, passphrase minimum, hygiene ----

  @Test
  void decrypt_existingOutput_refusedUnlessForce_andNothingIsWritten() throws IOException {
    Path out = dir.resolve("d.enc.yaml");
    assertEquals(0, run("config", "encrypt", plain.toString(), "-o", out.toString(), "--key-file", key1.toString())
        .code());
    Files.writeString(plain, "the operator's hand-edited file\n");
    Run refused = run("config", "decrypt", out.toString(), "-o", plain.toString(), "--key-file", key1.toString());
    assertOneErrorLine(refused, 1);
    assertTrue(refused.err().contains("already exists (use --force to overwrite)"), refused.err());
    assertEquals("the operator's hand-edited file\n", Files.readString(plain));
    Run forced =
        run("config", "decrypt", out.toString(), "-o", plain.toString(), "--key-file", key1.toString(), "--force");
    assertEquals(0, forced.code(), forced.err());
    assertEquals(YAML, Files.readString(plain));
  }

  @Test
  void keyFileReadableByOthers_warningShownWithoutVerbose() throws IOException {
    Files.setPosixFilePermissions(key1, PosixFilePermissions.fromString("rw-r--r--"));
    Run enc = run("config", "encrypt", plain.toString(), "--key-file", key1.toString());
    assertEquals(0, enc.code(), enc.err());
    assertEquals("warning: key file " + key1 + " is readable by group or others; restrict it to mode 0600\n",
        enc.err());
    Files.setPosixFilePermissions(key1, PosixFilePermissions.fromString("rw-------"));
    Run quiet = run("config", "encrypt", plain.toString(), "--key-file", key1.toString(), "--force");
    assertEquals("", quiet.err());
  }

  @Test
  void validate_requireEncryption_refusesPlaintextWhateverItsName() throws IOException {
    Run plainOk = run("config", "validate", plain.toString(), "--key-file", key1.toString());
    assertEquals(0, plainOk.code(), plainOk.err());
    Run refused = run("config", "validate", plain.toString(), "--key-file", key1.toString(), "--require-encryption");
    assertOneErrorLine(refused, 1);
    assertTrue(refused.err().contains("plaintext refused"), refused.err());
    Path enc = dir.resolve("disguised.yaml");
    assertEquals(0, run("config", "encrypt", plain.toString(), "-o", enc.toString(), "--key-file", key1.toString())
        .code());
    assertEquals(0, run("config", "validate", enc.toString(), "--key-file", key1.toString(), "--require-encryption")
        .code());
  }

  @Test
  void encrypt_oneCharacterPassphrase_refused() throws Exception {
    Run r = process(Map.of("PW", "x"), "config", "encrypt", plain.toString(), "--passphrase-env", "PW");
    assertOneErrorLine(r, 1);
    assertTrue(r.err().contains("at least 12 characters"), r.err());
    assertFalse(Files.exists(dir.resolve("app.enc.yaml")));
  }

  @Test
  void validate_hostileKeyNames_printedEscaped() throws IOException {
    Path bad = dir.resolve("esc.yaml");
    Files.writeString(bad, "security:\n  audit:\n    \"x\\e[2J\\u202e\": 1\n");
    Run r = run("config", "validate", bad.toString(), "--key-file", key1.toString());
    assertEquals(1, r.code(), r.err());
    assertFalse(r.out().contains("\u001b") || r.out().contains("\u202e"), r.out());
    assertEquals("security.audit.(a key that is not snake_case, 6 characters): unknown key\n", r.out());
  }
}
