package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {
  static final byte[] AAD = "test:aad".getBytes(StandardCharsets.UTF_8);
  static final byte[] PLAINTEXT = "security:\n  audit:\n    retention_days: 90\n".getBytes(StandardCharsets.UTF_8);

  final EnvelopeCipher cipher = EnvelopeCipher.create();

  static RecipientKey rawKey(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    try (SecretBytes s = SecretBytes.copyOf(k)) {
      return RecipientKey.raw(s);
    }
  }

  static RecipientKey passphrase(String p) {
    return RecipientKey.passphrase("passphrase", p.toCharArray(), Argon2idParameters.MINIMUM);
  }

  static EnvelopeException.Reason reasonOf(Executable e) {
    return assertThrows(EnvelopeException.class, e::run).reason();
  }

  interface Executable {
    void run() throws Exception;
  }

  @Test
  void encryptDecrypt_rawKey_roundTrips() throws Exception {
    RecipientKey key = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, key);
    assertArrayEquals(PLAINTEXT, cipher.decrypt(env, AAD, key));
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, rawKey(2))));
  }

  @Test
  void encryptDecrypt_passphrase_roundTripsAndWrongPassphraseFails() throws Exception {
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, passphrase("correct horse battery staple"));
    assertArrayEquals(PLAINTEXT, cipher.decrypt(env, AAD, passphrase("correct horse battery staple")));
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, passphrase("Correct horse battery staple"))));
    EnvelopeInfo info = cipher.inspect(env);
    assertEquals(Argon2idParameters.MINIMUM, info.recipients().get(0).kdfParameters().orElseThrow());
  }

  @Test
  void encrypt_multipleRecipients_eachDecryptsOthersDoNot() throws Exception {
    RecipientKey a = rawKey(1);
    RecipientKey b = rawKey(2);
    RecipientKey c = passphrase("third recipient passphrase");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, List.of(a, b, c));
    for (RecipientKey k : List.of(a, b, c)) {
      assertArrayEquals(PLAINTEXT, cipher.decrypt(env, AAD, k));
    }
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, rawKey(3))));
    EnvelopeInfo info = cipher.inspect(env);
    assertEquals(3, info.recipients().size());
    assertEquals(a.keyId(), info.recipients().get(0).keyId());
    assertEquals(RecipientKey.Kind.PASSPHRASE_ARGON2ID, info.recipients().get(2).kind());
  }

  @Test
  void encrypt_samePlaintextTwice_differentEnvelopes() {
    RecipientKey key = rawKey(1);
    assertFalse(Arrays.equals(cipher.encrypt(PLAINTEXT, AAD, key), cipher.encrypt(PLAINTEXT, AAD, key)));
  }

  @Test
  void decrypt_wrongAssociatedData_tampered() {
    RecipientKey key = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, key);
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(env, "other".getBytes(StandardCharsets.UTF_8), key)));
    assertEquals(Reason.TAMPERED, reasonOf(() -> cipher.decrypt(env, new byte[0], key)));
  }

  @Test
  void rekey_replacingTheKey_keepsContentRotatesDataKeyAndInvalidatesOldKey() throws Exception {
    RecipientKey oldKey = rawKey(1);
    RecipientKey newKey = rawKey(2);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, oldKey);
    byte[] rekeyed = cipher.rekey(env, AAD, oldKey, List.of(newKey));
    assertArrayEquals(PLAINTEXT, cipher.decrypt(rekeyed, AAD, newKey));
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(rekeyed, AAD, oldKey)));
    // the old key is gone from the recipients, so its holder (who knows the old data key) must not read the result
    assertFalse(Arrays.equals(cipher.open(env, AAD, oldKey).dataKey, cipher.open(rekeyed, AAD, newKey).dataKey));
    // the old envelope is unaffected (rekey is a pure function; callers replace the file atomically)
    assertArrayEquals(PLAINTEXT, cipher.decrypt(env, AAD, oldKey));
    // a key that cannot open the envelope cannot rekey it
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.rekey(rekeyed, AAD, oldKey, List.of(oldKey))));
  }

  @Test
  void rotate_changesDataKeyAndKeepsContent() throws Exception {
    RecipientKey key = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, key);
    byte[] rotated = cipher.rotate(env, AAD, key, List.of(key));
    assertArrayEquals(PLAINTEXT, cipher.decrypt(rotated, AAD, key));
    assertFalse(Arrays.equals(cipher.open(env, AAD, key).dataKey, cipher.open(rotated, AAD, key).dataKey));
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.rotate(rotated, AAD, rawKey(9), List.of(key))));
  }

  @Test
  void flipAnyByte_multiRecipientRawEnvelope_alwaysDetected() {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, List.of(a, rawKey(2)));
    EnumSet<Reason> seen = EnumSet.noneOf(Reason.class);
    for (int pos = 0; pos < env.length; pos++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] mutated = env.clone();
        mutated[pos] ^= (byte) (1 << bit);
        seen.add(reasonOf(() -> cipher.decrypt(mutated, AAD, a)));
      }
    }
    // header flips land in specific parse errors, the rest in authentication failures; with the right key (whose id is
    // derived from the key) a modified recipient entry is TAMPERED, never WRONG_KEY
    assertTrue(seen.containsAll(EnumSet.of(Reason.MALFORMED, Reason.UNSUPPORTED_VERSION, Reason.TAMPERED)),
        seen.toString());
    assertFalse(seen.contains(Reason.WRONG_KEY), seen.toString());
  }

  @Test
  void flipAnyByte_armoredEnvelope_alwaysDetected() {
    RecipientKey a = rawKey(1);
    byte[] armored = EnvelopeArmor.armor(cipher.encrypt(PLAINTEXT, AAD, a));
    for (int pos = 0; pos < armored.length; pos++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] mutated = armored.clone();
        mutated[pos] ^= (byte) (1 << bit);
        assertThrows(EnvelopeException.class, () -> cipher.decrypt(mutated, AAD, a), "position " + pos);
      }
    }
  }

  @Test
  void flipSampledBytes_passphraseEnvelope_detected() {
    RecipientKey p = passphrase("a long enough passphrase");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, p);
    Random random = new Random(42);
    for (int i = 0; i < 25; i++) {
      int pos = random.nextInt(env.length);
      byte[] mutated = env.clone();
      mutated[pos] ^= (byte) (1 + random.nextInt(255));
      assertThrows(EnvelopeException.class, () -> cipher.decrypt(mutated, AAD, p), "position " + pos);
    }
  }

  @Test
  void truncateAtEveryLength_truncated() {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, a);
    for (int len = 0; len < env.length; len++) {
      byte[] cut = Arrays.copyOf(env, len);
      assertEquals(Reason.TRUNCATED, reasonOf(() -> cipher.decrypt(cut, AAD, a)), "length " + len);
    }
    byte[] longer = Arrays.copyOf(env, env.length + 1);
    assertEquals(Reason.MALFORMED, reasonOf(() -> cipher.decrypt(longer, AAD, a)));
  }

  @Test
  void truncatedArmor_truncated() {
    RecipientKey a = rawKey(1);
    byte[] armored = EnvelopeArmor.armor(cipher.encrypt(PLAINTEXT, AAD, a));
    byte[] cut = Arrays.copyOf(armored, armored.length / 2);
    assertEquals(Reason.TRUNCATED, reasonOf(() -> cipher.decrypt(cut, AAD, a)));
  }

  @Test
  void otherVersion_unsupportedVersion() {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, a);
    env[4] = 2;
    assertEquals(Reason.UNSUPPORTED_VERSION, reasonOf(() -> cipher.decrypt(env, AAD, a)));
    assertEquals(Reason.UNSUPPORTED_VERSION, reasonOf(() -> cipher.inspect(env)));
  }

  @Test
  void notAnEnvelope_malformed() {
    RecipientKey a = rawKey(1);
    assertEquals(Reason.MALFORMED, reasonOf(() -> cipher.decrypt("hello: world\n".getBytes(StandardCharsets.UTF_8),
        AAD, a)));
    assertEquals(Reason.MALFORMED, reasonOf(() -> cipher.decrypt(new byte[] {'x'}, AAD, a)));
    assertEquals(Reason.TRUNCATED, reasonOf(() -> cipher.decrypt(new byte[] {'S', 'Y'}, AAD, a)));
  }

  /** Offset of the first passphrase recipient's memory field: magic 4, version 1, flags 1, count 1, kind 1, id. */
  private static int memoryOffset(String keyId) {
    return 4 + 1 + 1 + 1 + 1 + 1 + keyId.length();
  }

  /**
   * Bytes allocated by the current thread (HotSpot's com.sun.management.ThreadMXBean, reached reflectively because
   * this test compiles inside the module, which does not read jdk.management).
   */
  static long allocatedBytes() throws Exception {
    Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
    return (long) hotspot.getMethod("getThreadAllocatedBytes", long.class).invoke(bean, Thread.currentThread().getId());
  }

  @Test
  void absurdKdfCost_rejectedBeforeAllocating() throws Exception {
    RecipientKey p = passphrase("a long enough passphrase");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, p);
    int off = memoryOffset(p.keyId());
    assertEquals(Argon2idParameters.MINIMUM.memoryKiB(), ByteBuffer.wrap(env, off, 4).getInt());
    ByteBuffer.wrap(env).putInt(off, 4 * 1024 * 1024); // 4 GiB in KiB
    long before = allocatedBytes();
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> cipher.decrypt(env, AAD, p));
    long allocated = allocatedBytes() - before;
    assertEquals(Reason.KDF_COST_TOO_HIGH, e.reason());
    assertTrue(allocated < 1024 * 1024, "allocated " + allocated + " bytes");
    // iterations and parallelism are bounded too
    byte[] manyPasses = cipher.encrypt(PLAINTEXT, AAD, p);
    ByteBuffer.wrap(manyPasses).putInt(off + 4, Integer.MAX_VALUE);
    assertEquals(Reason.KDF_COST_TOO_HIGH, reasonOf(() -> cipher.decrypt(manyPasses, AAD, p)));
    byte[] manyLanes = cipher.encrypt(PLAINTEXT, AAD, p);
    manyLanes[off + 8] = (byte) 200;
    assertEquals(Reason.KDF_COST_TOO_HIGH, reasonOf(() -> cipher.decrypt(manyLanes, AAD, p)));
  }

  @Test
  void kdfCostBelowFloor_malformed() {
    RecipientKey p = passphrase("a long enough passphrase");
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, p);
    ByteBuffer.wrap(env).putInt(memoryOffset(p.keyId()), 8);
    assertEquals(Reason.MALFORMED, reasonOf(() -> cipher.decrypt(env, AAD, p)));
  }

  @Test
  void stricterLimits_rejectLegitimateButCostlyEnvelope() {
    RecipientKey p = RecipientKey.passphrase("passphrase", "pw-long-enough".toCharArray(),
        Argon2idParameters.builder().memoryKiB(32 * 1024).iterations(2).parallelism(1).build());
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, p);
    EnvelopeCipher strict = EnvelopeCipher.builder()
        .limits(EnvelopeLimits.builder().maxArgon2MemoryKiB(Argon2idParameters.MIN_MEMORY_KIB).build())
        .build();
    assertEquals(Reason.KDF_COST_TOO_HIGH, reasonOf(() -> strict.decrypt(env, AAD, p)));
  }

  @Test
  void oversizedEnvelope_tooLarge() {
    RecipientKey a = rawKey(1);
    EnvelopeCipher small = EnvelopeCipher.builder()
        .limits(EnvelopeLimits.builder().maxEnvelopeBytes(256).build()).build();
    byte[] env = cipher.encrypt(new byte[300], AAD, a);
    assertEquals(Reason.TOO_LARGE, reasonOf(() -> small.decrypt(env, AAD, a)));
    assertThrows(IllegalArgumentException.class, () -> small.encrypt(new byte[300], AAD, a));
    byte[] armored = EnvelopeArmor.armor(env);
    assertEquals(Reason.TOO_LARGE, reasonOf(() -> small.decrypt(armored, AAD, a)));
  }

  @Test
  void tooManyRecipients_tooLarge() {
    RecipientKey a = rawKey(1);
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, List.of(a, rawKey(2), rawKey(3)));
    EnvelopeCipher two = EnvelopeCipher.builder()
        .limits(EnvelopeLimits.builder().maxRecipients(2).build()).build();
    assertEquals(Reason.TOO_LARGE, reasonOf(() -> two.decrypt(env, AAD, a)));
  }

  @Test
  void misuse_rejectedWithParameterName() {
    RecipientKey a = rawKey(1);
    assertThrows(IllegalArgumentException.class, () -> cipher.encrypt(PLAINTEXT, AAD, List.of()));
    assertThrows(IllegalArgumentException.class, () -> cipher.encrypt(PLAINTEXT, AAD, List.of(a, rawKey(1))));
    assertThrows(IllegalArgumentException.class, () -> cipher.encrypt(null, AAD, a));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cipher.encrypt(PLAINTEXT, null, a));
    assertTrue(e.getMessage().contains("associatedData"));
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.raw(SecretBytes.copyOf(new byte[16])));
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.raw("bad id!", SecretBytes.copyOf(new byte[32])));
    assertThrows(IllegalArgumentException.class, () -> RecipientKey.passphrase(new char[0]));
    assertThrows(IllegalStateException.class,
        () -> EnvelopeCipher.builder().secureRandom(new SecureRandom()).secureRandom(new SecureRandom()));
    assertThrows(IllegalArgumentException.class, () -> Argon2idParameters.builder().memoryKiB(1024).build());
    assertThrows(IllegalArgumentException.class, () -> Argon2idParameters.builder().iterations(1).build());
    assertThrows(IllegalArgumentException.class, () -> EnvelopeLimits.builder().maxRecipients(0).build());
  }

  @Test
  void toString_neverShowsSecrets() {
    RecipientKey k = RecipientKey.passphrase("hunter2-passphrase".toCharArray());
    assertFalse(k.toString().contains("hunter2"));
    assertTrue(k.toString().contains("██"));
  }

  @Test
  void closedKey_cannotBeUsed() {
    RecipientKey k = rawKey(5);
    k.close();
    assertThrows(IllegalStateException.class, () -> cipher.encrypt(PLAINTEXT, AAD, k));
  }

  @Test
  void explicitKeyId_matchesOnlyThatId() throws Exception {
    byte[] raw = new byte[32];
    RecipientKey named = RecipientKey.raw("ops-2026", SecretBytes.copyOf(raw));
    byte[] env = cipher.encrypt(PLAINTEXT, AAD, named);
    assertEquals("ops-2026", cipher.inspect(env).recipients().get(0).keyId());
    assertArrayEquals(PLAINTEXT, cipher.decrypt(env, AAD, RecipientKey.raw("ops-2026", SecretBytes.copyOf(raw))));
    // same bytes under another id: no matching recipient
    assertEquals(Reason.WRONG_KEY, reasonOf(() -> cipher.decrypt(env, AAD, RecipientKey.raw(SecretBytes.copyOf(raw)))));
  }
}
