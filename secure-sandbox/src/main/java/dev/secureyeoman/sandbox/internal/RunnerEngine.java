package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxCapabilities;
import dev.secureyeoman.sandbox.SandboxCapabilities.BackendStatus;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.internal.bwrap.BwrapPlanner;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Probes the backend chain once, chooses a backend per run, plans and supervises the launch. */
public final class RunnerEngine {
  private static final Logger LOG = LoggerFactory.getLogger(RunnerEngine.class);

  /** Why {@link NetworkMode#ALLOWLIST} is refused. */
  public static final String ALLOWLIST_REFUSAL =
      "network ALLOWLIST is not implemented: it needs a filtering proxy reached through a bind-mounted unix socket, which"
          + " this version does not ship; use NONE, or HOST in a network namespace the host restricts";

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

  private final Tools tools;
  private final SandboxBackend forced;
  private final Clock clock;
  private final Path tempDirectory;
  private final Path hostRoot;
  private final SeccompSupport seccomp;
  private final Optional<Identity> identity;
  private final int callerUid;
  private volatile Probed probed;

  /** Probe outcome plus the planners that worked. */
  private record Probed(
      SandboxCapabilities capabilities,
      Optional<BwrapPlanner> bwrap,
      Optional<UnsharePlanner> unshare,
      Lazy landlock,
      Optional<Path> prlimit) {}

  /**
   * The Landlock mode, probed on first use when namespaces work: its probe restricts a spawner thread, and JDK
   * process-reaper threads started from such a thread inherit the restrictions, so hosts that never need the mode never
   * create one.
   */
  private static final class Lazy {
    private final java.util.function.Supplier<Optional<LandlockPlanner>> probe;
    private volatile Optional<LandlockPlanner> value;

    Lazy(java.util.function.Supplier<Optional<LandlockPlanner>> probe) {
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

  // the same policy choice always yields the same program: write each once per runner (0600, deleted on exit)
  private final java.util.concurrent.ConcurrentMap<Boolean, Path> programFiles =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Creates an engine.
   *
   * @param tools executable lookup
   * @param forced backend to use, or {@code null} for the automatic chain
   * @param clock clock for durations
   * @param tempDirectory where seccomp programs are written (0600) for the duration of a run
   * @param hostRoot the host root (normally {@code /})
   * @param seccomp source of seccomp programs
   * @param identity host identity sandboxes run as, or empty for the caller's own
   * @param callerUid the JVM's effective uid (-1 when unknown)
   */
  public RunnerEngine(
      Tools tools,
      SandboxBackend forced,
      Clock clock,
      Path tempDirectory,
      Path hostRoot,
      SeccompSupport seccomp,
      Optional<Identity> identity,
      int callerUid) {
    this.identity = identity;
    this.callerUid = callerUid;
    this.tools = tools;
    this.forced = forced;
    this.clock = clock;
    this.tempDirectory = tempDirectory;
    this.hostRoot = hostRoot;
    this.seccomp = seccomp;
  }

  /**
   * Returns the probed capabilities, probing on first use.
   *
   * @return the capabilities
   */
  public SandboxCapabilities capabilities() {
    return probe().capabilities();
  }

  private Probed probe() {
    Probed p = probed;
    if (p == null) {
      synchronized (this) {
        p = probed;
        if (p == null) {
          p = doProbe();
          probed = p;
        }
      }
    }
    return p;
  }

  private Probed doProbe() {
    List<BackendStatus> statuses = new ArrayList<>();
    Optional<Path> shell = tools.find("sh");
    Optional<Path> trueBin = tools.find("true");
    Optional<Path> prlimit = tools.find("prlimit");
    Optional<Path> setpriv = tools.find("setpriv");
    Optional<BwrapPlanner> bwrap = Optional.empty();
    Optional<UnsharePlanner> unshare = Optional.empty();
    Lazy landlock = Lazy.of(Optional.empty());
    OptionalInt landlockAbi = landlockAbi();
    if (trueBin.isEmpty() || shell.isEmpty() || (identity.isPresent() && setpriv.isEmpty())) {
      String why =
          "sh, true"
              + (identity.isPresent() ? " and setpriv (to run as " + identity.get() + ")" : "")
              + " are needed on the search path "
              + tools.searchPath();
      statuses.add(new BackendStatus(SandboxBackend.BWRAP, false, why));
      statuses.add(new BackendStatus(SandboxBackend.UNSHARE_LANDLOCK, false, why));
    } else {
      SandboxPolicy probePolicy =
          SandboxPolicy.builder(trueBin.get().toString()).seccomp(false).timeout(PROBE_TIMEOUT).build();
      Optional<Path> bwrapBin = tools.find("bwrap");
      if (bwrapBin.isEmpty()) {
        statuses.add(new BackendStatus(SandboxBackend.BWRAP, false, "bwrap not found on the search path " + tools.searchPath()));
      } else {
        BwrapPlanner planner =
            new BwrapPlanner(
                bwrapBin.get(), shell.get(), prlimit, hostRoot, identity, setpriv, callerUid, tempDirectory);
        String failure = tryLaunch(planner.plan(probePolicy, Optional.empty(), Map.of(), new ArrayList<>()), probePolicy);
        if (failure == null) {
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
        for (boolean withUser : new boolean[] {true, false}) {
          UnsharePlanner planner =
              new UnsharePlanner(
                  unshareBin.get(), shell.get(), setpriv.get(), mount.get(), prlimit, withUser, identity, callerUid);
          String failure = tryLaunch(planner.plan(probePolicy, Map.of(), new ArrayList<>()), probePolicy);
          if (failure == null) {
            unshare = Optional.of(planner);
            break;
          }
          failures.add((withUser ? "with user namespace: " : "without user namespace: ") + failure);
        }
        List<String> modes = new ArrayList<>();
        unshare.ifPresent(
            u ->
                modes.add(
                    unshareBin.get()
                        + (u.withUserNamespace() ? " (user namespace)" : " (no user namespace: privileged)")));
        if (landlockAbi.isPresent() && seccomp.available()) {
          LandlockPlanner planner =
              new LandlockPlanner(setpriv.get(), prlimit, tempDirectory, identity, callerUid, landlockAbi.getAsInt());
          SandboxPolicy seccompProbe = probePolicy.toBuilder().seccomp(true).build();
          java.util.function.Supplier<Optional<LandlockPlanner>> probeLandlock =
              () -> {
                String failure = tryLaunch(planner.plan(seccompProbe, Map.of(), new ArrayList<>()), seccompProbe);
                if (failure != null) {
                  LOG.warn("Landlock mode probe failed: {}", failure);
                }
                return failure == null ? Optional.of(planner) : Optional.empty();
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
    }
    statuses.add(new BackendStatus(SandboxBackend.NONE, true, "no isolation"));
    SandboxCapabilities caps =
        new SandboxCapabilities(statuses, seccomp.available(), landlockAbi, ALLOWLIST_REFUSAL);
    LOG.debug("sandbox backends probed: {}", caps.toJson());
    return new Probed(caps, bwrap, unshare, landlock, prlimit);
  }

  private static OptionalInt landlockAbi() {
    try {
      OptionalInt abi = ExecAllowlist.availableAbi();
      return abi.isPresent() && abi.getAsInt() > 0 ? abi : OptionalInt.empty();
    } catch (RuntimeException | LinkageError e) {
      return OptionalInt.empty();
    }
  }

  /** Runs a probe launch; returns null on success, else a one-line reason. */
  private String tryLaunch(LaunchPlan plan, SandboxPolicy policy) {
    try {
      SandboxResult r = Supervisor.start(plan, policy, clock, () -> {}).get();
      if (r.succeeded()) {
        return null;
      }
      String err = r.stderrText().strip();
      int nl = err.indexOf('\n');
      return (r.timedOut() ? "timed out" : "exit " + r.exitCode())
          + (err.isEmpty() ? "" : ": " + (nl < 0 ? err : err.substring(0, nl)));
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "probe interrupted";
    }
  }

  /**
   * Chooses a backend, plans and starts a run.
   *
   * @param policy the policy
   * @return the running future
   * @throws SandboxException when the policy is refused
   */
  public CompletableFuture<SandboxResult> start(SandboxPolicy policy) throws SandboxException {
    if (policy.network() == NetworkMode.ALLOWLIST) {
      throw new SandboxException(ALLOWLIST_REFUSAL);
    }
    Probed p = probe();
    Map<SandboxBackend, String> skipped = new EnumMap<>(SandboxBackend.class);
    List<String> warnings = new ArrayList<>();
    Optional<Path> prlimit = p.prlimit();
    if (!policy.limits().isEmpty() && prlimit.isEmpty()) {
      throw new SandboxException("resource limits requested but util-linux prlimit is not on the search path");
    }
    SandboxBackend chosen = choose(policy, p, skipped);
    if (policy.workspace().isPresent()) {
      checkWorkspace(policy.workspace().get());
    }
    LaunchPlan plan;
    Runnable cleanup = () -> {};
    switch (chosen) {
      case BWRAP:
        Optional<Path> program = Optional.empty();
        if (policy.seccomp()) {
          program = programFile(policy);
          if (program.isEmpty()) {
            warnings.add("seccomp requested but not applied: " + seccomp.unavailableReason());
          }
        }
        plan = p.bwrap().orElseThrow().plan(policy, program, skipped, warnings);
        break;
      case UNSHARE_LANDLOCK:
        plan =
            unshareMode(policy, p) == Mode.UNSHARE
                ? p.unshare().orElseThrow().plan(policy, skipped, warnings)
                : p.landlock().get().orElseThrow().plan(policy, skipped, warnings);
        break;
      default:
        Optional<Path> setpriv = tools.find("setpriv");
        if (identity.isPresent() && setpriv.isEmpty()) {
          throw new SandboxException("cannot run as " + identity.get() + ": util-linux setpriv is not on the search path");
        }
        plan =
            new DirectPlanner(prlimit, setpriv, tempDirectory, identity, callerUid).plan(policy, skipped, warnings);
        LOG.warn("running {} WITHOUT isolation (requireIsolation=false, no backend available)", policy.command().get(0));
        break;
    }
    LOG.debug("sandbox run of {} via {}", policy.command().get(0), chosen);
    return Supervisor.start(plan, policy, clock, cleanup);
  }

  private SandboxBackend choose(SandboxPolicy policy, Probed p, Map<SandboxBackend, String> skipped)
      throws SandboxException {
    SandboxCapabilities caps = p.capabilities();
    boolean needsExecView = !policy.execAllowlist().isEmpty();
    if (forced != null) {
      BackendStatus s = caps.status(forced);
      if (!s.available()) {
        throw new SandboxException("sandbox backend " + forced + " is not available: " + s.detail());
      }
      if (forced == SandboxBackend.NONE && policy.requireIsolation()) {
        throw new SandboxException("sandbox backend NONE refused: the policy requires isolation");
      }
      if (forced == SandboxBackend.UNSHARE_LANDLOCK && unshareMode(policy, p) == Mode.UNSUPPORTED) {
        throw new SandboxException("sandbox backend UNSHARE_LANDLOCK cannot run this policy: " + unsupportedReason(policy, p));
      }
      if (needsExecView && forced == SandboxBackend.NONE) {
        throw new SandboxException("exec allowlist cannot be enforced by NONE");
      }
      return forced;
    }
    for (SandboxBackend b : List.of(SandboxBackend.BWRAP, SandboxBackend.UNSHARE_LANDLOCK)) {
      BackendStatus s = caps.status(b);
      if (!s.available()) {
        skipped.put(b, s.detail());
      } else if (b == SandboxBackend.UNSHARE_LANDLOCK && unshareMode(policy, p) == Mode.UNSUPPORTED) {
        skipped.put(b, unsupportedReason(policy, p));
      } else {
        return b;
      }
    }
    if (policy.requireIsolation()) {
      StringBuilder sb = new StringBuilder("isolation required but no sandbox backend is available:");
      skipped.forEach((b, why) -> sb.append(' ').append(b).append(": ").append(why).append(';'));
      sb.setLength(sb.length() - 1);
      throw new SandboxException(sb.toString());
    }
    if (needsExecView) {
      throw new SandboxException("exec allowlist cannot be enforced without the BWRAP backend: " + skipped);
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

  /** The workspace must be a directory the sandbox identity can write, reachable through searchable parents. */
  private void checkWorkspace(Path ws) throws SandboxException {
    if (!Files.isDirectory(ws)) {
      throw new SandboxException("workspace " + ws + " is not an existing directory");
    }
    if (identity.isEmpty()) {
      return;
    }
    Identity id = identity.get();
    try {
      if (!permits(ws, id, "w") || !permits(ws, id, "x")) {
        throw new SandboxException(
            "workspace "
                + ws
                + " is not writable by the sandbox user "
                + id.uid()
                + ":"
                + id.gid()
                + " (the JVM runs as root, so sandboxes run unprivileged); chown "
                + id.uid()
                + ":"
                + id.gid()
                + " it");
      }
      for (Path parent = ws.getParent(); parent != null; parent = parent.getParent()) {
        if (!permits(parent, id, "x")) {
          throw new SandboxException(
              "workspace " + ws + " is not reachable by the sandbox user " + id.uid() + ": " + parent + " is not searchable");
        }
      }
    } catch (IOException e) {
      throw new SandboxException("cannot inspect workspace " + ws + ": " + e.getMessage(), e);
    }
  }

  private static boolean permits(Path p, Identity id, String what) throws IOException {
    int uid = (Integer) Files.getAttribute(p, "unix:uid");
    int gid = (Integer) Files.getAttribute(p, "unix:gid");
    int mode = (Integer) Files.getAttribute(p, "unix:mode");
    int bit = "w".equals(what) ? 2 : 1;
    if (uid == id.uid()) {
      return (mode & (bit << 6)) != 0;
    }
    if (gid == id.gid()) {
      return (mode & (bit << 3)) != 0;
    }
    return (mode & bit) != 0;
  }

  private Optional<Path> programFile(SandboxPolicy policy) throws SandboxException {
    if (!seccomp.available()) {
      return Optional.empty();
    }
    Optional<byte[]> bpf = seccomp.programFor(policy);
    if (bpf.isEmpty()) {
      return Optional.empty();
    }
    Path cached = programFiles.get(policy.unixSockets());
    try {
      if (cached != null && Files.isRegularFile(cached) && Files.size(cached) == bpf.get().length) {
        return Optional.of(cached);
      }
      Path file =
          Files.createTempFile(
              tempDirectory,
              "sy-seccomp-",
              ".bpf",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, bpf.get());
      file.toFile().deleteOnExit();
      programFiles.put(policy.unixSockets(), file);
      return Optional.of(file);
    } catch (IOException e) {
      throw new SandboxException("cannot write the seccomp program to " + tempDirectory + ": " + e.getMessage(), e);
    }
  }
}
