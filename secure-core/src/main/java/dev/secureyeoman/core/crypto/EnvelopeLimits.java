package dev.secureyeoman.core.crypto;

/**
 * Bounds applied to every envelope <em>before</em> anything is allocated or derived from its header: an attacker who
 * can write a file must not make the reader allocate gigabytes or burn minutes in a KDF.
 *
 * <p>Defaults ({@link #DEFAULT}): 16 MiB per envelope, 16 recipients, Argon2id at most 1 GiB, 10 passes, 16 lanes.
 */
public final class EnvelopeLimits {

  /** The default bounds. */
  public static final EnvelopeLimits DEFAULT = new EnvelopeLimits(16 * 1024 * 1024, 16, 1024 * 1024, 10, 16);

  private final int maxEnvelopeBytes;
  private final int maxRecipients;
  private final int maxArgon2MemoryKiB;
  private final int maxArgon2Iterations;
  private final int maxArgon2Parallelism;

  private EnvelopeLimits(int maxEnvelopeBytes, int maxRecipients, int mem, int iter, int par) {
    this.maxEnvelopeBytes = maxEnvelopeBytes;
    this.maxRecipients = maxRecipients;
    this.maxArgon2MemoryKiB = mem;
    this.maxArgon2Iterations = iter;
    this.maxArgon2Parallelism = par;
  }

  /**
   * Starts a builder initialised with {@link #DEFAULT}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder(DEFAULT);
  }

  /**
   * Starts a builder initialised with these values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the largest envelope accepted (binary form).
   *
   * @return bytes
   */
  public int maxEnvelopeBytes() {
    return maxEnvelopeBytes;
  }

  /**
   * Returns the largest number of recipients accepted.
   *
   * @return recipients
   */
  public int maxRecipients() {
    return maxRecipients;
  }

  /**
   * Returns the largest Argon2id memory cost accepted on read.
   *
   * @return KiB
   */
  public int maxArgon2MemoryKiB() {
    return maxArgon2MemoryKiB;
  }

  /**
   * Returns the largest Argon2id time cost accepted on read.
   *
   * @return passes
   */
  public int maxArgon2Iterations() {
    return maxArgon2Iterations;
  }

  /**
   * Returns the largest Argon2id parallelism accepted on read.
   *
   * @return lanes
   */
  public int maxArgon2Parallelism() {
    return maxArgon2Parallelism;
  }

  @Override
  public String toString() {
    return "EnvelopeLimits[maxEnvelopeBytes=" + maxEnvelopeBytes + ", maxRecipients=" + maxRecipients
        + ", maxArgon2MemoryKiB=" + maxArgon2MemoryKiB + ", maxArgon2Iterations=" + maxArgon2Iterations
        + ", maxArgon2Parallelism=" + maxArgon2Parallelism + "]";
  }

  /** Validating builder. */
  public static final class Builder {
    private int maxEnvelopeBytes;
    private int maxRecipients;
    private int maxArgon2MemoryKiB;
    private int maxArgon2Iterations;
    private int maxArgon2Parallelism;

    private Builder(EnvelopeLimits from) {
      this.maxEnvelopeBytes = from.maxEnvelopeBytes;
      this.maxRecipients = from.maxRecipients;
      this.maxArgon2MemoryKiB = from.maxArgon2MemoryKiB;
      this.maxArgon2Iterations = from.maxArgon2Iterations;
      this.maxArgon2Parallelism = from.maxArgon2Parallelism;
    }

    /**
     * Sets the largest envelope accepted.
     *
     * @param bytes at least 128, at most 1 GiB
     * @return this builder
     */
    public Builder maxEnvelopeBytes(int bytes) {
      this.maxEnvelopeBytes = bytes;
      return this;
    }

    /**
     * Sets the largest number of recipients accepted.
     *
     * @param count 1..255
     * @return this builder
     */
    public Builder maxRecipients(int count) {
      this.maxRecipients = count;
      return this;
    }

    /**
     * Sets the largest Argon2id memory cost accepted on read.
     *
     * @param kib at least {@link Argon2idParameters#MIN_MEMORY_KIB}
     * @return this builder
     */
    public Builder maxArgon2MemoryKiB(int kib) {
      this.maxArgon2MemoryKiB = kib;
      return this;
    }

    /**
     * Sets the largest Argon2id time cost accepted on read.
     *
     * @param passes at least {@link Argon2idParameters#MIN_ITERATIONS}
     * @return this builder
     */
    public Builder maxArgon2Iterations(int passes) {
      this.maxArgon2Iterations = passes;
      return this;
    }

    /**
     * Sets the largest Argon2id parallelism accepted on read.
     *
     * @param lanes 1..255
     * @return this builder
     */
    public Builder maxArgon2Parallelism(int lanes) {
      this.maxArgon2Parallelism = lanes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the limits
     * @throws IllegalArgumentException naming the first value out of range
     */
    public EnvelopeLimits build() {
      check("maxEnvelopeBytes", maxEnvelopeBytes, 128, 1 << 30);
      check("maxRecipients", maxRecipients, 1, 255);
      check("maxArgon2MemoryKiB", maxArgon2MemoryKiB, Argon2idParameters.MIN_MEMORY_KIB,
          Argon2idParameters.MAX_MEMORY_KIB);
      check("maxArgon2Iterations", maxArgon2Iterations, Argon2idParameters.MIN_ITERATIONS,
          Argon2idParameters.MAX_ITERATIONS);
      check("maxArgon2Parallelism", maxArgon2Parallelism, 1, Argon2idParameters.MAX_PARALLELISM);
      return new EnvelopeLimits(
          maxEnvelopeBytes, maxRecipients, maxArgon2MemoryKiB, maxArgon2Iterations, maxArgon2Parallelism);
    }

    private static void check(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
      }
    }
  }
}
