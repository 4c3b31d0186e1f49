package dev.secureyeoman.core.crypto;

/**
 * Cost parameters of the Argon2id passphrase KDF (RFC 9106, version 0x13). They are stored in each passphrase
 * recipient of an envelope, so a file written with stronger parameters stays readable; readers bound them with
 * {@link EnvelopeLimits} before deriving.
 *
 * <p>Immutable. Build with {@link #builder()} or use a preset: {@link #DEFAULT} (RFC 9106 second recommended option:
 * 64 MiB, 3 passes, 4 lanes) or {@link #MINIMUM} (OWASP floor: 19 MiB, 2 passes, 1 lane). Weaker settings are refused.
 */
public final class Argon2idParameters {

  /** Smallest memory accepted, in KiB (19 MiB, OWASP 2024). */
  public static final int MIN_MEMORY_KIB = 19 * 1024;

  /** Smallest number of passes accepted. */
  public static final int MIN_ITERATIONS = 2;

  /** Largest memory the format can express here, in KiB (4 GiB). */
  public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;

  /** Largest number of passes accepted when writing. */
  public static final int MAX_ITERATIONS = 100;

  /** Largest number of lanes (one byte in the format). */
  public static final int MAX_PARALLELISM = 255;

  /** 64 MiB, t = 3, p = 4 (RFC 9106 §4, second recommended option). */
  public static final Argon2idParameters DEFAULT = new Argon2idParameters(64 * 1024, 3, 4);

  /** 19 MiB, t = 2, p = 1 (the OWASP minimum; the weakest setting this library writes). */
  public static final Argon2idParameters MINIMUM = new Argon2idParameters(MIN_MEMORY_KIB, 2, 1);

  private final int memoryKiB;
  private final int iterations;
  private final int parallelism;

  private Argon2idParameters(int memoryKiB, int iterations, int parallelism) {
    this.memoryKiB = memoryKiB;
    this.iterations = iterations;
    this.parallelism = parallelism;
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
   * Returns the memory cost.
   *
   * @return memory in KiB
   */
  public int memoryKiB() {
    return memoryKiB;
  }

  /**
   * Returns the time cost.
   *
   * @return number of passes
   */
  public int iterations() {
    return iterations;
  }

  /**
   * Returns the degree of parallelism.
   *
   * @return number of lanes
   */
  public int parallelism() {
    return parallelism;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Argon2idParameters p
        && p.memoryKiB == memoryKiB
        && p.iterations == iterations
        && p.parallelism == parallelism;
  }

  @Override
  public int hashCode() {
    return (memoryKiB * 31 + iterations) * 31 + parallelism;
  }

  @Override
  public String toString() {
    return "Argon2id[m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism + "]";
  }

  /** Validating builder; each value is checked when {@link #build()} is called. */
  public static final class Builder {
    private int memoryKiB;
    private int iterations;
    private int parallelism;

    private Builder(Argon2idParameters from) {
      this.memoryKiB = from.memoryKiB;
      this.iterations = from.iterations;
      this.parallelism = from.parallelism;
    }

    /**
     * Sets the memory cost.
     *
     * @param kib memory in KiB, {@value #MIN_MEMORY_KIB}..{@value #MAX_MEMORY_KIB}
     * @return this builder
     */
    public Builder memoryKiB(int kib) {
      this.memoryKiB = kib;
      return this;
    }

    /**
     * Sets the time cost.
     *
     * @param passes number of passes, {@value #MIN_ITERATIONS}..{@value #MAX_ITERATIONS}
     * @return this builder
     */
    public Builder iterations(int passes) {
      this.iterations = passes;
      return this;
    }

    /**
     * Sets the parallelism.
     *
     * @param lanes number of lanes, 1..{@value #MAX_PARALLELISM}
     * @return this builder
     */
    public Builder parallelism(int lanes) {
      this.parallelism = lanes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the parameters
     * @throws IllegalArgumentException naming the first value out of range
     */
    public Argon2idParameters build() {
      if (memoryKiB < MIN_MEMORY_KIB || memoryKiB > MAX_MEMORY_KIB) {
        throw new IllegalArgumentException(
            "memoryKiB must be in [" + MIN_MEMORY_KIB + ", " + MAX_MEMORY_KIB + "], was " + memoryKiB);
      }
      if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new IllegalArgumentException(
            "iterations must be in [" + MIN_ITERATIONS + ", " + MAX_ITERATIONS + "], was " + iterations);
      }
      if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
        throw new IllegalArgumentException("parallelism must be in [1, " + MAX_PARALLELISM + "], was " + parallelism);
      }
      if (memoryKiB < 8 * parallelism) {
        throw new IllegalArgumentException("memoryKiB must be at least 8 * parallelism (RFC 9106), was " + memoryKiB);
      }
      return new Argon2idParameters(memoryKiB, iterations, parallelism);
    }
  }
}
