package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.Teardown;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runner prepared for one run before planning its launch.
 *
 * @param identity the host identity the run switches to (its own pool uid on a root host), or empty to keep the JVM's
 * @param containment the run's cgroups (or none)
 * @param seccompProgram the seccomp program for bwrap, or empty
 */
public record RunSetup(
    Optional<Identity> identity, Containment containment, Optional<byte[]> seccompProgram,
    Optional<String> workspaceSource) {
  /**
   * Validates the components.
   *
   * @param identity identity
   * @param containment containment
   * @param seccompProgram seccomp program
   * @param workspaceSource {@code /proc/<jvm>/fd/<n>} of the workspace directory the runner checked and holds open
   *     ({@link WorkspaceHandover#descriptorPath()}); backends bind that, never the workspace's path
   */
  public RunSetup {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(containment, "containment");
    Objects.requireNonNull(seccompProgram, "seccompProgram");
    Objects.requireNonNull(workspaceSource, "workspaceSource");
  }

  /**
   * A setup whose workspace (if any) is bound by path.
   *
   * @param identity identity
   * @param containment containment
   * @param seccompProgram seccomp program
   */
  public RunSetup(Optional<Identity> identity, Containment containment, Optional<byte[]> seccompProgram) {
    this(identity, containment, seccompProgram, Optional.empty());
  }

  /**
   * A setup for a probe launch: no cgroup, no seccomp.
   *
   * @param identity the identity
   * @param pidNamespace whether the backend has a pid namespace
   * @return the setup
   */
  public static RunSetup probe(Optional<Identity> identity, boolean pidNamespace) {
    return new RunSetup(
        identity, Containment.none(pidNamespace ? Teardown.PID_NAMESPACE : Teardown.PROCESS_TREE, Map.of()),
        Optional.empty());
  }
}
