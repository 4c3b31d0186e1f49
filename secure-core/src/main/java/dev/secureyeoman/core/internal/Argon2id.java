package dev.secureyeoman.core.internal;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106, version 0x13) through Bouncy Castle: the one place in the SDK where Bouncy Castle's Argon2 is
 * configured, with the {@code id} variant chosen explicitly ({@code Argon2Parameters.Builder()} without an argument
 * would be Argon2i). Used for passphrase keys of envelopes and for password hashes in secure-auth.
 *
 * <p>Callers bound the cost parameters before calling: an attacker-chosen cost is a denial of service.
 */
public final class Argon2id {
  private Argon2id() {}

  /**
   * Derives {@code length} bytes.
   *
   * @param password the password or passphrase bytes (not retained; the caller wipes them)
   * @param salt the salt
   * @param memoryKiB memory cost in KiB
   * @param iterations time cost
   * @param parallelism lanes
   * @param length output length in bytes
   * @return the derived bytes
   */
  public static byte[] derive(
      byte[] password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length) {
    return derive(password, salt, null, null, memoryKiB, iterations, parallelism, length);
  }

  /**
   * Derives {@code length} bytes with the optional secret (K) and associated data (X) inputs of RFC 9106.
   *
   * @param password the password or passphrase bytes (not retained; the caller wipes them)
   * @param salt the salt
   * @param secret optional secret value K, or {@code null}
   * @param associatedData optional associated data X, or {@code null}
   * @param memoryKiB memory cost in KiB (at least 8 × parallelism)
   * @param iterations time cost (at least 1)
   * @param parallelism lanes (at least 1)
   * @param length output length in bytes (at least 4)
   * @return the derived bytes
   * @throws IllegalArgumentException if an input is missing or a parameter is out of range
   */
  public static byte[] derive(
      byte[] password,
      byte[] salt,
      byte[] secret,
      byte[] associatedData,
      int memoryKiB,
      int iterations,
      int parallelism,
      int length) {
    if (password == null || salt == null) {
      throw new IllegalArgumentException("password and salt must not be null");
    }
    if (parallelism < 1 || iterations < 1 || length < 4 || memoryKiB < 8 * parallelism) {
      throw new IllegalArgumentException(
          "Argon2id needs parallelism >= 1, iterations >= 1, length >= 4 and memoryKiB >= 8 * parallelism");
    }
    Argon2Parameters.Builder b =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt);
    if (secret != null) {
      b.withSecret(secret);
    }
    if (associatedData != null) {
      b.withAdditional(associatedData);
    }
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(b.build());
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }
}
