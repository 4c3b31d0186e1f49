package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.core.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jazzer fuzz tests of the envelope parser. Regression mode ({@code mvn test}) replays the committed inputs under
 * {@code src/test/resources/dev/secureyeoman/core/crypto/EnvelopeParserFuzzTestInputs/}; fuzz with
 * {@code ./mvnw -Pfuzz -pl secure-core test -Dtest='EnvelopeParserFuzzTest#arbitraryBytes'}.
 *
 * <p>Property: only {@link EnvelopeException} escapes, whatever the bytes; a mutated valid envelope never decrypts.
 */
class EnvelopeParserFuzzTest {
  private static final byte[] AAD = "fuzz".getBytes(StandardCharsets.US_ASCII);
  private static final RecipientKey KEY = RecipientKey.raw(SecretBytes.copyOf(new byte[32]));
  // small limits keep a fuzzed KDF cost cheap: MINIMUM is the largest cost a fuzzed header can ask for
  private static final EnvelopeCipher CIPHER =
      EnvelopeCipher.newBuilder()
          .limits(
              EnvelopeLimits.newBuilder()
                  .maxArgon2MemoryKiB(Argon2idParameters.MIN_MEMORY_KIB)
                  .maxArgon2Iterations(Argon2idParameters.MIN_ITERATIONS)
                  .maxArgon2Parallelism(1)
                  .maxEnvelopeBytes(64 * 1024)
                  .build())
          .build();
  private static final byte[] VALID =
      CIPHER.encrypt("security: {audit: {retention_days: 90}}".getBytes(StandardCharsets.UTF_8), AAD,
          java.util.List.of(KEY, RecipientKey.raw("second", SecretBytes.copyOf(new byte[32]))));

  @FuzzTest(maxDuration = "60s")
  void arbitraryBytes(byte @NotNull [] data) {
    try {
      CIPHER.inspect(data);
    } catch (EnvelopeException expected) {
      // documented outcome
    }
    try {
      CIPHER.decrypt(data, AAD, KEY);
    } catch (EnvelopeException expected) {
      // documented outcome
    }
    try {
      EnvelopeArmor.dearmor(data, CIPHER.limits());
    } catch (EnvelopeException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "60s")
  void mutatedValidEnvelope(int position, byte xor, boolean armored) {
    byte[] envelope = armored ? EnvelopeArmor.armor(VALID) : VALID.clone();
    int pos = Math.floorMod(position, envelope.length);
    byte delta = xor == 0 ? 1 : xor;
    byte[] mutated = Arrays.copyOf(envelope, envelope.length);
    mutated[pos] ^= delta;
    assertThrows(EnvelopeException.class, () -> CIPHER.decrypt(mutated, AAD, KEY), "position " + pos);
  }
}
