package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.secureyeoman.auth.PasswordHashParameters;
import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.core.SecretBytes;
import java.time.Instant;

/** Jazzer fuzz tests of every parser in secure-auth: PHC strings, access tokens, Base32, recovery codes. */
class AuthParsersFuzzTest {
  private static final JwtCodec JWT = new JwtCodec("secureyeoman");

  static {
    JWT.put("k1", SecretBytes.copyOf(new byte[32]));
  }

  @FuzzTest(maxDuration = "30s")
  void phcParse_neverThrows_andBoundsHold(@NotNull String s) {
    Argon2idPasswordHasher.Phc.parse(s)
        .ifPresent(
            p -> {
              assertTrue(p.memoryKiB() <= PasswordHashParameters.MAX_MEMORY_KIB);
              assertTrue(p.iterations() >= 1 && p.iterations() <= PasswordHashParameters.MAX_ITERATIONS);
              assertTrue(p.parallelism() >= 1 && p.parallelism() <= 16);
              assertTrue(p.hash().length >= 16 && p.hash().length <= 64);
            });
  }

  @FuzzTest(maxDuration = "30s")
  void jwtVerify_onlyRejectsOrAccepts(@NotNull String token) {
    try {
      JWT.verify(token, Instant.EPOCH);
    } catch (JwtCodec.Rejected expected) {
      // the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "30s")
  void base32_decodeThenEncode_isStable(@NotNull String s) {
    byte[] b;
    try {
      b = Base32.decode(s);
    } catch (IllegalArgumentException expected) {
      return;
    }
    assertArrayEquals(b, Base32.decode(Base32.encode(b)));
  }

  @FuzzTest(maxDuration = "30s")
  void recoveryCode_normalizeIsCanonical(@NotNull String s) {
    String n = SecondFactor.normalizeRecoveryCode(s);
    if (n != null) {
      assertTrue(n.matches("[A-Z2-7]{24}"));
      assertTrue(n.equals(SecondFactor.normalizeRecoveryCode(n)));
    }
  }
}
