package dev.secureyeoman.sandbox;

import dev.secureyeoman.core.config.SecurityConfig;
import dev.secureyeoman.sandbox.internal.Identity;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Adapter from the validated {@code security.sandbox} configuration ({@link SecurityConfig.Sandbox}) to a runner and
 * policies.
 *
 * <pre>{@code
 * SecurityConfig.Sandbox cfg = config.sandbox();
 * NamespaceRunner runner = SandboxSettings.runnerBuilder(cfg).build();
 * SandboxResult r = runner.run(SandboxSettings.policyBuilder(cfg, List.of("/usr/bin/id")).build());
 * }</pre>
 *
 * <p>Mapping: {@code backend: auto} probes the chain; {@code bwrap} forces {@link SandboxBackend#BWRAP}; {@code unshare}
 * and {@code landlock} force {@link SandboxBackend#UNSHARE_LANDLOCK}, which uses namespaces when it can and its Landlock
 * mode otherwise (the report says which); {@code none} forces {@link SandboxBackend#NONE}, which is still refused while
 * {@code require_isolation} is true. {@code limits} become the policy's {@link ResourceLimits} (0 = not limited; the
 * defaults are {@link ResourceLimits#untrustedDefaults()}), {@code uid_range} the runner's identity pool, and a
 * non-empty {@code cgroup_parent} the runner's delegated cgroup.
 */
public final class SandboxSettings {
  private static final long MIB = 1024L * 1024;

  private SandboxSettings() {}

  /**
   * Maps the configured backend.
   *
   * @param backend the configured value
   * @return the backend, or {@code null} for automatic
   */
  public static @Nullable SandboxBackend backend(SecurityConfig.Sandbox.Backend backend) {
    switch (Objects.requireNonNull(backend, "security.sandbox.backend")) {
      case BWRAP:
        return SandboxBackend.BWRAP;
      case UNSHARE:
      case LANDLOCK:
        return SandboxBackend.UNSHARE_LANDLOCK;
      case NONE:
        return SandboxBackend.NONE;
      default:
        return null;
    }
  }

  /**
   * Maps the configured limits (0 = not limited). A negative value, or a size whose bytes do not fit a {@code long}, is
   * refused: it must never read as "not limited" or wrap to another limit (a {@link SecurityConfig.Sandbox.Limits}
   * built in code skips the configuration's validation).
   *
   * @param limits {@code security.sandbox.limits}
   * @return the limits
   * @throws IllegalArgumentException naming the key when a value is negative or too large
   */
  public static ResourceLimits limits(SecurityConfig.Sandbox.Limits limits) {
    Objects.requireNonNull(limits, "security.sandbox.limits");
    ResourceLimits.Builder b = ResourceLimits.builder();
    if (checked("memory_mb", limits.memoryMb(), MIB) > 0) {
      b.memoryMiB(limits.memoryMb());
    }
    if (checked("processes", limits.processes(), 1) > 0) {
      b.processes(limits.processes());
    }
    if (checked("cpu_seconds", limits.cpuSeconds(), 1_000_000_000L) > 0) {
      b.cpuSeconds(limits.cpuSeconds());
    }
    if (checked("tmp_size_mb", limits.tmpSizeMb(), MIB) > 0) {
      b.tmpSizeMiB(limits.tmpSizeMb());
    }
    if (checked("open_files", limits.openFiles(), 1) > 0) {
      b.openFiles(limits.openFiles());
    }
    if (checked("file_size_mb", limits.fileSizeMb(), MIB) > 0) {
      b.fileSizeBytes(limits.fileSizeMb() * MIB);
    }
    return b.build();
  }

  /** The value when it is 0 or positive and {@code value * unit} fits a long (bytes, nanoseconds). */
  private static long checked(String key, long value, long unit) {
    if (value < 0 || value > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException(
          "security.sandbox.limits." + key + " must be 0 (not limited) or between 1 and " + Long.MAX_VALUE / unit
              + ", got " + value);
    }
    return value;
  }

  /**
   * A runner builder with the configured backend, identity pool (used when the JVM runs as root) and cgroup parent.
   *
   * @param config {@code security.sandbox}
   * @return a builder (search path, clock and probe cache still settable)
   */
  public static NamespaceRunner.Builder runnerBuilder(SecurityConfig.Sandbox config) {
    Objects.requireNonNull(config, "security.sandbox");
    NamespaceRunner.Builder b = NamespaceRunner.builder().backend(backend(config.backend()));
    if (Identity.currentEffectiveUid() == 0) {
      b.identityPool(config.uidRange().first(), config.uidRange().count());
    }
    if (!config.cgroupParent().isEmpty()) {
      b.cgroupParent(Path.of(config.cgroupParent()));
    }
    return b;
  }

  /**
   * A policy builder with the configured isolation requirement, network mode, timeout and limits.
   *
   * @param config {@code security.sandbox}
   * @param command program and arguments
   * @return a builder; the configured options are set, so setting them again throws
   */
  public static SandboxPolicy.Builder policyBuilder(SecurityConfig.Sandbox config, List<String> command) {
    Objects.requireNonNull(config, "security.sandbox");
    return SandboxPolicy.builder(command)
        .requireIsolation(config.requireIsolation())
        .network(config.network() == SecurityConfig.Sandbox.Network.HOST ? NetworkMode.HOST : NetworkMode.NONE)
        .timeout(config.timeout())
        .limits(limits(config.limits()));
  }
}
