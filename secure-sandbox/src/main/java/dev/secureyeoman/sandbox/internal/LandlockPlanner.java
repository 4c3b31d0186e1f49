package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.SeccompMode;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import dev.secureyeoman.sandbox.landlock.LandlockException;
import dev.secureyeoman.sandbox.seccomp.SeccompException;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import dev.secureyeoman.sandbox.seccomp.SocketDomain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The namespace-less mode of {@link SandboxBackend#UNSHARE_LANDLOCK}, for hosts that deny user namespaces: the run's own
 * thread applies a Landlock ruleset (writes only to the workspace; execution limited to the exec allowlist when one is
 * given) and then the default seccomp allow-list (socket families limited by the network mode), and the process inherits
 * both. There is no pid, mount or network namespace: {@link NetworkMode#NONE} is enforced by refusing {@code
 * socket(AF_INET/AF_INET6/AF_NETLINK)}.
 */
public final class LandlockPlanner {
  private final Path setpriv;
  private final Optional<Path> prlimit;
  private final Path defaultDirectory;
  private final Optional<Identity> identity;
  private final int hostUid;
  private final int abi;

  /**
   * Creates a planner.
   *
   * @param setpriv util-linux setpriv (parent-death signal, identity switch)
   * @param prlimit util-linux prlimit when found
   * @param defaultDirectory working directory when the policy has no workspace
   * @param identity host identity to switch to, or empty
   * @param callerUid the JVM's effective uid
   * @param abi the kernel's Landlock ABI
   */
  public LandlockPlanner(
      Path setpriv, Optional<Path> prlimit, Path defaultDirectory, Optional<Identity> identity, int callerUid, int abi) {
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.defaultDirectory = defaultDirectory;
    this.identity = identity;
    this.hostUid = identity.map(Identity::uid).orElse(callerUid);
    this.abi = abi;
  }

  /**
   * Tells why a policy cannot run in this mode.
   *
   * @param policy the policy
   * @return the reason, or empty when it can
   */
  public Optional<String> unsupported(SandboxPolicy policy) {
    if (!policy.seccomp()) {
      return Optional.of("the policy disables seccomp, which this mode needs to enforce the network mode");
    }
    if (!policy.hiddenPaths().isEmpty() || !policy.readOnlyBinds().isEmpty()) {
      return Optional.of("hidden paths and read-only binds need a mount namespace");
    }
    return Optional.empty();
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
    a.add(setpriv.toString());
    a.add("--pdeathsig");
    a.add("KILL");
    identity.ifPresent(id -> id.appendSetprivOptions(a));
    a.add("--");
    ResourceLimits appliedLimits = Prlimit.wrap(a, prlimit, policy.limits());
    a.addAll(policy.command());

    ExecAllowlist.Builder lb = ExecAllowlist.builder();
    if (policy.execAllowlist().isEmpty()) {
      lb.allowExecute(Path.of("/"));
    } else {
      lb.allowExecute(policy.execAllowlist().toArray(new Path[0]));
      lb.allowExecute(setpriv);
      if (!appliedLimits.isEmpty()) {
        lb.allowExecute(prlimit.get());
      }
    }
    policy.workspace().ifPresent(lb::allowWrite);
    ExecAllowlist landlock = lb.build();
    Set<SocketDomain> domains = EnumSet.noneOf(SocketDomain.class);
    if (policy.unixSockets()) {
      domains.add(SocketDomain.UNIX);
    }
    if (policy.network() == NetworkMode.HOST) {
      domains.addAll(EnumSet.of(SocketDomain.INET, SocketDomain.INET6, SocketDomain.NETLINK));
    }
    SeccompFilter filter = SeccompProfiles.defaultAllowList(domains);
    ThreadSetup setup =
        () -> {
          try {
            landlock.applyToCurrentThread();
            filter.applyToCurrentThread();
          } catch (LandlockException | SeccompException e) {
            throw new SandboxException("could not restrict the sandbox thread: " + e.getMessage(), e);
          }
        };
    warnings.add(
        "no namespaces (user namespaces unavailable): host processes are visible; writes are limited by Landlock to the"
            + " workspace; the network mode is enforced by seccomp socket-family rules");
    Path dir = policy.workspace().orElse(defaultDirectory);
    SandboxReport report =
        new SandboxReport(
            SandboxBackend.UNSHARE_LANDLOCK,
            hostUid,
            Set.of(),
            identity.isPresent(),
            false,
            false,
            SeccompMode.FILTER,
            !policy.unixSockets(),
            OptionalInt.of(abi),
            policy.execAllowlist().isEmpty() ? ExecRestriction.NONE : ExecRestriction.LANDLOCK,
            policy.network(),
            appliedLimits,
            dir.toString(),
            skipped,
            warnings);
    return new LaunchPlan(a, dir, policy.environment(), report, setup);
  }
}
