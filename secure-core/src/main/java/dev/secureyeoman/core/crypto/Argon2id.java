package dev.secureyeoman.core.crypto;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** Argon2id (RFC 9106, version 0x13) through Bouncy Castle, with the id variant chosen explicitly. */
final class Argon2id {
  private Argon2id() {}

  static byte[] derive(byte[] passphrase, byte[] salt, int memoryKiB, int iterations, int parallelism, int length) {
    // Argon2Parameters.Builder() without an argument is Argon2i: pass ARGON2_id explicitly
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(passphrase, out);
    return out;
  }
}
