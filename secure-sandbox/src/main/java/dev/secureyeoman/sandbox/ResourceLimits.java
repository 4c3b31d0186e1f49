package dev.secureyeoman.sandbox;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Immutable set of resource limits for a sandboxed run. Which kernel mechanism enforces each one is described on
 * {@link ResourceLimit}; the run's {@link SandboxReport} lists what was really applied.
 *
 * <pre>{@code
 * ResourceLimits limits = ResourceLimits.builder().memoryMiB(256).processes(64).cpuSeconds(10).build();
 * }</pre>
 */
public final class ResourceLimits {
  private static final ResourceLimits NONE = new ResourceLimits(new EnumMap<>(ResourceLimit.class));
  private static final long MIB = 1024L * 1024;

  private final Map<ResourceLimit, Long> values;

  private ResourceLimits(EnumMap<ResourceLimit, Long> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /**
   * Returns limits that set nothing. A run without limits can use all memory, processes and CPU of the host; the
   * runner says so in the report's warnings.
   *
   * @return the empty set of limits
   */
  public static ResourceLimits none() {
    return NONE;
  }

  /**
   * A preset for untrusted short commands: 512 MiB of memory for the whole run (tmpfs pages included), 128 processes,
   * 60 CPU seconds, 128 MiB each for {@code /tmp} and {@code /dev/shm}, 256 open files, 256 MiB files. The CLI's
   * {@code sandbox run} starts from it.
   *
   * @return the preset
   */
  public static ResourceLimits untrustedDefaults() {
    return builder()
        .memoryMiB(512)
        .processes(128)
        .cpuSeconds(60)
        .tmpSizeMiB(128)
        .openFiles(256)
        .fileSizeBytes(256 * MIB)
        .build();
  }

  /**
   * Starts a builder with no limits set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(new EnumMap<>(ResourceLimit.class));
  }

  /**
   * Returns a builder holding these limits (each may be set again on it once).
   *
   * @return a builder
   */
  public Builder toBuilder() {
    EnumMap<ResourceLimit, Long> copy = new EnumMap<>(ResourceLimit.class);
    copy.putAll(values);
    return new Builder(copy);
  }

  /**
   * Returns the limit for one resource.
   *
   * @param resource the resource
   * @return the limit, or empty when not limited
   */
  public OptionalLong get(ResourceLimit resource) {
    Long v = values.get(Objects.requireNonNull(resource, "resource"));
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /**
   * Returns all limits that are set.
   *
   * @return an unmodifiable map, in {@link ResourceLimit} order
   */
  public Map<ResourceLimit, Long> asMap() {
    return values;
  }

  /**
   * Tells whether no limit is set.
   *
   * @return {@code true} when empty
   */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceLimits && ((ResourceLimits) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "ResourceLimits" + values;
  }

  /** Validating builder; each resource may be set once per builder. */
  public static final class Builder {
    private final EnumMap<ResourceLimit, Long> values;
    private final EnumMap<ResourceLimit, Boolean> setHere = new EnumMap<>(ResourceLimit.class);

    private Builder(EnumMap<ResourceLimit, Long> values) {
      this.values = values;
    }

    private static String name(ResourceLimit r) {
      return r.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Sets a limit in the resource's unit (bytes, processes, seconds, millicores).
     *
     * @param resource the resource
     * @param value the limit, at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value < 1}
     * @throws IllegalStateException when the resource was already set on this builder
     */
    public Builder set(ResourceLimit resource, long value) {
      Objects.requireNonNull(resource, "resource");
      if (value < 1) {
        throw new IllegalArgumentException("limit " + name(resource) + " must be >= 1, got " + value);
      }
      if (resource == ResourceLimit.CPU_QUOTA && value < 10) {
        throw new IllegalArgumentException("limit cpu_quota must be >= 10 millicores, got " + value);
      }
      if (setHere.put(resource, Boolean.TRUE) != null) {
        throw new IllegalStateException("limit " + name(resource) + " was already set to " + values.get(resource));
      }
      values.put(resource, value);
      return this;
    }

    private Builder mebibytes(ResourceLimit resource, long mib) {
      if (mib < 1 || mib > Long.MAX_VALUE / MIB) {
        throw new IllegalArgumentException("limit " + name(resource) + " must be between 1 MiB and 2^43 MiB, got " + mib);
      }
      return set(resource, mib * MIB);
    }

    /**
     * Limits the memory of the whole run, tmpfs pages included ({@link ResourceLimit#MEMORY}).
     *
     * @param mib MiB, at least 1
     * @return this builder
     */
    public Builder memoryMiB(long mib) {
      return mebibytes(ResourceLimit.MEMORY, mib);
    }

    /**
     * Limits processes and threads ({@link ResourceLimit#PROCESSES}).
     *
     * @param processes at least 1
     * @return this builder
     */
    public Builder processes(long processes) {
      return set(ResourceLimit.PROCESSES, processes);
    }

    /**
     * Limits CPU time ({@link ResourceLimit#CPU_SECONDS}).
     *
     * @param seconds at least 1
     * @return this builder
     */
    public Builder cpuSeconds(long seconds) {
      return set(ResourceLimit.CPU_SECONDS, seconds);
    }

    /**
     * Limits CPU bandwidth ({@link ResourceLimit#CPU_QUOTA}).
     *
     * @param millicores at least 10; 1000 is one CPU
     * @return this builder
     */
    public Builder cpuQuotaMillicores(long millicores) {
      return set(ResourceLimit.CPU_QUOTA, millicores);
    }

    /**
     * Sizes the private {@code /tmp} and {@code /dev/shm} ({@link ResourceLimit#TMP_SIZE}).
     *
     * @param mib MiB, at least 1
     * @return this builder
     */
    public Builder tmpSizeMiB(long mib) {
      return mebibytes(ResourceLimit.TMP_SIZE, mib);
    }

    /**
     * Sets {@code RLIMIT_AS} in MiB ({@link ResourceLimit#ADDRESS_SPACE}).
     *
     * @param mib address space in MiB, at least 1
     * @return this builder
     */
    public Builder addressSpaceMiB(long mib) {
      return mebibytes(ResourceLimit.ADDRESS_SPACE, mib);
    }

    /**
     * Sets {@code RLIMIT_NOFILE}.
     *
     * @param files open files, at least 1
     * @return this builder
     */
    public Builder openFiles(long files) {
      return set(ResourceLimit.OPEN_FILES, files);
    }

    /**
     * Sets {@code RLIMIT_FSIZE}.
     *
     * @param bytes largest file size in bytes, at least 1
     * @return this builder
     */
    public Builder fileSizeBytes(long bytes) {
      return set(ResourceLimit.FILE_SIZE, bytes);
    }

    /**
     * Builds the immutable limits.
     *
     * @return the limits
     */
    public ResourceLimits build() {
      return values.isEmpty() ? NONE : new ResourceLimits(values);
    }
  }
}
