package dev.secureyeoman.sandbox;

import dev.secureyeoman.core.config.SecurityConfig;
import java.util.List;
import java.util.Objects;

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
 * {@code require_isolation} is true.
 */
public final class SandboxSettings {
  private SandboxSettings() {}

  /**
   * Maps the configured backend.
   *
   * @param backend the configured value
   * @return the backend, or {@code null} for automatic
   */
  public static SandboxBackend backend(SecurityConfig.Sandbox.Backend backend) {
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
   * A runner builder with the configured backend.
   *
   * @param config {@code security.sandbox}
   * @return a builder (search path, clock and identity still settable)
   */
  public static NamespaceRunner.Builder runnerBuilder(SecurityConfig.Sandbox config) {
    Objects.requireNonNull(config, "security.sandbox");
    return NamespaceRunner.builder().backend(backend(config.backend()));
  }

  /**
   * A policy builder with the configured isolation requirement, network mode and timeout.
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
        .timeout(config.timeout());
  }
}
