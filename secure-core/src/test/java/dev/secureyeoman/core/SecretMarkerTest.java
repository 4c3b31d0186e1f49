package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.NamedSecretStore;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.testkit.CapturedLogs;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Secrets never in messages": a marker secret is fed through every error path of secure-core — key sources,
 * envelopes, named secrets, and the configuration loader with plain and encrypted files — and must appear in no
 * exception message (with causes) and in no log line captured from SLF4J.
 */
class SecretMarkerTest {
  /** A secret value: base64-alphabet so that it reaches the length check of raw keys, long enough for a passphrase. */
  static final String MARKER = "S3cr3tMarker7f3a9Q";

  /** A secret that is too short to be a passphrase. */
  static final String SHORT = "Mk7f3a";

  private static final byte[] AAD = "marker-test".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final List<String> checked = new ArrayList<>();
  private RecipientKey key;
  private EncryptedConfigLoader loader;

  /** A host section with constraints whose messages could echo the value. */
  public record HostSection(
      @Size(max = 3) String token, @Pattern(regexp = "[a-z]{1,3}", message = "bad ${validatedValue} {regexp}") String name) {}

  @BeforeEach
  void setUp() {
    CapturedLogs.clear();
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) 7);
    key = RecipientKey.raw(SecretBytes.copyOf(raw));
    loader = EncryptedConfigLoader.builder().keySource(KeySource.fixed(SecretBytes.copyOf(raw))).build();
  }

  /** Runs {@code action}, which must fail, and checks every message in the chain for the marker. */
  private void failsWithoutMarker(String what, ThrowingRunnable action) {
    Throwable t = null;
    try {
      action.run();
    } catch (Throwable e) {
      t = e;
    }
    assertNotNull(t, what + ": expected a failure");
    for (Throwable c = t; c != null; c = c.getCause()) {
      String text = String.valueOf(c.getMessage()) + " " + c;
      assertFalse(text.contains(MARKER) || text.contains(SHORT), what + " leaked the secret: " + text);
    }
    checked.add(what);
  }

  private void assertNoLogLineLeaks() {
    for (String line : CapturedLogs.lines()) {
      assertFalse(line.contains(MARKER) || line.contains(SHORT), "log line leaked the secret: " + line);
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void keySources_neverEchoTheKeyOrPassphrase() throws Exception {
    Map<String, String> env =
        Map.of("RAW", MARKER, "SPACES", MARKER + " x", "UNICODE", MARKER + "é", "PW", SHORT, "OK", MARKER);
    failsWithoutMarker("raw key env: wrong length", () -> KeySource.rawKeyFromEnv("RAW", env::get).load());
    failsWithoutMarker("raw key env: not base64", () -> KeySource.rawKeyFromEnv("SPACES", env::get).load());
    failsWithoutMarker("raw key env: non-ASCII", () -> KeySource.rawKeyFromEnv("UNICODE", env::get).load());
    failsWithoutMarker("passphrase env: too short", () -> KeySource.passphraseFromEnv("PW", env::get).load());
    failsWithoutMarker(
        "passphrase as raw key bytes", () -> KeySource.passphraseFromEnv("OK", env::get).loadRawKey());
    Path keyFile = dir.resolve("k.key");
    Files.writeString(keyFile, MARKER + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    failsWithoutMarker("raw key file: wrong length", () -> KeySource.rawKeyFromFile(keyFile).load());
    Path pwFile = dir.resolve("pw.txt");
    Files.writeString(pwFile, SHORT + "\n" + MARKER);
    failsWithoutMarker("passphrase file: too short", () -> KeySource.passphraseFromFile(pwFile).load());
    failsWithoutMarker(
        "decodeRawKeyBytes", () -> KeySource.decodeRawKeyBytes(MARKER.toCharArray(), "environment variable X"));
    failsWithoutMarker("decodeRawKey", () -> KeySource.decodeRawKey(MARKER.toCharArray(), "environment variable X"));
    failsWithoutMarker(
        "description that is not a description",
        () -> KeySource.decodeRawKeyBytes(new char[0], MARKER + "\nsecurity:\n  audit: {}\n"));
    failsWithoutMarker("short passphrase recipient", () -> RecipientKey.passphrase(SHORT.toCharArray()));
    try (RecipientKey pass = RecipientKey.passphrase(MARKER.toCharArray())) {
      assertFalse(pass.toString().contains(MARKER));
    }
    try (SecretBytes b = SecretBytes.copyOf(MARKER.getBytes(StandardCharsets.UTF_8))) {
      assertFalse(b.toString().contains(MARKER));
    }
    assertNoLogLineLeaks();
    assertTrue(
        CapturedLogs.lines().stream().anyMatch(l -> l.contains("is readable by group or others")),
        "the key-file warning itself was logged: " + CapturedLogs.lines());
  }

  @Test
  void envelopes_andNamedSecrets_neverEchoPlaintext() throws Exception {
    EnvelopeCipher cipher = EnvelopeCipher.create();
    byte[] secret = MARKER.getBytes(StandardCharsets.UTF_8);
    byte[] envelope = cipher.encrypt(secret, AAD, key);
    byte[] other = new byte[32];
    RecipientKey wrong = RecipientKey.raw(SecretBytes.copyOf(other));
    failsWithoutMarker("wrong key", () -> cipher.decrypt(envelope, AAD, wrong));
    failsWithoutMarker("wrong associated data", () -> cipher.decrypt(envelope, new byte[0], key));
    byte[] flipped = envelope.clone();
    flipped[flipped.length - 1] ^= 1;
    failsWithoutMarker("tampered payload", () -> cipher.decrypt(flipped, AAD, key));
    failsWithoutMarker("truncated", () -> cipher.decrypt(Arrays.copyOf(envelope, 40), AAD, key));
    failsWithoutMarker("plaintext instead of an envelope", () -> cipher.decrypt(secret, AAD, key));
    byte[] armored = EnvelopeArmor.armor(envelope);
    String text = new String(armored, StandardCharsets.US_ASCII).replace("\n-----END", MARKER + "\n-----END");
    failsWithoutMarker(
        "non-canonical armor", () -> cipher.decrypt(text.getBytes(StandardCharsets.US_ASCII), AAD, key));
    failsWithoutMarker(
        "passphrase recipient, wrong passphrase",
        () -> cipher.decrypt(
            cipher.encrypt(secret, AAD, RecipientKey.passphrase("pp", (MARKER + "x").toCharArray(),
                dev.secureyeoman.core.crypto.Argon2idParameters.MINIMUM)),
            AAD,
            RecipientKey.passphrase("pp", MARKER.toCharArray(), dev.secureyeoman.core.crypto.Argon2idParameters.MINIMUM)));

    Path file = dir.resolve("named.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, key)) {
      store.put("token", SecretBytes.copyOf(secret));
      assertFalse(store.toString().contains(MARKER));
      failsWithoutMarker("bad name", () -> store.put(MARKER + " !", SecretBytes.copyOf(secret)));
      failsWithoutMarker("oversized value", () -> store.put("big", SecretBytes.copyOf(new byte[70_000])));
      Files.write(file, cipher.rotate(Files.readAllBytes(file), NamedSecretStore.ASSOCIATED_DATA.getBytes(
          StandardCharsets.US_ASCII), key, List.of(wrong)));
      failsWithoutMarker("store rekeyed away from this key", () -> store.put("more", SecretBytes.copyOf(secret)));
    }
    failsWithoutMarker("named store, wrong key", () -> NamedSecretStore.open(file, key));
    assertNoLogLineLeaks();
  }

  /** YAML documents (values only: paths may be printed) that fail in every way the loader knows. */
  static List<String> hostileDocuments() {
    String m = MARKER;
    return List.of(
        "security: {audit: {db_path: *" + m + "}}\n",
        "security: {audit: {db_path: !" + m + " x}}\n",
        "security: {audit: {db_path: !!timestamp " + m + "}}\n",
        "security: {audit: {db_path: !!binary " + m + "}}\n",
        "security: {audit: {db_path: \"\\q" + m + "\"}}\n",
        "security: {audit: {db_path: \"" + m + "\n",
        "security:\n  audit:\n    db_path: " + m + ": x\n",
        "security:\n\taudit: " + m + "\n",
        "security: {audit: {db_path: @" + m + "}}\n",
        "security: {audit: {db_path: `" + m + "}}\n",
        "security: {audit: {db_path: \"" + m + "\u0001\"}}\n",
        "security: {audit: {retention_days: " + m + "}}\n",
        "security: {audit: {retention_days: 1" + m + "}}\n",
        "security: {auth: {session_ttl: " + m + "}}\n",
        "security: {auth: {session_ttl: P" + m + "}}\n",
        "security: {sandbox: {backend: " + m + "}}\n",
        "security: {sandbox: {require_isolation: [" + m + "]}}\n",
        "security: {audit: {retention_dayz: " + m + "}}\n",
        "security: {audit: " + m + "}\n",
        "security: " + m + "\n",
        m + "\n",
        "- " + m + "\n",
        "security: {audit: {db_path: " + m + "}}\n---\nb: " + m + "\n",
        "a: &x " + m + "\nb: &x " + m + "\nsecurity: {audit: {db_path: *x, retention_days: *x}}\n",
        "security: {audit: &" + m + " {retention_days: x}}\n",
        "security: {audit: {db_path: [&a \"" + m + "\", *a, *a]}}\n",
        "a: &a \"" + m.repeat(40_000) + "\"\nb: [*a, *a, *a, *a, *a, *a]\n",
        "a: \"" + m.repeat(70_000) + "\"\n",
        "%YAML 9.9\n--- " + m + "\n",
        "%TAG !m! tag:" + m + ",2000:\n---\nsecurity: {audit: {db_path: !m!" + m + " x}}\n",
        "security: {audit: {db_path: " + m + ", db_path: " + m + "}}\n",
        "? [" + m + "]\n: 1\n",
        "x: &x {a: " + m + "}\nsecurity: {<<: *x}\n");
  }

  @Test
  void configLoader_plainAndEncryptedFiles_neverEchoValues() throws Exception {
    List<String> docs = hostileDocuments();
    for (int i = 0; i < docs.size(); i++) {
      String doc = docs.get(i);
      Path plain = dir.resolve("doc" + i + ".yaml");
      Files.writeString(plain, doc, StandardCharsets.UTF_8);
      failsWithoutMarker("plain doc " + i, () -> loader.load(plain));
      Path encrypted = dir.resolve("doc" + i + ".enc.yaml");
      Files.write(encrypted, EnvelopeArmor.armor(EnvelopeCipher.create().encrypt(
          doc.getBytes(StandardCharsets.UTF_8), EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(
              StandardCharsets.US_ASCII), key)));
      failsWithoutMarker("encrypted doc " + i, () -> loader.load(encrypted));
      failsWithoutMarker("inline doc " + i, () -> loader.parseSecurityConfig(doc));
    }
    Path notUtf8 = dir.resolve("latin1.yaml");
    byte[] bytes = ("security: {audit: {db_path: " + MARKER + "}}\n").getBytes(StandardCharsets.US_ASCII);
    bytes[bytes.length - 3] = (byte) 0xff;
    Files.write(notUtf8, bytes);
    failsWithoutMarker("not UTF-8", () -> loader.load(notUtf8));
    Path namedEncrypted = dir.resolve("plain.enc.yaml");
    Files.writeString(namedEncrypted, "security: {audit: {db_path: " + MARKER + "}}\n");
    failsWithoutMarker("plaintext named as encrypted", () -> loader.load(namedEncrypted));
    Path plainOk = dir.resolve("ok.yaml");
    Files.writeString(plainOk, "security: {audit: {db_path: " + MARKER + "}}\n");
    failsWithoutMarker(
        "plaintext while encryption is required",
        () -> EncryptedConfigLoader.builder().requireEncryption(true).build().load(plainOk));
    Path host = dir.resolve("host.yaml");
    Files.writeString(host, "app: {token: " + MARKER + ", name: " + MARKER + "}\n");
    failsWithoutMarker("host section constraints", () -> loader.load(host, "app", HostSection.class));
    Path hostTypes = dir.resolve("host2.yaml");
    Files.writeString(hostTypes, "app: {token: [" + MARKER + "], name: {x: " + MARKER + "}}\n");
    failsWithoutMarker("host section types", () -> loader.load(hostTypes, "app", HostSection.class));
    Path wrongKey = dir.resolve("wrong.enc.yaml");
    Files.write(wrongKey, EnvelopeArmor.armor(EnvelopeCipher.create().encrypt(
        MARKER.getBytes(StandardCharsets.UTF_8), AAD, key)));
    failsWithoutMarker("envelope for another purpose", () -> loader.load(wrongKey));
    assertNoLogLineLeaks();
    assertEquals(docs.size() * 3 + 6, checked.size());
  }

  @Test
  void validDocumentWithTheMarker_loads_soTheFailuresAboveAreAboutTheErrorPaths() throws Exception {
    SecurityConfig c = loader.parseSecurityConfig("security: {audit: {db_path: " + MARKER + "}}\n");
    assertEquals(MARKER, c.audit().dbPath());
  }

  /**
   * The two APIs whose {@code String} arguments, swapped, printed the secret or the whole configuration take distinct
   * types now: a swap no longer compiles.
   */
  @Test
  void swappableSecretAndDescriptionPairs_doNotExist() {
    for (Method m : KeySource.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) && m.getName().startsWith("decodeRaw")) {
        assertEquals(List.of(char[].class, String.class), List.of(m.getParameterTypes()), m.toString());
      }
    }
    for (Method m : EncryptedConfigLoader.class.getMethods()) {
      if (m.getName().equals("parseSecurityConfig") && m.getParameterCount() == 2) {
        assertEquals(List.of(String.class, Path.class), List.of(m.getParameterTypes()), m.toString());
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> KeySource.decodeRawKeyBytes(Base64.getEncoder().encodeToString(new byte[32]).toCharArray(), "a\nb"));
  }

  @Test
  void everyCheckedPath_reallyFailed() {
    // guards against a refactoring that turns an error path into a silent success: the lists above are exhaustive
    // per category, and failsWithoutMarker asserts a failure each time
    try {
      failsWithoutMarker("sanity", () -> {});
      fail("a path that does not fail must be reported");
    } catch (AssertionError expected) {
      assertTrue(expected.getMessage().contains("expected a failure"));
    }
  }

  static void unused() throws IOException, EnvelopeException, ConfigException {}
}
