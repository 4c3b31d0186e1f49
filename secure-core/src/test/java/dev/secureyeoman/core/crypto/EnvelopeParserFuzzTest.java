package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.core.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer fuzz tests of the envelope parser. Regression mode ({@code mvn test}) replays the committed seeds under
 * {@code src/test/resources/dev/secureyeoman/core/crypto/EnvelopeParserFuzzTestInputs/<method>/} (valid binary and
 * armored envelopes, truncations, bad versions, absurd KDF costs); {@code ./mvnw -Pfuzz verify} fuzzes.
 *
 * <p>Properties: only {@link EnvelopeException} escapes, whatever the bytes; the three parsers agree (an envelope that
 * inspects can be decrypted or fails for a reason other than a parse error); a mutated valid envelope never decrypts
 * and, for the key it was made for, reads as modified — never as a wrong key — unless the recipient's kind byte itself
 * was changed.
 */
class EnvelopeParserFuzzTest {
  private static final byte[] AAD = "fuzz".getBytes(StandardCharsets.US_ASCII);
  private static final RecipientKey KEY = RecipientKey.raw(SecretBytes.copyOf(new byte[32]));
  // small limits keep a fuzzed KDF cost cheap: MINIMUM is the largest cost a fuzzed header can ask for
  private static final EnvelopeCipher CIPHER =
      EnvelopeCipher.builder()
          .limits(
              EnvelopeLimits.builder()
                  .maxArgon2MemoryKiB(Argon2idParameters.MIN_MEMORY_KIB)
                  .maxArgon2Iterations(Argon2idParameters.MIN_ITERATIONS)
                  .maxArgon2Parallelism(1)
                  .maxEnvelopeBytes(64 * 1024)
                  .build())
          .build();
  static final byte[] VALID =
      CIPHER.encrypt("security: {audit: {retention_days: 90}}".getBytes(StandardCharsets.UTF_8), AAD,
          List.of(KEY, RecipientKey.raw("second", SecretBytes.copyOf(new byte[32]))));
  /** Offset of the first recipient's kind byte (magic, version, flags, count). */
  private static final int FIRST_KIND = 7;

  @FuzzTest(maxDuration = "30s")
  void arbitraryBytes(byte @NotNull [] data) {
    EnvelopeException inspected = null;
    try {
      assertNotNull(CIPHER.inspect(data).recipients());
    } catch (EnvelopeException e) {
      inspected = e;
    }
    try {
      byte[] plain = CIPHER.decrypt(data, AAD, KEY);
      assertTrue(inspected == null, "decrypted what inspect rejected");
      assertNotNull(plain);
    } catch (EnvelopeException e) {
      if (inspected == null) {
        // the header parsed, so decryption can only fail on keys or authentication
        assertTrue(
            e.reason() == EnvelopeException.Reason.WRONG_KEY || e.reason() == EnvelopeException.Reason.TAMPERED,
            e.reason().toString());
      }
    }
    try {
      byte[] binary = EnvelopeArmor.dearmor(data, CIPHER.limits());
      assertTrue(Arrays.equals(EnvelopeArmor.armor(binary), data), "only the canonical armor is accepted");
    } catch (EnvelopeException expected) {
      // documented outcome
    }
  }

  /**
   * Input: 4 bytes position (big-endian), 1 byte xor mask, 1 byte armored flag (low bit); shorter inputs are padded
   * with zeros.
   */
  @FuzzTest(maxDuration = "30s")
  void mutatedValidEnvelope(byte @NotNull [] input) {
    ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(input, 6));
    int position = in.getInt();
    byte xor = in.get();
    boolean armored = (in.get() & 1) == 1;
    byte[] envelope = armored ? EnvelopeArmor.armor(VALID) : VALID.clone();
    int pos = Math.floorMod(position, envelope.length);
    byte delta = xor == 0 ? 1 : xor;
    byte[] mutated = Arrays.copyOf(envelope, envelope.length);
    mutated[pos] ^= delta;
    EnvelopeException e =
        assertThrows(EnvelopeException.class, () -> CIPHER.decrypt(mutated, AAD, KEY), "position " + pos);
    if (!armored && pos != FIRST_KIND) {
      assertNotEquals(EnvelopeException.Reason.WRONG_KEY, e.reason(), "position " + pos + " xor " + delta);
    }
  }
}
