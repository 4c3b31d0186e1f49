package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import dev.secureyeoman.sandbox.landlock.LandlockException;
import dev.secureyeoman.sandbox.seccomp.SeccompException;
import dev.secureyeoman.sandbox.seccomp.ArgCondition;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SyscallRule;
import dev.secureyeoman.sandbox.seccomp.SocketDomain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private final Path shell;
  private final Optional<Path> prlimit;
  private final Path defaultDirectory;
  private final int callerUid;
  private final int abi;
  private final SeccompSupport seccomp;

  /**
   * Creates a planner.
   *
   * @param setpriv util-linux setpriv (parent-death signal, identity switch)
   * @param shell {@code /bin/sh} for the launcher script that joins the run's cgroups
   * @param prlimit util-linux prlimit when found
   * @param defaultDirectory working directory when the policy has no workspace
   * @param callerUid the JVM's effective uid
   * @param abi the kernel's Landlock ABI
   * @param seccomp source of the seccomp filters
   */
  public LandlockPlanner(
      Path setpriv,
      Path shell,
      Optional<Path> prlimit,
      Path defaultDirectory,
      int callerUid,
      int abi,
      SeccompSupport seccomp) {
    this.setpriv = setpriv;
    this.shell = shell;
    this.prlimit = prlimit;
    this.defaultDirectory = defaultDirectory;
    this.callerUid = callerUid;
    this.abi = abi;
    this.seccomp = seccomp;
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
   * Tells whether runs of this policy can join cgroups: the launcher is a shell script, which an exec allowlist
   * enforced by Landlock would have to allow (and with it every shell script the command writes).
   *
   * @param policy the policy
   * @return whether the launcher may run
   */
  public static boolean canJoinCgroups(SandboxPolicy policy) {
    return policy.execAllowlist().isEmpty();
  }

  /**
   * Plans one run.
   *
   * @param policy the policy
   * @param setup identity and cgroups of the run
   * @param skipped backends skipped before this one
   * @param warnings warnings so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(
      SandboxPolicy policy, RunSetup setup, Map<SandboxBackend, String> skipped, List<String> warnings) {
    SandboxReport.Builder report = SandboxReport.builder(SandboxBackend.UNSHARE_LANDLOCK);
    List<String> tail = new ArrayList<>();
    Prlimit.apply(tail, prlimit, policy.limits(), setup.containment(), false, report, warnings);
    List<String> a = new ArrayList<>();
    a.addAll(Launcher.prefix(shell, setup.containment().joinFiles()));
    a.add(setpriv.toString());
    a.add("--pdeathsig");
    a.add("KILL");
    setup.identity().ifPresent(id -> id.appendSetprivOptions(a));
    a.add("--");
    a.addAll(tail);
    a.addAll(policy.command());

    ExecAllowlist.Builder lb = ExecAllowlist.builder();
    if (policy.execAllowlist().isEmpty()) {
      lb.allowExecute(Path.of("/"));
    } else {
      lb.allowExecute(policy.execAllowlist().toArray(new Path[0]));
      lb.allowExecute(setpriv);
      if (!tail.isEmpty()) {
        lb.allowExecute(prlimit.orElseThrow());
      }
    }
    // the checked directory through the runner's descriptor, not the path (which a racing process could swap)
    policy.workspace().ifPresent(ws -> lb.allowWrite(setup.workspaceSource().map(Path::of).orElse(ws)));
    // the launcher (still the JVM's user) writes its pid there; the run's uid cannot write these root-owned files
    for (Path join : setup.containment().joinFiles()) {
      lb.allowWrite(join);
    }
    ExecAllowlist landlock = lb.build();
    Set<SocketDomain> domains = EnumSet.noneOf(SocketDomain.class);
    if (policy.unixSockets()) {
      domains.add(SocketDomain.UNIX);
    }
    if (policy.network() == NetworkMode.HOST) {
      domains.addAll(EnumSet.of(SocketDomain.INET, SocketDomain.INET6, SocketDomain.NETLINK));
    }
    SeccompFilter base = seccomp.filterFor(policy, domains);
    SeccompFilter filter = policy.execAllowlist().isEmpty() ? base : withoutExecutableMemfds(base);
    ThreadSetup threadSetup =
        () -> {
          try {
            landlock.applyToCurrentThread();
            filter.applyToCurrentThread();
          } catch (LandlockException | SeccompException e) {
            throw new SandboxException(
                SandboxException.Reason.LAUNCH_FAILED, "could not restrict the sandbox thread: " + e.getMessage(), e);
          }
        };
    warnings.add(
        "no namespaces (user namespaces unavailable): host processes are visible; writes are limited by Landlock to the"
            + " workspace; the network mode is enforced by seccomp socket-family rules");
    Path dir = policy.workspace().orElse(defaultDirectory);
    report
        .hostUid(setup.identity().map(Identity::uid).orElse(callerUid))
        .filesystem(setup.identity().isPresent(), false, false)
        .seccomp(policy.seccompProfile(), !policy.unixSockets())
        .landlockAbi(abi)
        .execRestriction(policy.execAllowlist().isEmpty() ? ExecRestriction.NONE : ExecRestriction.LANDLOCK)
        .network(policy.network())
        .workingDirectory(dir.toString())
        .skippedBackends(skipped)
        .warnings(warnings);
    // the working directory stays the path: a Landlock domain may not reach into the JVM's /proc/<pid>/fd (ptrace
    // scoping); writes are confined to the checked directory by the rule above whatever the path names
    return new LaunchPlan(a, dir, policy.environment(), report.build(), threadSetup);
  }

  /** {@code MFD_NOEXEC_SEAL} (Linux 6.3+): the memfd can never become executable. */
  static final long MFD_NOEXEC_SEAL = 0x0008;

  /**
   * Landlock does not check files on kernel-internal mounts, so a memfd filled with any binary could be executed with
   * {@code fexecve}/{@code execveat} past the exec allowlist. With an allowlist, {@code memfd_create} is allowed only
   * with {@code MFD_NOEXEC_SEAL} (else the profile's default, {@code EPERM}), and {@code memfd_secret} not at all.
   */
  static SeccompFilter withoutExecutableMemfds(SeccompFilter filter) {
    return filter.toBuilder()
        .removeRules("memfd_create")
        .removeRules("memfd_secret")
        .rule(SyscallRule.of("memfd_create", SeccompAction.allow(), ArgCondition.maskedEq(1, MFD_NOEXEC_SEAL,
            MFD_NOEXEC_SEAL)))
        .build();
  }
}
