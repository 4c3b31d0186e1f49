package dev.secureyeoman.sandbox;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Immutable set of resource limits for a sandboxed command. Each limit is applied as both the soft and the hard limit, so
 * the command cannot raise it again.
 *
 * <pre>{@code
 * ResourceLimits limits = ResourceLimits.builder().addressSpaceMiB(512).processes(64).cpuSeconds(10).build();
 * }</pre>
 */
public final class ResourceLimits {
  private static final ResourceLimits NONE = new ResourceLimits(new EnumMap<>(RlimitResource.class));

  private final Map<RlimitResource, Long> values;

  private ResourceLimits(EnumMap<RlimitResource, Long> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /**
   * Returns limits that set nothing.
   *
   * @return the empty set of limits
   */
  public static ResourceLimits none() {
    return NONE;
  }

  /**
   * A preset for untrusted short commands: 1 GiB address space, 128 processes, 60 CPU seconds, 256 open files, 256 MiB
   * files.
   *
   * @return the preset
   */
  public static ResourceLimits untrustedDefaults() {
    return builder()
        .addressSpaceMiB(1024)
        .processes(128)
        .cpuSeconds(60)
        .openFiles(256)
        .fileSizeBytes(256L * 1024 * 1024)
        .build();
  }

  /**
   * Starts a builder with no limits set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(new EnumMap<>(RlimitResource.class));
  }

  /**
   * Returns a builder holding these limits (each may be set again on it).
   *
   * @return a builder
   */
  public Builder toBuilder() {
    EnumMap<RlimitResource, Long> copy = new EnumMap<>(RlimitResource.class);
    copy.putAll(values);
    return new Builder(copy);
  }

  /**
   * Returns the limit for one resource.
   *
   * @param resource the resource
   * @return the limit, or empty when not limited
   */
  public OptionalLong get(RlimitResource resource) {
    Long v = values.get(Objects.requireNonNull(resource, "resource"));
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /**
   * Returns all limits that are set.
   *
   * @return an unmodifiable map, in {@link RlimitResource} order
   */
  public Map<RlimitResource, Long> asMap() {
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
    private final EnumMap<RlimitResource, Long> values;
    private final EnumMap<RlimitResource, Boolean> setHere = new EnumMap<>(RlimitResource.class);

    private Builder(EnumMap<RlimitResource, Long> values) {
      this.values = values;
    }

    /**
     * Sets a limit.
     *
     * @param resource the resource
     * @param value the limit, at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value < 1}
     * @throws IllegalStateException when the resource was already set on this builder
     */
    public Builder set(RlimitResource resource, long value) {
      Objects.requireNonNull(resource, "resource");
      if (value < 1) {
        throw new IllegalArgumentException(
            "limit " + resource.name().toLowerCase(java.util.Locale.ROOT) + " must be >= 1, got " + value);
      }
      if (setHere.put(resource, Boolean.TRUE) != null) {
        throw new IllegalStateException(
            "limit " + resource.name().toLowerCase(java.util.Locale.ROOT) + " was already set to "
                + values.get(resource));
      }
      values.put(resource, value);
      return this;
    }

    /**
     * Sets {@code RLIMIT_AS} in MiB.
     *
     * @param mib address space in MiB, at least 1
     * @return this builder
     */
    public Builder addressSpaceMiB(long mib) {
      if (mib < 1 || mib > Long.MAX_VALUE / (1024 * 1024)) {
        throw new IllegalArgumentException("limit address_space must be between 1 MiB and 2^43 MiB, got " + mib);
      }
      return set(RlimitResource.ADDRESS_SPACE, mib * 1024 * 1024);
    }

    /**
     * Sets {@code RLIMIT_CPU}.
     *
     * @param seconds CPU seconds, at least 1
     * @return this builder
     */
    public Builder cpuSeconds(long seconds) {
      return set(RlimitResource.CPU_SECONDS, seconds);
    }

    /**
     * Sets {@code RLIMIT_NPROC}.
     *
     * @param processes processes, at least 1
     * @return this builder
     */
    public Builder processes(long processes) {
      return set(RlimitResource.PROCESSES, processes);
    }

    /**
     * Sets {@code RLIMIT_NOFILE}.
     *
     * @param files open files, at least 1
     * @return this builder
     */
    public Builder openFiles(long files) {
      return set(RlimitResource.OPEN_FILES, files);
    }

    /**
     * Sets {@code RLIMIT_FSIZE}.
     *
     * @param bytes largest file size in bytes, at least 1
     * @return this builder
     */
    public Builder fileSizeBytes(long bytes) {
      return set(RlimitResource.FILE_SIZE, bytes);
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
