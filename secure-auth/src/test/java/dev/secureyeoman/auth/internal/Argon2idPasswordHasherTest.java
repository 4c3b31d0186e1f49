package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.internal.Argon2id;
import dev.secureyeoman.auth.PasswordHashParameters;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

class Argon2idPasswordHasherTest {
  static final PasswordHashParameters CHEAP = new PasswordHashParameters(64, 1, 1, 16, 32);

  private static Properties vector() throws IOException {
    return vector("argon2id");
  }

  private static Properties vector(String type) throws IOException {
    Properties p = new Properties();
    try (InputStream in =
        Argon2idPasswordHasherTest.class.getResourceAsStream("/vectors/rfc9106/" + type + ".properties")) {
      p.load(in);
    }
    return p;
  }

  private static byte[] repeat(int b, int n) {
    byte[] a = new byte[n];
    Arrays.fill(a, (byte) b);
    return a;
  }

  @Test
  void argon2id_rfc9106Vector_matchesThroughBouncyCastle() throws Exception {
    Properties v = vector();
    byte[] tag =
        Argon2id.derive(
            repeat(1, 32),
            repeat(2, 16),
            repeat(3, 8),
            repeat(4, 12),
            Integer.parseInt(v.getProperty("memory_kib")),
            Integer.parseInt(v.getProperty("iterations")),
            Integer.parseInt(v.getProperty("parallelism")),
            Integer.parseInt(v.getProperty("tag_length")));
    assertArrayEquals(HexFormat.of().parseHex(v.getProperty("tag")), tag);
    // negative: a different secret gives a different tag
    byte[] other =
        Argon2id.derive(repeat(1, 32), repeat(2, 16), repeat(9, 8), repeat(4, 12), 32, 3, 4, 32);
    assertFalse(Arrays.equals(tag, other));
  }

  /**
   * The type mix-up Bouncy Castle invites ({@code new Argon2Parameters.Builder()} defaults to Argon2i): Argon2i over the
   * same inputs yields RFC 9106's Argon2i tag, which differs from the Argon2id tag the SDK produces above. So a hasher
   * that silently used Argon2i would fail {@link #argon2id_rfc9106Vector_matchesThroughBouncyCastle}.
   */
  @Test
  void argon2i_sameInputs_givesTheRfcArgon2iTag_notTheArgon2idOne() throws Exception {
    Properties i = vector("argon2i");
    Argon2Parameters p =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_i)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(repeat(2, 16))
            .withSecret(repeat(3, 8))
            .withAdditional(repeat(4, 12))
            .withMemoryAsKB(32)
            .withIterations(3)
            .withParallelism(4)
            .build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(p);
    byte[] argon2i = new byte[32];
    g.generateBytes(repeat(1, 32), argon2i);
    assertArrayEquals(HexFormat.of().parseHex(i.getProperty("tag")), argon2i, "BC's Argon2i matches RFC 9106 5.2");
    byte[] argon2id =
        Argon2id.derive(repeat(1, 32), repeat(2, 16), repeat(3, 8), repeat(4, 12), 32, 3, 4, 32);
    assertFalse(Arrays.equals(argon2i, argon2id), "the SDK's derivation is not Argon2i");
    assertArrayEquals(HexFormat.of().parseHex(vector().getProperty("tag")), argon2id);
  }

  @Test
  void hashAndVerify_passwordBounds_lengthAndUtf16AndNfkc() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1, new SecureRandom());
    char[] max = "x".repeat(dev.secureyeoman.auth.PasswordPolicy.MAX_LENGTH).toCharArray();
    String phc = h.hash(max);
    assertTrue(h.verify(max, phc));
    char[] tooLong = "x".repeat(dev.secureyeoman.auth.PasswordPolicy.MAX_LENGTH + 1).toCharArray();
    assertThrows(IllegalArgumentException.class, () -> h.hash(tooLong));
    assertFalse(h.verify(tooLong, phc));
    // 1 024 code points of two chars each (emoji) are fine: the bound counts code points
    String emoji = new String(Character.toChars(0x1F600));
    assertTrue(h.verify(emoji.repeat(1024).toCharArray(), h.hash(emoji.repeat(1024).toCharArray())));
    // a lone surrogate is refused, never replaced by '?': 32 x U+D800 is not the password "????..."
    char[] lone = new char[32];
    Arrays.fill(lone, '\uD800');
    assertThrows(IllegalArgumentException.class, () -> h.hash(lone));
    String questionMarks = h.hash("?".repeat(32).toCharArray());
    assertFalse(h.verify(lone, questionMarks));
    assertTrue(h.verify("?".repeat(32).toCharArray(), questionMarks));
    char[] lowFirst = {'a', '\uDC00', 'b'};
    assertThrows(IllegalArgumentException.class, () -> h.hash(lowFirst));
    // NFKC: the ligature, full-width letters and the composed/decomposed forms are the same password
    String stored = h.hash("office ＡＢＣ café 1234567890".toCharArray());
    assertTrue(h.verify("ofﬁce ABC cafe\u0301 1234567890".toCharArray(), stored));
    assertFalse(h.verify("office ABD café 1234567890".toCharArray(), stored));
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void hash_tenMillionCharPassword_refusedWithoutWaitingForASlot() throws Exception {
    // an over-long password is refused before the semaphore, so it neither waits for nor holds a slot
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1, new SecureRandom());
    Semaphore slots = extractSlots(h);
    slots.acquire(1);
    try {
      char[] huge = new char[10_000_000];
      Arrays.fill(huge, 'a');
      assertThrows(IllegalArgumentException.class, () -> h.hash(huge));
      assertFalse(h.verify(huge, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
    } finally {
      slots.release(1);
    }
  }

  @Test
  void hash_phcRoundTrip_andVerify() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 2, new SecureRandom());
    char[] pw = "pässwörd with ünïcode and length".toCharArray();
    String phc = h.hash(pw);
    assertTrue(phc.matches("\\$argon2id\\$v=19\\$m=64,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), phc);
    assertTrue(h.verify(pw, phc));
    assertFalse(h.verify("pässwörd with ünïcode and lengtH".toCharArray(), phc));
    assertNotEquals(phc, h.hash(pw), "fresh salt each time");
    Argon2idPasswordHasher.Phc parsed = Argon2idPasswordHasher.Phc.parse(phc).orElseThrow();
    assertEquals(phc, Argon2idPasswordHasher.Phc.format(CHEAP, parsed.salt(), parsed.hash()));
    assertFalse(h.needsRehash(phc));
    assertTrue(new Argon2idPasswordHasher(PasswordHashParameters.defaults(), 1, new SecureRandom()).needsRehash(phc));
  }

  @Test
  void verify_malformedOrAbsurdPhc_falseWithoutAllocating() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 1, new SecureRandom());
    String good = h.hash("x".toCharArray());
    String[] bad = {
      null,
      "",
      good.replace("argon2id", "argon2i"),
      good.replace("v=19", "v=16"),
      good.replace("m=64", "m=99999999"), // 95 GiB: refused before allocation
      good.replace("t=1", "t=100000"),
      good.replace("p=1", "p=0"),
      good.replace("m=64", "m=abc"),
      good + "$extra",
      "$argon2id$v=19$m=64,t=1,p=1$!!!!$????",
      "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", // too-short salt and hash
    };
    for (String b : bad) {
      assertFalse(h.verify("x".toCharArray(), b), String.valueOf(b));
      assertTrue(h.needsRehash(b));
    }
  }

  @Test
  void hashing_waitsForAFreeSlot_whenAllSlotsAreBusy() throws Exception {
    Argon2idPasswordHasher h = new Argon2idPasswordHasher(CHEAP, 2, new SecureRandom());
    Semaphore slots = extractSlots(h);
    slots.acquire(2); // simulate two hashes in flight
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> f = pool.submit(() -> h.hash("pw".toCharArray()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!slots.hasQueuedThreads() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(slots.hasQueuedThreads(), "the third hash queues at the semaphore");
      assertFalse(f.isDone());
      slots.release(2);
      assertTrue(f.get(30, TimeUnit.SECONDS).startsWith("$argon2id$"));
      assertEquals(2, slots.availablePermits(), "permits returned");
    } finally {
      pool.shutdownNow();
    }
  }

  private static Semaphore extractSlots(Argon2idPasswordHasher h) throws Exception {
    java.lang.reflect.Field fld = Argon2idPasswordHasher.class.getDeclaredField("slots");
    fld.setAccessible(true);
    return (Semaphore) fld.get(h);
  }

  @Test
  void constructor_rejectsBadBound() {
    assertThrows(IllegalArgumentException.class, () -> new Argon2idPasswordHasher(CHEAP, 0, new SecureRandom()));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHashParameters(4, 1, 1, 16, 32));
  }
}
