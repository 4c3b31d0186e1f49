package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.SeccompMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Builds an unisolated launch ({@link SandboxBackend#NONE}): cleared environment and rlimits only. */
public final class DirectPlanner {
  private final Optional<Path> prlimit;
  private final Optional<Path> setpriv;
  private final Path defaultDirectory;
  private final Optional<Identity> identity;
  private final int hostUid;

  /**
   * Creates a planner.
   *
   * @param prlimit util-linux prlimit when found
   * @param setpriv util-linux setpriv when found (parent-death signal)
   * @param defaultDirectory working directory when the policy has no workspace
   * @param identity host identity to switch to (needs setpriv), or empty to keep the caller's
   * @param callerUid the JVM's effective uid
   */
  public DirectPlanner(
      Optional<Path> prlimit,
      Optional<Path> setpriv,
      Path defaultDirectory,
      Optional<Identity> identity,
      int callerUid) {
    if (identity.isPresent() && setpriv.isEmpty()) {
      throw new IllegalArgumentException("setpriv is required to run as " + identity.get());
    }
    this.identity = identity;
    this.hostUid = identity.map(Identity::uid).orElse(callerUid);
    this.prlimit = prlimit;
    this.setpriv = setpriv;
    this.defaultDirectory = defaultDirectory;
  }

  /**
   * Plans one run.
   *
   * @param policy the policy
   * @param skipped backends skipped before this one
   * @param warnings warnings so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(SandboxPolicy policy, Map<SandboxBackend, String> skipped, List<String> warnings) {
    List<String> a = new ArrayList<>();
    if (setpriv.isPresent()) {
      a.add(setpriv.get().toString());
      a.add("--pdeathsig");
      a.add("KILL");
      identity.ifPresent(id -> id.appendSetprivOptions(a));
      a.add("--");
    }
    ResourceLimits appliedLimits = Prlimit.wrap(a, prlimit, policy.limits());
    a.addAll(policy.command());
    warnings.add("NO ISOLATION: the command runs with the host's namespaces, file system and network");
    if (policy.seccomp()) {
      warnings.add("seccomp not applied by the NONE backend");
    }
    Path dir = policy.workspace().orElse(defaultDirectory);
    SandboxReport report =
        new SandboxReport(
            SandboxBackend.NONE,
            hostUid,
            Set.of(),
            false,
            false,
            false,
            SeccompMode.NONE,
            false,
            OptionalInt.empty(),
            ExecRestriction.NONE,
            dev.secureyeoman.sandbox.NetworkMode.HOST,
            appliedLimits,
            dir.toString(),
            skipped,
            warnings);
    return new LaunchPlan(a, dir, policy.environment(), report, ThreadSetup.NONE);
  }
}
