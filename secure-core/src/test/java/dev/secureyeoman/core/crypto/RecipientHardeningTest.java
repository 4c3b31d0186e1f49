package dev.secureyeoman.core.crypto;

import static dev.secureyeoman.core.crypto.EnvelopeCipherTest.AAD;
import static dev.secureyeoman.core.crypto.EnvelopeCipherTest.PLAINTEXT;
import static dev.secureyeoman.core.crypto.EnvelopeCipherTest.rawKey;
import static dev.secureyeoman.core.crypto.EnvelopeCipherTest.reasonOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Rekey really cuts off a removed recipient, header edits of key ids and KDF parameters are reported as tampering
 * rather than as a wrong key, and passphrases have a minimum length.
 */
class RecipientHardeningTest {
  final EnvelopeCipher cipher = EnvelopeCipher.create();

  static RecipientKey passphrase(String id, String p) {
    return RecipientKey.passphrase(id, p.toCharArray(), Argon2idParameters.MINIMUM);
  }

  /** What a removed recipient who kept an old copy can do: decrypt a new envelope's payload with the old data key. */
  static boolean oldDataKeyOpens(byte[] dataKey, byte[] envelope) throws Exception {
    EnvelopeCodec.Parsed p = EnvelopeCodec.parse(envelope, EnvelopeLimits.DEFAULT);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, p.nonce()));
    c.updateAAD(ByteBuffer.allocate(p.header().length + 4 + AAD.length).put(p.header()).putInt(AAD.length).put(AAD)
        .array());
    try {
      c.doFinal(envelope, p.payloadOffset(), p.payloadLength());
      return true;
    } catch (AEADBadTagException e) {
      return false;
    }
  }

  @Test
  void rekey_removingARecipient_oldCopyHolderCannotReadTheResult() throws Exception {
    RecipientKey a = rawKey(1);
    RecipientKey b = rawKey(2);
    byte[] shared = cipher.encrypt(PLAINTEXT, AAD, List.of(a, b));
    byte[] bKeptThis = cipher.open(shared, AAD, b).dataKey; // b's old copy gives b the data key
    byte[] withoutB = cipher.rekey(shared, AAD, a, List.of(a));
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(withoutB, AAD, b)));
    assertFalse(oldDataKeyOpens(bKeptThis, withoutB), "the removed recipient's old data key must not open the result");
    assertTrue(oldDataKeyOpens(cipher.open(withoutB, AAD, a).dataKey, withoutB), "the harness itself works");
    assertArrayEquals(PLAINTEXT, cipher.decrypt(withoutB, AAD, a));
  }

  @Test
  void rekey_onlyAddingRecipients_keepsTheDataKey() throws Exception {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, a);
    byte[] grown = cipher.rekey(env, AAD, a, List.of(a, rawKey(2)));
    assertArrayEquals(cipher.open(env, AAD, a).dataKey, cipher.open(grown, AAD, rawKey(2)).dataKey);
  }

  @Test
  void rekey_samePassphraseIdNewPassphrase_rotates() throws Exception {
    RecipientKey oldPass = passphrase("passphrase", "the old passphrase here");
    RecipientKey newPass = passphrase("passphrase", "the new passphrase here");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, oldPass);
    byte[] oldDataKey = cipher.open(env, AAD, oldPass).dataKey;
    byte[] rekeyed = cipher.rekey(env, AAD, oldPass, List.of(newPass));
    assertFalse(oldDataKeyOpens(oldDataKey, rekeyed));
    assertArrayEquals(PLAINTEXT, cipher.decrypt(rekeyed, AAD, newPass));
  }

  @Test
  void editedRawKeyId_isTamperedNotWrongKey() throws Exception {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, a);
    byte[] edited = env.clone();
    edited[9] ^= 1; // first character of the key id (magic 4, version, flags, count, kind, id length)
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(edited, AAD, a)));
    RecipientKey named = RecipientKey.raw("ops-key", SecretBytes.copyOf(new byte[32]));
    byte[] env2 = cipher.encrypt(PLAINTEXT, AAD, named);
    byte[] edited2 = env2.clone();
    edited2[9] = 'x';
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(edited2, AAD, named)));
    // a genuinely different key is still WRONG_KEY
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, rawKey(2))));
  }

  @Test
  void editedWrappedKey_forAKeyWhoseIdIsDerived_isTampered() throws Exception {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, a);
    byte[] edited = env.clone();
    int wrappedStart = 4 + 3 + 1 + 1 + a.keyId().length() + 12;
    edited[wrappedStart + 5] ^= 0x40;
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(edited, AAD, a)));
  }

  @Test
  void editedPassphraseIdOrKdfCost_isTamperedNotWrongKey() throws Exception {
    RecipientKey p = passphrase("pp", "a long enough passphrase");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, p);
    byte[] id = env.clone();
    id[9] = 'q';
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(id, AAD, p)));
    byte[] memory = env.clone();
    int memoryAt = 4 + 3 + 1 + 1 + 2; // after kind, id length and the two id characters
    ByteBuffer.wrap(memory).putInt(memoryAt, Argon2idParameters.MIN_MEMORY_KIB + 8);
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(memory, AAD, p)));
    byte[] passes = env.clone();
    ByteBuffer.wrap(passes).putInt(memoryAt + 4, 3);
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(passes, AAD, p)));
    // the wrong passphrase on the untouched envelope is still WRONG_KEY
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, passphrase("pp", "another passphrase!"))));
  }

  @Test
  void shortPassphrase_refusedEverywhere() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.passphrase("x".toCharArray()));
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.passphrase("elevenchars".toCharArray()));
    KeySourceException env =
        assertThrows(KeySourceException.class, () -> KeySource.passphraseFromEnv("PW", Map.of("PW", "x")::get).load());
    assertTrue(env.getMessage().contains("at least 12 characters"), env.getMessage());
    // twelve code points, even when some need two UTF-16 units
    try (RecipientKey ok = RecipientKey.passphrase("twelve chars".toCharArray());
        RecipientKey emoji = RecipientKey.passphrase("😀😀😀😀😀😀😀😀😀😀😀😀".toCharArray())) {
      assertEquals(RecipientKey.Kind.PASSPHRASE_ARGON2ID, ok.kind());
      assertEquals(RecipientKey.Kind.PASSPHRASE_ARGON2ID, emoji.kind());
    }
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.passphrase("😀😀😀😀😀😀".toCharArray()));
  }

  @Test
  void loadRawKey_givesTheBytesOfARawSourceAndRefusesAPassphrase() throws Exception {
    byte[] raw = new byte[32];
    Arrays.fill(raw, (byte) 3);
    String b64 = java.util.Base64.getEncoder().encodeToString(raw);
    try (SecretBytes k = KeySource.rawKeyFromEnv("K", Map.of("K", b64)::get).loadRawKey()) {
      assertArrayEquals(raw, k.toByteArray());
    }
    assertThrows(KeySourceException.class,
        () -> KeySource.passphraseFromEnv("K", Map.of("K", "a long enough passphrase")::get).loadRawKey());
    byte[] text = "  key\n".getBytes(StandardCharsets.US_ASCII);
    assertThrows(KeySourceException.class,
        () -> KeySource.decodeRawKeyBytes(new String(text, StandardCharsets.US_ASCII).toCharArray(), "test"));
  }
}
