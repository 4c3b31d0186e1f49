package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.RecipientKey;
import dev.secureyeoman.testkit.CapturedLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Secrets never in messages", seeded: where {@link SecretMarkerTest} walks each known error path once, this test
 * feeds many malformed variants (fixed-seed {@link Random}, so a failure reproduces) around a marker secret through
 * key decoding, envelopes (bit flips, truncation, insertion, armor damage) and the config loader (YAML damage and
 * validation failures), and checks every message, cause, suppressed exception, {@code toString} and log line.
 */
class SecretMarkerSeededTest {
  private static final String MARKER = SecretMarkerTest.MARKER;
  /** A numeric secret for numeric config keys (a string marker would fail type binding before validation). */
  private static final String DIGITS = "739104662851";
  /** An int-sized numeric secret: binds, then fails validation. */
  private static final String INT_DIGITS = "48213907";

  private static final int VARIANTS = 300;
  private static final String JUNK = ":{}[]&*!|>'\"%@`#,?-\t\n\\ é\u0000=+/";

  @TempDir Path dir;
  private final AtomicInteger failures = new AtomicInteger();
  private byte[] raw;
  private String rawBase64;

  @BeforeEach
  void setUp() {
    CapturedLogs.clear();
    raw = new byte[32];
    new Random(7).nextBytes(raw);
    rawBase64 = Base64.getEncoder().encodeToString(raw);
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Runs {@code action}; a failure must not contain any of {@code secrets}. Success is allowed (a variant can be valid). */
  private void noSecretIfItFails(String what, ThrowingRunnable action, String... secrets) {
    try {
      action.run();
    } catch (Throwable t) {
      failures.incrementAndGet();
      assertClean(what, t, secrets);
    }
  }

  private static void assertClean(String what, Throwable t, String... secrets) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
      all.addAll(Arrays.asList(c.getSuppressed()));
    }
    for (Throwable c : all) {
      String text = c.getMessage() + " | " + c;
      for (String s : secrets) {
        assertFalse(text.contains(s), what + " leaked a secret: " + text);
      }
    }
  }

  private void assertLogsClean(String... secrets) {
    for (String line : CapturedLogs.lines()) {
      for (String s : secrets) {
        assertFalse(line.contains(s), "log line leaked a secret: " + line);
      }
    }
  }

  /**
   * One to three random edits: a junk character inserted, a character deleted, or the marker inserted (into a key, it
   * makes a key that is not snake_case, which messages never echo: a value turned into a key by a typo such as
   * {@code {token:s3cr3t}} must not be printed either).
   */
  private static String damage(Random rnd, String s) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = rnd.nextInt(b.length() + 1);
      switch (rnd.nextInt(3)) {
        case 0 -> b.insert(at, JUNK.charAt(rnd.nextInt(JUNK.length())));
        case 1 -> {
          if (at < b.length()) {
            b.deleteCharAt(at);
          }
        }
        default -> b.insert(at, MARKER);
      }
    }
    return b.toString();
  }

  @Test
  void keyDecoding_manyMalformedVariants_neverEchoTheValue() throws Exception {
    Random rnd = new Random(20);
    for (int i = 0; i < VARIANTS; i++) {
      String value = damage(rnd, rnd.nextBoolean() ? MARKER : rawBase64 + MARKER);
      Map<String, String> env = Map.of("K", value);
      String[] secrets = {MARKER, value.strip()};
      noSecretIfItFails("env raw key #" + i, () -> KeySource.rawKeyFromEnv("K", env::get).load().close(), secrets);
      noSecretIfItFails("env raw key bytes #" + i, () -> KeySource.rawKeyFromEnv("K", env::get).loadRawKey().close(), secrets);
      noSecretIfItFails(
          "decodeRawKeyBytes #" + i,
          () -> KeySource.decodeRawKeyBytes(value.toCharArray(), "environment variable K").close(),
          secrets);
      noSecretIfItFails("passphrase as raw key #" + i, () -> KeySource.passphraseFromEnv("K", env::get).loadRawKey().close(), secrets);
      Path file = dir.resolve("key" + i);
      Files.writeString(file, value, StandardCharsets.UTF_8);
      noSecretIfItFails("key file #" + i, () -> KeySource.rawKeyFromFile(file).load().close(), secrets);
      // the description is not a place for secrets either: a key passed there is refused without being echoed
      noSecretIfItFails(
          "key as description #" + i,
          () -> KeySource.decodeRawKeyBytes(rawBase64.toCharArray(), value + "\n").close(),
          MARKER);
    }
    assertTrue(failures.get() >= VARIANTS * 4, "the variants were malformed: " + failures.get() + " failures");
    assertLogsClean(MARKER);
  }

  @Test
  void envelopes_manyDamagedCopies_neverEchoPlaintextOrKey() throws Exception {
    EnvelopeCipher cipher = EnvelopeCipher.create();
    byte[] aad = "seeded".getBytes(StandardCharsets.US_ASCII);
    byte[] plaintext = (MARKER + " plaintext").getBytes(StandardCharsets.UTF_8);
    try (RecipientKey key = RecipientKey.raw(SecretBytes.copyOf(raw))) {
      byte[] envelope = cipher.encrypt(plaintext, aad, key);
      byte[] armored = EnvelopeArmor.armor(envelope);
      Random rnd = new Random(21);
      for (int i = 0; i < VARIANTS; i++) {
        byte[] bad;
        switch (i % 4) {
          case 0 -> {
            bad = envelope.clone();
            int bit = rnd.nextInt(bad.length * 8);
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
          }
          case 1 -> bad = Arrays.copyOf(envelope, rnd.nextInt(envelope.length));
          case 2 -> {
            int at = rnd.nextInt(envelope.length);
            byte[] junk = new byte[1 + rnd.nextInt(16)];
            rnd.nextBytes(junk);
            bad = new byte[envelope.length + junk.length];
            System.arraycopy(envelope, 0, bad, 0, at);
            System.arraycopy(junk, 0, bad, at, junk.length);
            System.arraycopy(envelope, at, bad, at + junk.length, envelope.length - at);
          }
          default -> bad = damage(rnd, new String(armored, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.UTF_8);
        }
        byte[] input = bad;
        noSecretIfItFails("envelope variant #" + i, () -> cipher.decrypt(input, aad, key), MARKER, rawBase64);
        noSecretIfItFails("inspect variant #" + i, () -> cipher.inspect(input), MARKER, rawBase64);
      }
    }
    assertTrue(failures.get() >= VARIANTS, "the variants were damaged: " + failures.get() + " failures");
    assertLogsClean(MARKER, rawBase64);
  }

  /** Valid documents with the marker in values; damaged copies must fail (or load) without echoing a value. */
  static List<String> templates() {
    return List.of(
        "security:\n  audit:\n    db_path: " + MARKER + "\n    retention_days: 30\n",
        "security:\n  auth:\n    totp: { issuer: " + MARKER + ", window: 1 }\n",
        "security:\n  http:\n    cors: { allowed_origins: [ \"https://" + MARKER + ".example\" ] }\n",
        "security: {audit: {retention_days: -" + DIGITS + ", max_entries: 0}}\n",
        "security: {audit: {retention_days: " + DIGITS + DIGITS + "}}\n",
        "security: {auth: {password_min_length: " + DIGITS + "}}\n",
        "security: {http: {rate_limit: {window_ms: -" + DIGITS + ", max_requests: 0}}}\n",
        "security: {audit: {retention_days: -" + INT_DIGITS + ", max_entries: -" + INT_DIGITS + "}}\n",
        "security: {auth: {password_min_length: -" + INT_DIGITS + "}}\n");
  }

  @Test
  void configLoader_manyDamagedDocuments_neverEchoValues() throws Exception {
    EncryptedConfigLoader loader =
        EncryptedConfigLoader.builder().keySource(KeySource.fixed(SecretBytes.copyOf(raw))).build();
    Random rnd = new Random(22);
    List<String> templates = templates();
    for (int i = 0; i < VARIANTS; i++) {
      String doc = i < templates.size() ? templates.get(i) : damage(rnd, templates.get(rnd.nextInt(templates.size())));
      noSecretIfItFails("inline doc #" + i, () -> loader.parseSecurityConfig(doc), MARKER, DIGITS, INT_DIGITS);
      Path plain = dir.resolve("doc" + i + ".yaml");
      Files.writeString(plain, doc, StandardCharsets.UTF_8);
      noSecretIfItFails("plain doc #" + i, () -> loader.load(plain), MARKER, DIGITS, INT_DIGITS);
      if (i % 5 == 0) {
        try (RecipientKey key = RecipientKey.raw(SecretBytes.copyOf(raw))) {
          Path enc = dir.resolve("doc" + i + ".enc.yaml");
          Files.write(enc, EnvelopeArmor.armor(EnvelopeCipher.create().encrypt(
              doc.getBytes(StandardCharsets.UTF_8), EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(
                  StandardCharsets.US_ASCII), key)));
          noSecretIfItFails("encrypted doc #" + i, () -> loader.load(enc), MARKER, DIGITS, INT_DIGITS, rawBase64);
        }
      }
    }
    // the templates with bad numbers fail validation (never silently accepted), so the validation path is covered
    assertTrue(failures.get() >= VARIANTS, "the variants were malformed: " + failures.get() + " failures");
    assertLogsClean(MARKER, DIGITS, INT_DIGITS, rawBase64);
  }

  @Test
  void missingSpaceAfterColon_inFlowStyle_theValueBecomesAKey_andIsNotEchoed() throws Exception {
    EncryptedConfigLoader loader = EncryptedConfigLoader.builder().build();
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> loader.parseSecurityConfig("security: {auth: {totp: {issuer:" + MARKER + "}}}\n"));
    assertFalse(e.getMessage().contains(MARKER), e.getMessage());
    assertTrue(
        e.getMessage().contains("security.auth.totp.(a key that is not snake_case, " + (7 + MARKER.length())
            + " characters): unknown key"),
        e.getMessage());
    // an ordinary typo is still named, so the message stays useful
    ConfigException typo =
        assertThrows(ConfigException.class, () -> loader.parseSecurityConfig("security: {auth: {totp: {isuer: x}}}\n"));
    assertTrue(typo.getMessage().contains("security.auth.totp.isuer: unknown key"), typo.getMessage());
  }
}
