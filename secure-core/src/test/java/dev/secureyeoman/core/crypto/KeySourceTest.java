package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeySourceTest {
  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      KEY[i] = (byte) (i * 7);
    }
  }

  static final String KEY_B64 = Base64.getEncoder().encodeToString(KEY);
  @TempDir Path dir;

  private static byte[] roundTrip(RecipientKey key) throws Exception {
    EnvelopeCipher c = EnvelopeCipher.create();
    try (SecretBytes expected = SecretBytes.copyOf(KEY)) {
      byte[] env = c.encrypt(new byte[] {1, 2}, new byte[0], RecipientKey.raw(expected));
      return c.decrypt(env, new byte[0], key);
    }
  }

  @Test
  void rawKeyFromEnv_validBase64_loadsSameKey() throws Exception {
    KeySource source = KeySource.rawKeyFromEnv("MY_KEY", Map.of("MY_KEY", KEY_B64 + "\n")::get);
    try (RecipientKey key = source.load()) {
      assertEquals(2, roundTrip(key).length);
    }
    assertEquals("environment variable MY_KEY", source.description());
  }

  @Test
  void rawKeyFromEnv_unset_messageNamesVariable() {
    KeySource source = KeySource.rawKeyFromEnv("SECUREYEOMAN_CONFIG_KEY", Map.<String, String>of()::get);
    KeySourceException e = assertThrows(KeySourceException.class, source::load);
    assertTrue(e.getMessage().contains("environment variable SECUREYEOMAN_CONFIG_KEY is not set"), e.getMessage());
  }

  @Test
  void rawKeyFromEnv_wrongLength_rejectedWithoutEchoingValue() {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    KeySourceException e = assertThrows(KeySourceException.class,
        () -> KeySource.rawKeyFromEnv("K", Map.of("K", shortKey)::get).load());
    assertTrue(e.getMessage().contains("must be 32 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("was 16 bytes"), e.getMessage());
    assertFalse(e.getMessage().contains(shortKey));
    String longKey = Base64.getEncoder().encodeToString(new byte[33]);
    assertThrows(KeySourceException.class, () -> KeySource.rawKeyFromEnv("K", Map.of("K", longKey)::get).load());
  }

  @Test
  void decodeRawKeyBytes_validatesLikeTheKeySources() throws Exception {
    byte[] k = new byte[32];
    k[0] = 7;
    try (SecretBytes key = KeySource.decodeRawKeyBytes((" " + Base64.getEncoder().encodeToString(k) + "\n").toCharArray(), "env X")) {
      assertEquals(32, key.length());
      assertEquals(7, key.toByteArray()[0]);
    }
    String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
    KeySourceException e =
        assertThrows(KeySourceException.class, () -> KeySource.decodeRawKeyBytes(shortKey.toCharArray(), "env X"));
    assertTrue(e.getMessage().startsWith("env X: key must be 32 bytes"), e.getMessage());
    assertFalse(e.getMessage().contains(shortKey));
    assertThrows(KeySourceException.class, () -> KeySource.decodeRawKeyBytes("not*base64!".toCharArray(), "env X"));
    assertThrows(KeySourceException.class, () -> KeySource.decodeRawKeyBytes(null, "env X"));
  }

  @Test
  void rawKeyFromEnv_notBase64_rejected() {
    KeySourceException e = assertThrows(KeySourceException.class,
        () -> KeySource.rawKeyFromEnv("K", Map.of("K", "not*base64!")::get).load());
    assertTrue(e.getMessage().contains("not valid base64"));
    assertFalse(e.getMessage().contains("not*base64!"));
  }

  @Test
  void rawKeyFromFile_withTrailingNewline_loads() throws Exception {
    Path f = dir.resolve("config.key");
    Files.writeString(f, KEY_B64 + "\n");
    try (RecipientKey key = KeySource.rawKeyFromFile(f).load()) {
      assertEquals(2, roundTrip(key).length);
    }
  }

  @Test
  void rawKeyFromFile_missing_messageNamesPath() {
    Path f = dir.resolve("absent.key");
    KeySourceException e = assertThrows(KeySourceException.class, () -> KeySource.rawKeyFromFile(f).load());
    assertTrue(e.getMessage().contains("key file " + f), e.getMessage());
  }

  @Test
  void rawKeyFromFile_oversized_rejected() throws Exception {
    Path f = dir.resolve("huge.key");
    Files.write(f, new byte[10_000]);
    assertThrows(KeySourceException.class, () -> KeySource.rawKeyFromFile(f).load());
  }

  @Test
  void passphraseFromEnvAndFile_sameKeyId_bothDecrypt() throws Exception {
    Path f = dir.resolve("pass.txt");
    Files.write(f, "open sesame, really\nsecond line ignored\n".getBytes(StandardCharsets.UTF_8));
    KeySource env = KeySource.passphraseFromEnv("PW", Map.of("PW", "open sesame, really")::get);
    EnvelopeCipher c = EnvelopeCipher.create();
    byte[] envelope;
    try (RecipientKey k = env.load()) {
      assertEquals(RecipientKey.Kind.PASSPHRASE_ARGON2ID, k.kind());
      envelope = c.encrypt(new byte[] {5}, new byte[0], RecipientKey.passphrase(k.keyId(),
          "open sesame, really".toCharArray(), Argon2idParameters.MINIMUM));
    }
    try (RecipientKey fromFile = KeySource.passphraseFromFile(f).load()) {
      assertEquals(1, c.decrypt(envelope, new byte[0], fromFile).length);
    }
    assertThrows(KeySourceException.class, () -> KeySource.passphraseFromEnv("PW", Map.of("PW", "")::get).load());
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "\n");
    assertThrows(KeySourceException.class, () -> KeySource.passphraseFromFile(empty).load());
  }

  @Test
  void fixed_validatesLengthAndHidesKey() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> KeySource.fixed(SecretBytes.copyOf(new byte[31])));
    KeySource fixed = KeySource.fixed(SecretBytes.copyOf(KEY));
    try (RecipientKey key = fixed.load()) {
      assertEquals(2, roundTrip(key).length);
    }
    assertFalse(fixed.toString().contains(KEY_B64));
  }

  @Test
  void factories_rejectBlankNames() {
    assertThrows(IllegalArgumentException.class, () -> KeySource.rawKeyFromEnv(" "));
    assertThrows(IllegalArgumentException.class, () -> KeySource.rawKeyFromFile(null));
  }
}
