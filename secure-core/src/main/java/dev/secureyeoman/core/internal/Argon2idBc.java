package dev.secureyeoman.core.internal;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The Bouncy Castle calls of {@link Argon2id}, in a class of their own so that it is loaded only after {@link
 * Argon2id} checked that Bouncy Castle is present (an optional dependency). Arguments are already validated.
 */
final class Argon2idBc {
  private Argon2idBc() {}

  static byte[] derive(
      byte[] password,
      byte[] salt,
      byte[] secret,
      byte[] associatedData,
      int memoryKiB,
      int iterations,
      int parallelism,
      int length) {
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
