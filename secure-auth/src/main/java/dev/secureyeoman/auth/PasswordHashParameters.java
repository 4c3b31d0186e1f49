package dev.secureyeoman.auth;

/**
 * Argon2id cost parameters (RFC 9106). Stored with every hash in PHC format, so raising them later triggers a rehash at
 * the user's next successful login.
 *
 * @param memoryKiB memory in KiB, 8·parallelism to {@link #MAX_MEMORY_KIB}
 * @param iterations passes over memory, 1 to {@link #MAX_ITERATIONS}
 * @param parallelism lanes, 1 to 16
 * @param saltLength salt bytes, 16 to 64
 * @param hashLength output bytes, 16 to 64
 */
public record PasswordHashParameters(int memoryKiB, int iterations, int parallelism, int saltLength, int hashLength) {

  /** Upper bound on memory accepted from parameters or stored hashes (1 GiB): attacker-chosen cost is a DoS. */
  public static final int MAX_MEMORY_KIB = 1 << 20;

  /** Upper bound on iterations accepted from parameters or stored hashes. */
  public static final int MAX_ITERATIONS = 64;

  /** Validates the ranges. */
  public PasswordHashParameters {
    if (parallelism < 1 || parallelism > 16) {
      throw new IllegalArgumentException("parallelism must be in [1, 16], got " + parallelism);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "memoryKiB must be in [8*parallelism, " + MAX_MEMORY_KIB + "], got " + memoryKiB);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be in [1, " + MAX_ITERATIONS + "], got " + iterations);
    }
    if (saltLength < 16 || saltLength > 64) {
      throw new IllegalArgumentException("saltLength must be in [16, 64], got " + saltLength);
    }
    if (hashLength < 16 || hashLength > 64) {
      throw new IllegalArgumentException("hashLength must be in [16, 64], got " + hashLength);
    }
  }

  /**
   * The default: m = 19 MiB, t = 2, p = 1 (OWASP's Argon2id baseline), 16-byte salt, 32-byte hash.
   *
   * @return the default parameters
   */
  public static PasswordHashParameters defaults() {
    return new PasswordHashParameters(19 * 1024, 2, 1, 16, 32);
  }

  /**
   * Whether a hash made with {@code stored} is weaker than one made with these parameters in any dimension.
   *
   * @param stored parameters read from a stored hash
   * @return true if the stored hash should be recomputed
   */
  public boolean isStrongerThan(PasswordHashParameters stored) {
    return memoryKiB > stored.memoryKiB
        || iterations > stored.iterations
        || parallelism > stored.parallelism
        || hashLength > stored.hashLength
        || saltLength > stored.saltLength;
  }
}
