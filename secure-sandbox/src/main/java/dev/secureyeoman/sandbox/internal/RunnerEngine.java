package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.LimitEnforcement;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxCapabilities;
import dev.secureyeoman.sandbox.SandboxCapabilities.BackendStatus;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxException.Reason;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.Teardown;
import dev.secureyeoman.sandbox.internal.bwrap.BwrapPlanner;
import dev.secureyeoman.sandbox.internal.cgroup.CgroupLayout;
import dev.secureyeoman.sandbox.internal.cgroup.RunCgroup;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Probes the backend chain once, chooses a backend per run, prepares identity, workspace and cgroups, and launches. */
public final class RunnerEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RunnerEngine.class);

  /** Why {@link NetworkMode#ALLOWLIST} is refused. */
  public static final String ALLOWLIST_REFUSAL =
      "network ALLOWLIST is not implemented: it needs a filtering proxy reached through a bind-mounted unix socket, which"
          + " this version does not ship; use NONE, or HOST in a network namespace the host restricts";

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
  private static final List<String> PROBE_TOOLS =
      List.of("bwrap", "unshare", "setpriv", "mount", "prlimit", "sh", "true");

  /**
   * Settings of an engine.
   *
   * @param tools executable lookup
   * @param forced backend to use, or {@code null} for the automatic chain
   * @param clock clock for durations and the probe cache
   * @param tempDirectory working directory of the Landlock mode without a workspace, home of helper files
   * @param hostRoot the host root (normally {@code /})
   * @param seccomp source of seccomp programs
   * @param identities which identity runs get
   * @param callerUid the JVM's effective uid (-1 when unknown)
   * @param cgroups where run cgroups are created, detected on first use
   * @param probeCache cross-JVM cache of the probe, or empty
   */
  public record Settings(
      Tools tools,
      @Nullable SandboxBackend forced,
      Clock clock,
      Path tempDirectory,
      Path hostRoot,
      SeccompSupport seccomp,
      Identities identities,
      int callerUid,
      Supplier<CgroupLayout> cgroups,
      Optional<ProbeCache> probeCache) {}

  private final Settings s;
  private volatile @Nullable Probed probed;

  /**
   * Test seam: runs after the workspace was checked and handed over, before the launch is planned (a racing host
   * process swapping the workspace's path acts here).
   */
  public static volatile java.util.function.Consumer<SandboxPolicy> afterWorkspaceCheck = policy -> {};

  /** Probe outcome plus the planners that worked. */
  private record Probed(
      SandboxCapabilities capabilities,
      Optional<BwrapPlanner> bwrap,
      Optional<UnsharePlanner> unshare,
      Lazy landlock,
      Optional<Path> prlimit,
      Optional<Path> setpriv,
      Path shell,
      CgroupLayout cgroups,
      boolean cached,
      int launchFailures) {}

  /** First wait before a probe with a failed backend launch is repeated; doubles up to {@link #MAX_RETRY}. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(5);

  static final Duration MAX_RETRY = Duration.ofMinutes(10);

  private Duration retryDelay = FIRST_RETRY;
  private volatile java.time.@Nullable Instant retryAt;

  /**
   * The Landlock mode, probed on first use when namespaces work: its probe restricts a spawner thread, and JDK
   * process-reaper threads started from such a thread inherit the restrictions, so hosts that never need the mode never
   * create one.
   */
  private static final class Lazy {
    private final Supplier<Optional<LandlockPlanner>> probe;
    private volatile @Nullable Optional<LandlockPlanner> value; // null until probed

    Lazy(Supplier<Optional<LandlockPlanner>> probe) {
      this.probe = probe;
    }

    static Lazy of(Optional<LandlockPlanner> value) {
      Lazy l = new Lazy(() -> value);
      l.value = value;
      return l;
    }

    Optional<LandlockPlanner> get() {
      Optional<LandlockPlanner> v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) {
            v = probe.get();
            value = v;
          }
        }
      }
      return v;
    }
  }

  /**
   * Creates an engine.
   *
   * @param settings the settings
   */
  public RunnerEngine(Settings settings) {
    this.s = settings;
  }

  /**
   * Returns the probed capabilities, probing on first use.
   *
   * @return the capabilities
   */
  public SandboxCapabilities capabilities() {
    return probe().capabilities();
  }

  /**
   * Tells whether the capabilities came from the probe cache rather than from launches in this JVM.
   *
   * @return true when cached
   */
  public boolean capabilitiesCached() {
    return probe().cached();
  }

  /**
   * Probes again (launching under every backend) and refreshes the probe cache.
   *
   * @return the fresh capabilities
   */
  public synchronized SandboxCapabilities reprobe() {
    Probed p = doProbe(true);
    probed = p;
    scheduleRetry(p);
    return p.capabilities();
  }

  private Probed probe() {
    Probed p = probed;
    if (p == null || (p.launchFailures() > 0 && !s.clock().instant().isBefore(retryAt))) {
      synchronized (this) {
        p = probed;
        if (p == null) {
          p = doProbe(false);
          probed = p;
          scheduleRetry(p);
        } else if (p.launchFailures() > 0 && !s.clock().instant().isBefore(retryAt)) {
          // a failed probe launch is not pinned for the JVM's life: probe again (bypassing the cache) with backoff
          p = doProbe(true);
          probed = p;
          scheduleRetry(p);
        }
      }
    }
    return p;
  }

  private void scheduleRetry(Probed p) {
    if (p.launchFailures() == 0) {
      retryDelay = FIRST_RETRY;
      retryAt = null;
      return;
    }
    retryAt = s.clock().instant().plus(retryDelay);
    Duration next = retryDelay.multipliedBy(2);
    retryDelay = next.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : next;
  }

  private Probed doProbe(boolean fresh) {
    CgroupLayout cgroups = s.cgroups().get();
    cgroups.sweepStale();
    // processes of pool uids whose host JVM died during the run (no cgroup, no pid namespace held them)
    s.identities().pool().ifPresent(pool -> pool.sweepAbandoned(UidReaper::killAll));
    Tools tools = s.tools();
    Optional<Path> shell = tools.find("sh");
    Optional<Path> trueBin = tools.find("true");
    Optional<Path> prlimit = tools.find("prlimit");
    Optional<Path> setpriv = tools.find("setpriv");
    OptionalInt landlockAbi = landlockAbi();
    List<BackendStatus> statuses = new ArrayList<>();
    Optional<BwrapPlanner> bwrap = Optional.empty();
    Optional<UnsharePlanner> unshare = Optional.empty();
    Lazy landlock = Lazy.of(Optional.empty());
    boolean switches = s.identities().switches();
    if (trueBin.isEmpty() || shell.isEmpty() || (switches && setpriv.isEmpty())) {
      String why =
          "sh, true" + (switches ? " and setpriv (to switch to " + s.identities() + ")" : "")
              + " are needed on the search path " + tools.searchPath();
      statuses.add(new BackendStatus(SandboxBackend.BWRAP, false, why));
      statuses.add(new BackendStatus(SandboxBackend.UNSHARE_LANDLOCK, false, why));
      statuses.add(new BackendStatus(SandboxBackend.NONE, true, "no isolation"));
      return new Probed(capabilities(statuses, landlockAbi), bwrap, unshare, landlock, prlimit, setpriv,
          shell.orElse(Path.of("/bin/sh")), cgroups, false, 0);
    }
    String fingerprint =
        s.probeCache().isPresent()
            ? ProbeCache.fingerprint(tools, PROBE_TOOLS, "identities=" + s.identities() + "|euid=" + s.callerUid()
                + "|seccomp=" + s.seccomp().available() + "|landlock=" + landlockAbi + "|backend=" + s.forced())
            : "";
    Optional<Map<String, String>> cached =
        fresh ? Optional.empty() : s.probeCache().flatMap(c -> c.load(fingerprint));
    Map<String, String> record = new HashMap<>();
    int launchFailures = 0;
    SandboxPolicy probePolicy =
        SandboxPolicy.builder(trueBin.get().toString()).seccomp(false).timeout(PROBE_TIMEOUT).build();
    Optional<Path> bwrapBin = tools.find("bwrap");
    if (bwrapBin.isEmpty()) {
      statuses.add(new BackendStatus(SandboxBackend.BWRAP, false, "bwrap not found on the search path " + tools.searchPath()));
    } else {
      BwrapPlanner planner =
          new BwrapPlanner(bwrapBin.get(), shell.get(), prlimit, s.hostRoot(), setpriv, s.callerUid(), s.tempDirectory());
      String failure;
      if (cached.isPresent()) {
        failure = cached.get().getOrDefault("bwrap.failure", "");
      } else {
        failure = probeLaunch(id -> planner.plan(probePolicy, RunSetup.probe(id, true), Map.of(), new ArrayList<>()),
            probePolicy);
      }
      record.put("bwrap.failure", failure);
      if (!failure.isEmpty()) {
        launchFailures++;
      }
      if (failure.isEmpty()) {
        bwrap = Optional.of(planner);
        statuses.add(new BackendStatus(SandboxBackend.BWRAP, true, bwrapBin.get().toString()));
      } else {
        statuses.add(new BackendStatus(SandboxBackend.BWRAP, false, failure));
      }
    }
    Optional<Path> unshareBin = tools.find("unshare");
    Optional<Path> mount = tools.find("mount");
    if (unshareBin.isEmpty() || setpriv.isEmpty() || mount.isEmpty()) {
      statuses.add(
          new BackendStatus(
              SandboxBackend.UNSHARE_LANDLOCK,
              false,
              "util-linux unshare, setpriv and mount are needed on the search path " + tools.searchPath()));
    } else {
      List<String> failures = new ArrayList<>();
      if (cached.isPresent()) {
        String mode = cached.get().getOrDefault("unshare.mode", "");
        if (!mode.isEmpty()) {
          unshare = Optional.of(new UnsharePlanner(unshareBin.get(), shell.get(), setpriv.get(), mount.get(), prlimit,
              mode.equals("user"), s.callerUid()));
        }
        failures.addAll(List.of(cached.get().getOrDefault("unshare.failures", "").split("\n")));
        failures.removeIf(String::isEmpty);
      } else {
        for (boolean withUser : new boolean[] {true, false}) {
          UnsharePlanner planner =
              new UnsharePlanner(unshareBin.get(), shell.get(), setpriv.get(), mount.get(), prlimit, withUser,
                  s.callerUid());
          String failure =
              probeLaunch(id -> planner.plan(probePolicy, RunSetup.probe(id, true), Map.of(), new ArrayList<>()),
                  probePolicy);
          if (failure.isEmpty()) {
            unshare = Optional.of(planner);
            break;
          }
          failures.add((withUser ? "with user namespace: " : "without user namespace: ") + failure);
        }
      }
      record.put("unshare.mode", unshare.map(u -> u.withUserNamespace() ? "user" : "privileged").orElse(""));
      if (unshare.isEmpty()) {
        launchFailures++;
      }
      record.put("unshare.failures", String.join("\n", failures));
      List<String> modes = new ArrayList<>();
      unshare.ifPresent(
          u ->
              modes.add(
                  unshareBin.get()
                      + (u.withUserNamespace() ? " (user namespace)" : " (no user namespace: privileged)")));
      if (landlockAbi.isPresent() && s.seccomp().available()) {
        LandlockPlanner planner =
            new LandlockPlanner(setpriv.get(), shell.get(), prlimit, s.tempDirectory(), s.callerUid(),
                landlockAbi.getAsInt(), s.seccomp());
        SandboxPolicy seccompProbe = probePolicy.toBuilder().seccomp(true).build();
        Supplier<Optional<LandlockPlanner>> probeLandlock =
            () -> {
              String failure =
                  probeLaunch(id -> planner.plan(seccompProbe, RunSetup.probe(id, false), Map.of(), new ArrayList<>()),
                      seccompProbe);
              if (!failure.isEmpty()) {
                LOG.warn("Landlock mode probe failed: {}", failure);
              }
              return failure.isEmpty() ? Optional.of(planner) : Optional.empty();
            };
        if (unshare.isPresent()) {
          landlock = new Lazy(probeLandlock);
          modes.add("Landlock ABI " + landlockAbi.getAsInt() + " + seccomp without namespaces (probed on first use)");
        } else {
          landlock = Lazy.of(probeLandlock.get());
          if (landlock.get().isPresent()) {
            modes.add("Landlock ABI " + landlockAbi.getAsInt() + " + seccomp without namespaces");
          } else {
            failures.add("Landlock+seccomp without namespaces: probe failed");
          }
        }
      } else {
        failures.add("Landlock+seccomp without namespaces: Landlock or seccomp unavailable");
      }
      statuses.add(
          modes.isEmpty()
              ? new BackendStatus(SandboxBackend.UNSHARE_LANDLOCK, false, String.join("; ", failures))
              : new BackendStatus(SandboxBackend.UNSHARE_LANDLOCK, true, String.join("; ", modes)));
    }
    statuses.add(new BackendStatus(SandboxBackend.NONE, true, "no isolation"));
    if (cached.isEmpty() && s.probeCache().isPresent()) {
      record.put(ProbeCache.LAUNCH_FAILURES, Integer.toString(launchFailures));
      s.probeCache().get().store(fingerprint, record);
    }
    SandboxCapabilities caps = capabilities(statuses, landlockAbi);
    LOG.debug("sandbox backends probed{}: {}; cgroups: {}", cached.isPresent() ? " (cached)" : "", caps.toJson(),
        cgroups);
    return new Probed(caps, bwrap, unshare, landlock, prlimit, setpriv, shell.get(), cgroups, cached.isPresent(),
        launchFailures);
  }

  private SandboxCapabilities capabilities(List<BackendStatus> statuses, OptionalInt landlockAbi) {
    return new SandboxCapabilities(statuses, s.seccomp().available(), landlockAbi, ALLOWLIST_REFUSAL);
  }

  private static OptionalInt landlockAbi() {
    try {
      OptionalInt abi = ExecAllowlist.availableAbi();
      return abi.isPresent() && abi.getAsInt() > 0 ? abi : OptionalInt.empty();
    } catch (RuntimeException | LinkageError e) {
      return OptionalInt.empty();
    }
  }

  /** A plan that depends on the identity the probe launch got. */
  @FunctionalInterface
  private interface ProbePlan {
    LaunchPlan plan(Optional<Identity> identity);
  }

  /** Runs a probe launch; returns "" on success, else a one-line reason. */
  private String probeLaunch(ProbePlan plan, SandboxPolicy policy) {
    Identities.Lease lease;
    try {
      lease = s.identities().acquire();
    } catch (SandboxException e) {
      return String.valueOf(e.getMessage());
    }
    try {
      LaunchPlan launch = plan.plan(lease.identity());
      SandboxResult r =
          Supervisor.start(launch, policy, s.clock(), Containment.none(Teardown.PID_NAMESPACE, Map.of()),
              OptionalLong.empty(), Supervisor.Finisher.NONE).get();
      if (r.succeeded()) {
        return "";
      }
      String err = r.stderrText().strip();
      int nl = err.indexOf('\n');
      return (r.timedOut() ? "timed out" : "exit " + r.exitCode())
          + (err.isEmpty() ? "" : ": " + (nl < 0 ? err : err.substring(0, nl)));
    } catch (ExecutionException e) {
      return String.valueOf(Objects.requireNonNull(e.getCause(), "an ExecutionException has a cause").getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "probe interrupted";
    } finally {
      lease.release(true);
    }
  }

  /**
   * Chooses a backend, prepares the run and starts it.
   *
   * @param policy the policy
   * @return the running future
   * @throws SandboxException when the policy is refused or the run cannot be prepared
   */
  public CompletableFuture<SandboxResult> start(SandboxPolicy policy) throws SandboxException {
    if (policy.network() == NetworkMode.ALLOWLIST) {
      throw new SandboxException(Reason.UNSUPPORTED_POLICY, ALLOWLIST_REFUSAL);
    }
    Probed p = probe();
    Map<SandboxBackend, String> skipped = new EnumMap<>(SandboxBackend.class);
    SandboxBackend chosen = choose(policy, p, skipped);
    Mode mode = chosen == SandboxBackend.UNSHARE_LANDLOCK ? unshareMode(policy, p) : Mode.UNSHARE;
    if (policy.workspace().isPresent()) {
      checkWorkspace(policy.workspace().get());
    }
    if (s.identities().switches() && p.setpriv().isEmpty()) {
      throw new SandboxException(
          Reason.TOOL_MISSING, "cannot switch to " + s.identities() + ": util-linux setpriv is not on the search path");
    }
    List<String> warnings = new ArrayList<>();
    Identities.Lease lease = s.identities().acquire();
    WorkspaceHandover handover = null;
    Containment containment = null;
    try {
      if (policy.workspace().isPresent() && s.identities().pool().isPresent()) {
        handover = WorkspaceHandover.give(policy.workspace().get(), lease.identity().orElseThrow(),
            s.identities().poolMember());
        warnings.addAll(handover.warnings());
      }
      Optional<String> wsSource = Optional.ofNullable(handover).map(WorkspaceHandover::descriptorPath);
      afterWorkspaceCheck.accept(policy);
      containment = containment(policy, p, chosen, mode);
      if (s.identities().pool().isPresent()) {
        // no cgroup and no pid namespace: the run's own uid is the handle nothing of the run can leave
        containment = UidContainment.wrap(containment, lease.identity().orElseThrow().uid());
      }
      if (Prlimit.needed(policy.limits(), containment) && p.prlimit().isEmpty()) {
        throw new SandboxException(
            Reason.TOOL_MISSING, "resource limits requested but util-linux prlimit is not on the search path");
      }
      RunSetup setup;
      LaunchPlan plan;
      switch (chosen) {
        case BWRAP:
          Optional<byte[]> program = s.seccomp().programFor(policy);
          if (policy.seccomp() && program.isEmpty()) {
            warnings.add("seccomp requested but not applied: " + s.seccomp().unavailableReason());
          }
          setup = new RunSetup(lease.identity(), containment, program, wsSource);
          plan = p.bwrap().orElseThrow().plan(policy, setup, skipped, warnings);
          break;
        case UNSHARE_LANDLOCK:
          setup = new RunSetup(lease.identity(), containment, Optional.empty(), wsSource);
          plan =
              mode == Mode.UNSHARE
                  ? p.unshare().orElseThrow().plan(policy, setup, skipped, warnings)
                  : p.landlock().get().orElseThrow().plan(policy, setup, skipped, warnings);
          break;
        default:
          setup = new RunSetup(lease.identity(), containment, Optional.empty(), wsSource);
          plan =
              new DirectPlanner(p.prlimit(), p.setpriv(), p.shell(), s.tempDirectory(), s.callerUid())
                  .plan(policy, setup, skipped, warnings);
          LOG.warn("running {} WITHOUT isolation (requireIsolation=false, no backend available)",
              policy.command().get(0));
          break;
      }
      OptionalLong cpuBudget = OptionalLong.empty();
      for (AppliedLimit l : plan.report().limits()) {
        if (l.limit() == ResourceLimit.CPU_SECONDS && l.enforcement() == LimitEnforcement.CGROUP_ACCOUNTING) {
          // saturating: seconds whose nanoseconds exceed a long are a budget nobody reaches, not an overflow
          cpuBudget =
              OptionalLong.of(l.value() > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : l.value() * 1_000_000_000L);
        }
      }
      LOG.debug("sandbox run of {} via {} as {}", policy.command().get(0), chosen, lease.identity());
      WorkspaceHandover ws = handover;
      return Supervisor.start(
          plan,
          policy,
          s.clock(),
          containment,
          cpuBudget,
          tornDown -> {
            boolean handedBack = true;
            if (ws != null) {
              if (tornDown) {
                handedBack = ws.giveBack();
              } else {
                LOG.error("workspace {} stays with the run's uid: its processes may still be alive",
                    policy.workspace().orElseThrow());
              }
            }
            // entries the give-back could not reach stay with the run's uid: it must not go to another run
            lease.release(tornDown && handedBack);
          });
    } catch (SandboxException | RuntimeException e) {
      if (containment != null) {
        containment.close();
      }
      if (handover != null) {
        handover.close();
      }
      lease.release(true);
      throw e;
    }
  }

  /** The run's cgroups, or why there are none. */
  private Containment containment(SandboxPolicy policy, Probed p, SandboxBackend chosen, Mode mode) {
    boolean pidNamespace = chosen == SandboxBackend.BWRAP || (chosen == SandboxBackend.UNSHARE_LANDLOCK
        && mode == Mode.UNSHARE);
    Teardown fallback = pidNamespace ? Teardown.PID_NAMESPACE : Teardown.PROCESS_TREE;
    String why;
    if (chosen == SandboxBackend.BWRAP && !needsCgroup(policy)) {
      // bwrap reports its init's host pid and pid namespace before the sandbox runs: killing that init ends the whole
      // namespace, and nothing leaves a pid namespace. A cgroup would add nothing for teardown but cost a migration,
      // which waits for an RCU grace period (milliseconds) on hosts without cgroup2's favordynmods.
      return Containment.none(Teardown.PID_NAMESPACE, Map.of());
    }
    if (chosen == SandboxBackend.UNSHARE_LANDLOCK && mode == Mode.LANDLOCK && !LandlockPlanner.canJoinCgroups(policy)) {
      why = "the Landlock mode with an exec allowlist cannot run the cgroup join helper (/bin/sh would have to be"
          + " executable)";
    } else {
      Optional<RunCgroup> cg = RunCgroup.create(p.cgroups(), RunCgroup.newName(), policy.limits());
      if (cg.isPresent()) {
        return cg.get();
      }
      why = "no writable cgroup (" + p.cgroups().v2Note() + "; no writable v1 hierarchy)";
    }
    Map<ResourceLimit, String> unapplied = new EnumMap<>(ResourceLimit.class);
    for (ResourceLimit r : List.of(ResourceLimit.MEMORY, ResourceLimit.PROCESSES, ResourceLimit.CPU_QUOTA)) {
      if (policy.limits().get(r).isPresent()) {
        unapplied.put(r, why);
      }
    }
    LOG.debug("sandbox run without a cgroup: {}", why);
    return Containment.none(fallback, unapplied);
  }

  /** Limits only a cgroup enforces (memory, tasks, CPU bandwidth, the run's total CPU time). */
  private static boolean needsCgroup(SandboxPolicy policy) {
    for (ResourceLimit r :
        List.of(ResourceLimit.MEMORY, ResourceLimit.PROCESSES, ResourceLimit.CPU_QUOTA, ResourceLimit.CPU_SECONDS)) {
      if (policy.limits().get(r).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private SandboxBackend choose(SandboxPolicy policy, Probed p, Map<SandboxBackend, String> skipped)
      throws SandboxException {
    SandboxCapabilities caps = p.capabilities();
    boolean needsExecView = !policy.execAllowlist().isEmpty();
    SandboxBackend forced = s.forced();
    if (forced != null) {
      BackendStatus st = caps.status(forced);
      if (!st.available()) {
        throw new SandboxException(
            Reason.BACKEND_UNAVAILABLE, "sandbox backend " + forced + " is not available: " + st.detail());
      }
      if (forced == SandboxBackend.NONE && policy.requireIsolation()) {
        throw new SandboxException(Reason.NO_ISOLATION, "sandbox backend NONE refused: the policy requires isolation");
      }
      if (forced == SandboxBackend.UNSHARE_LANDLOCK && unshareMode(policy, p) == Mode.UNSUPPORTED) {
        throw new SandboxException(
            Reason.UNSUPPORTED_POLICY,
            "sandbox backend UNSHARE_LANDLOCK cannot run this policy: " + unsupportedReason(policy, p));
      }
      if (needsExecView && forced == SandboxBackend.NONE) {
        throw new SandboxException(Reason.UNSUPPORTED_POLICY, "exec allowlist cannot be enforced by NONE");
      }
      return forced;
    }
    boolean policyUnsupported = false;
    for (SandboxBackend b : List.of(SandboxBackend.BWRAP, SandboxBackend.UNSHARE_LANDLOCK)) {
      BackendStatus st = caps.status(b);
      if (!st.available()) {
        skipped.put(b, st.detail());
      } else if (b == SandboxBackend.UNSHARE_LANDLOCK && unshareMode(policy, p) == Mode.UNSUPPORTED) {
        skipped.put(b, unsupportedReason(policy, p));
        policyUnsupported = true;
      } else {
        return b;
      }
    }
    if (policy.requireIsolation()) {
      StringBuilder sb = new StringBuilder("isolation required but no sandbox backend is available:");
      skipped.forEach((b, why) -> sb.append(' ').append(b).append(": ").append(why).append(';'));
      sb.setLength(sb.length() - 1);
      throw new SandboxException(policyUnsupported ? Reason.UNSUPPORTED_POLICY : Reason.NO_ISOLATION, sb.toString());
    }
    if (needsExecView) {
      throw new SandboxException(
          Reason.UNSUPPORTED_POLICY, "exec allowlist cannot be enforced without the BWRAP backend: " + skipped);
    }
    return SandboxBackend.NONE;
  }

  private enum Mode {
    UNSHARE,
    LANDLOCK,
    UNSUPPORTED
  }

  /** Namespaces when they can enforce the policy; else the Landlock mode when it can; else unsupported. */
  private static Mode unshareMode(SandboxPolicy policy, Probed p) {
    if (p.unshare().isPresent() && UnsharePlanner.unsupported(policy).isEmpty()) {
      return Mode.UNSHARE;
    }
    Optional<LandlockPlanner> landlock = p.landlock().get();
    if (landlock.isPresent() && landlock.get().unsupported(policy).isEmpty()) {
      return Mode.LANDLOCK;
    }
    return Mode.UNSUPPORTED;
  }

  private static String unsupportedReason(SandboxPolicy policy, Probed p) {
    List<String> why = new ArrayList<>();
    if (p.unshare().isPresent()) {
      why.add("unshare mode: " + UnsharePlanner.unsupported(policy).orElse("?"));
    }
    Optional<LandlockPlanner> landlock = p.landlock().get();
    if (landlock.isPresent()) {
      why.add("Landlock mode: " + landlock.get().unsupported(policy).orElse("?"));
    } else {
      why.add("Landlock mode unavailable");
    }
    return String.join("; ", why);
  }

  /**
   * The workspace must be a directory reachable through parents every run's identity can search; with a fixed identity
   * it must also be writable by that identity (a pool identity gets the workspace handed over instead).
   */
  private void checkWorkspace(Path ws) throws SandboxException {
    if (!Files.isDirectory(ws)) {
      throw new SandboxException(Reason.WORKSPACE, "workspace " + ws + " is not an existing directory");
    }
    if (!s.identities().switches()) {
      return;
    }
    try {
      for (Path parent = ws.getParent(); parent != null; parent = parent.getParent()) {
        int mode = (Integer) Files.getAttribute(parent, "unix:mode");
        if ((mode & 1) == 0) {
          throw new SandboxException(
              Reason.WORKSPACE,
              "workspace " + ws + " is not reachable by the run's own uid: " + parent
                  + " is not searchable by other users (chmod o+x " + parent + ")");
        }
      }
      Optional<Identity> fixed = s.identities().fixedIdentity();
      if (fixed.isPresent()) {
        Identity id = fixed.get();
        if (!permits(ws, id, 2) || !permits(ws, id, 1)) {
          throw new SandboxException(
              Reason.WORKSPACE,
              "workspace " + ws + " is not writable by the sandbox user " + id.uid() + ":" + id.gid()
                  + " (every run of this runner uses that identity); chown " + id.uid() + ":" + id.gid() + " it");
        }
      }
    } catch (IOException e) {
      throw new SandboxException(Reason.WORKSPACE, "cannot inspect workspace " + ws + ": " + e.getMessage(), e);
    }
  }

  private static boolean permits(Path p, Identity id, int bit) throws IOException {
    int uid = (Integer) Files.getAttribute(p, "unix:uid");
    int gid = (Integer) Files.getAttribute(p, "unix:gid");
    int mode = (Integer) Files.getAttribute(p, "unix:mode");
    if (uid == id.uid()) {
      return (mode & (bit << 6)) != 0;
    }
    if (gid == id.gid()) {
      return (mode & (bit << 3)) != 0;
    }
    return (mode & bit) != 0;
  }
}
