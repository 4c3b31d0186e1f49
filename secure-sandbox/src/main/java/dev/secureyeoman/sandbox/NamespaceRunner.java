package dev.secureyeoman.sandbox;

import dev.secureyeoman.sandbox.internal.DefaultSeccompSupport;
import dev.secureyeoman.sandbox.internal.Identities;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.IdentityPool;
import dev.secureyeoman.sandbox.internal.ProbeCache;
import dev.secureyeoman.sandbox.internal.RunnerEngine;
import dev.secureyeoman.sandbox.internal.SeccompSupport;
import dev.secureyeoman.sandbox.internal.Supervisor;
import dev.secureyeoman.sandbox.internal.Tools;
import dev.secureyeoman.sandbox.internal.cgroup.CgroupLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Runs untrusted commands in Linux namespaces and reports exactly what the kernel applied.
 *
 * <pre>{@code
 * NamespaceRunner runner = NamespaceRunner.create();
 * SandboxResult r = runner.run(SandboxPolicy.builder("/usr/bin/id").build());
 * r.report().backend();      // BWRAP on a typical host
 * }</pre>
 *
 * <p>Backends are tried strongest first: {@link SandboxBackend#BWRAP}, {@link SandboxBackend#UNSHARE_LANDLOCK}, then
 * {@link SandboxBackend#NONE} (refused when the policy requires isolation). Each backend is probed once per runner by
 * really running {@code true} under it; the result is cached ({@link #probe()}).
 *
 * <h2>Threads</h2>
 *
 * Every run is started and awaited on its own newly created platform thread, which ends with the run: the parent-death
 * signal that tears the sandbox down when the host dies is tied to the spawning thread. Because that thread is created
 * by the thread calling {@link #run} or {@link #runAsync}, it inherits that caller's seccomp filters. Runs are independent
 * of each other (separate namespaces, separate {@code /tmp}); concurrent runs are safe.
 *
 * <h2>Security guarantees</h2>
 *
 * Under BWRAP: new user, pid, net (unless HOST), mount, ipc, uts and cgroup namespaces; every capability dropped; the host
 * file system read-only, {@code /proc} and {@code /dev} read-only, {@code /tmp} and {@code /dev/shm} fresh sized tmpfs,
 * the workspace the only writable host directory and its siblings hidden; {@code no_new_privs}. On a root host every
 * run has its own host uid from a pool; limits are enforced by the run's own cgroups (memory with tmpfs pages and
 * children, tasks, CPU for the whole run). At the timeout and after the command exits the runner kills every process
 * of the run through a handle the sandbox cannot change — the cgroup, or the pid namespace's init by the pidfd taken
 * from bwrap's status before the sandbox ran — so nothing the sandbox does to its init keeps it alive. Seccomp and Landlock layers, limits
 * and the teardown mechanism are listed in the report only when the kernel applied them. Non-goals: kernel exploits,
 * covert channels, I/O limits.
 */
public final class NamespaceRunner {
  private final RunnerEngine engine;

  private NamespaceRunner(Builder b) {
    int euid = Identity.currentEffectiveUid();
    Identities identities;
    if (b.runAs != null) {
      identities = Identities.fixed(b.runAs);
    } else if (euid == 0) {
      identities = Identities.pool(new IdentityPool(b.poolFirst, b.poolCount, b.lockDirectory));
    } else if (b.poolSet) {
      throw new IllegalStateException(
          "identityPool needs a JVM running as root (switching uids needs CAP_SETUID), the effective uid is " + euid);
    } else {
      identities = Identities.caller();
    }
    Optional<Path> cgroupParent = Optional.ofNullable(b.cgroupParent);
    Clock clock = b.clock;
    this.engine =
        new RunnerEngine(
            new RunnerEngine.Settings(
                new Tools(b.searchPath),
                b.backend,
                clock,
                b.tempDirectory,
                Path.of("/"),
                seccompSupport(),
                identities,
                euid,
                () -> b.cgroupsEnabled ? CgroupLayout.detect(cgroupParent) : CgroupLayout.NONE,
                Optional.ofNullable(b.probeCache).map(f -> new ProbeCache(f, clock, euid))));
  }

  private static SeccompSupport seccompSupport() {
    try {
      return new DefaultSeccompSupport();
    } catch (RuntimeException | LinkageError e) {
      // no JNA native library for this platform: the report then says seccomp was not applied
      return SeccompSupport.unavailable("seccomp probe failed: " + e);
    }
  }

  /**
   * Creates a runner with the defaults: automatic backend chain, system clock, the standard executable search path.
   *
   * @return a runner
   */
  public static NamespaceRunner create() {
    return builder().build();
  }

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Probes the backends (first call only; later calls return the cached result, which may come from the {@linkplain
   * Builder#probeCache(Path) probe cache}).
   *
   * @return what this host offers
   */
  public SandboxCapabilities probe() {
    return engine.capabilities();
  }

  /**
   * Probes the backends again by launching under each of them, and refreshes the probe cache.
   *
   * @return what this host offers now
   */
  public SandboxCapabilities reprobe() {
    return engine.reprobe();
  }

  /**
   * Tells whether {@link #probe()} answered from the probe cache instead of launching.
   *
   * @return true when the capabilities came from the cache
   */
  public boolean probeWasCached() {
    return engine.capabilitiesCached();
  }

  /**
   * Starts a run and returns at once. Cancelling the future kills the sandbox.
   *
   * @param policy the policy
   * @return a future completed with the result, or exceptionally with {@link SandboxException} when the policy is refused
   *     or the backend could not start
   */
  public CompletableFuture<SandboxResult> runAsync(SandboxPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    try {
      return engine.start(policy);
    } catch (SandboxException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Runs a command and waits for it.
   *
   * @param policy the policy
   * @return the result (the command ran; check {@link SandboxResult#exitCode()} and {@link SandboxResult#timedOut()})
   * @throws SandboxException when the policy is refused or the backend could not start
   * @throws InterruptedException when the calling thread is interrupted; the sandbox is killed first
   */
  public SandboxResult run(SandboxPolicy policy) throws SandboxException, InterruptedException {
    Objects.requireNonNull(policy, "policy");
    if (Thread.interrupted()) {
      // nothing started yet; the uid pool's lock files (interruptible channels) must not see the flag
      throw new InterruptedException("interrupted before the sandbox run started");
    }
    // supervised on this thread (it waits anyway): no thread start and no hand-off of the result
    CompletableFuture<SandboxResult> f = Supervisor.inline(() -> engine.start(policy));
    if (f.isCancelled() | Thread.interrupted()) {
      // interrupted while the run was supervised on this thread: the sandbox is killed and torn down already
      throw new InterruptedException("interrupted during a sandbox run; the sandbox was killed");
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (CancellationException e) {
      throw new SandboxException(SandboxException.Reason.CANCELLED, "sandbox run was cancelled", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof SandboxException) {
        throw (SandboxException) c;
      }
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new SandboxException(SandboxException.Reason.LAUNCH_FAILED, "sandbox run failed", c);
    }
  }

  /** Builder for {@link NamespaceRunner}. */
  public static final class Builder {
    private List<Path> searchPath = Tools.DEFAULT_SEARCH_PATH;
    private boolean searchPathSet;
    private @Nullable SandboxBackend backend;
    private Clock clock = Clock.systemUTC();
    private boolean clockSet;
    private Path tempDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private boolean tempDirectorySet;
    private @Nullable Identity runAs;
    private int poolFirst = IdentityPool.DEFAULT_FIRST;
    private int poolCount = IdentityPool.DEFAULT_COUNT;
    private boolean poolSet;
    private Path lockDirectory = IdentityPool.DEFAULT_LOCK_DIRECTORY;
    private boolean lockDirectorySet;
    private @Nullable Path cgroupParent;
    private boolean cgroupsEnabled = true;
    private boolean cgroupsSet;
    private @Nullable Path probeCache;

    private Builder() {}

    /**
     * Makes every run use one fixed unprivileged host identity instead of a uid of its own. Runs then share that
     * identity: one run can read another's 0600 files, signal its processes and use up its per-user kernel quotas. Use
     * it only where runs are not mutually untrusted. Host uid 0 is refused: the kernel exempts it from {@code
     * RLIMIT_NPROC} and it can read root-only files through the read-only view.
     *
     * @param uid host uid, at least 1
     * @param gid host gid, at least 1
     * @return this builder
     */
    public Builder runAs(int uid, int gid) {
      if (runAs != null) {
        throw new IllegalStateException("runAs was already set to " + runAs.uid() + ":" + runAs.gid());
      }
      if (poolSet) {
        throw new IllegalStateException("runAs conflicts with identityPool, which was already set");
      }
      this.runAs = new Identity(uid, gid);
      return this;
    }

    /**
     * Sets the host uid range runs take their own identity from (gid = uid) when the JVM runs as root. Default:
     * {@value IdentityPool#DEFAULT_COUNT} uids from {@code 0x70000000} (1879048192), above systemd's container range.
     * The range must not overlap real users; every JVM of the host that shares the {@linkplain #identityLockDirectory
     * lock directory} coordinates through it.
     *
     * @param firstUid first uid, at least 1000
     * @param count number of uids, at least 1
     * @return this builder
     */
    public Builder identityPool(int firstUid, int count) {
      if (poolSet) {
        throw new IllegalStateException("identityPool was already set to " + poolFirst + " + " + poolCount);
      }
      if (runAs != null) {
        throw new IllegalStateException("identityPool conflicts with runAs, which was already set");
      }
      new IdentityPool(firstUid, count, lockDirectory); // validates
      this.poolFirst = firstUid;
      this.poolCount = count;
      this.poolSet = true;
      return this;
    }

    /**
     * Sets where the identity pool keeps its lock files (default {@code /run/secureyeoman/sandbox-uids}, created 0700).
     *
     * @param dir an absolute directory
     * @return this builder
     */
    public Builder identityLockDirectory(Path dir) {
      Objects.requireNonNull(dir, "identityLockDirectory");
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("identityLockDirectory must be absolute, got '" + dir + "'");
      }
      if (lockDirectorySet) {
        throw new IllegalStateException("identityLockDirectory was already set to " + lockDirectory);
      }
      this.lockDirectory = dir;
      this.lockDirectorySet = true;
      return this;
    }

    /**
     * Names a cgroup v2 directory the host delegated for sandbox runs (its {@code cgroup.subtree_control} enables
     * memory, pids and cpu, and it has no processes of its own). Default: the JVM's own cgroup, which on pure v2 hosts
     * usually cannot delegate controllers (the JVM is a member), so limits then fall back to v1 hierarchies where the
     * host has them, and the report says what was not applied.
     *
     * @param dir an absolute directory under the cgroup2 mount
     * @return this builder
     */
    public Builder cgroupParent(Path dir) {
      Objects.requireNonNull(dir, "cgroupParent");
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("cgroupParent must be absolute, got '" + dir + "'");
      }
      if (cgroupParent != null) {
        throw new IllegalStateException("cgroupParent was already set to " + cgroupParent);
      }
      this.cgroupParent = dir;
      return this;
    }

    /**
     * Turns per-run cgroups off (on by default). Without them memory is bounded by {@code RLIMIT_AS} only, and
     * teardown relies on the pid namespace's init; the report says so. For tests of those fallbacks.
     *
     * @param enabled whether runs get cgroups
     * @return this builder
     */
    public Builder cgroups(boolean enabled) {
      if (cgroupsSet) {
        throw new IllegalStateException("cgroups was already set to " + cgroupsEnabled);
      }
      this.cgroupsEnabled = enabled;
      this.cgroupsSet = true;
      return this;
    }

    /**
     * Keeps the backend probe in a file shared by every JVM of this user (for short-lived programs such as the CLI).
     * An entry is used while the boot, the kernel, the tools and the identity settings are unchanged, for at most a
     * day, and only when the file and its directory belong to this user and nobody else can write them. Off by
     * default.
     *
     * @param file the cache file, absolute; its directory is created 0700
     * @return this builder
     */
    public Builder probeCache(Path file) {
      Objects.requireNonNull(file, "probeCache");
      if (!file.isAbsolute() || file.getParent() == null) {
        throw new IllegalArgumentException("probeCache must be an absolute file path, got '" + file + "'");
      }
      if (probeCache != null) {
        throw new IllegalStateException("probeCache was already set to " + probeCache);
      }
      this.probeCache = file;
      return this;
    }

    /**
     * Sets the directories searched for {@code bwrap}, {@code unshare}, {@code setpriv}, {@code mount}, {@code prlimit},
     * {@code sh} and {@code true}. Default: {@code /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin} (the
     * process environment's {@code PATH} is never read).
     *
     * @param dirs absolute directories, searched in order
     * @return this builder
     */
    public Builder searchPath(List<Path> dirs) {
      Objects.requireNonNull(dirs, "searchPath");
      if (searchPathSet) {
        throw new IllegalStateException("searchPath was already set to " + searchPath);
      }
      for (Path d : dirs) {
        if (d == null || !d.isAbsolute()) {
          throw new IllegalArgumentException("searchPath entries must be absolute paths, got '" + d + "'");
        }
      }
      this.searchPath = List.copyOf(dirs);
      this.searchPathSet = true;
      return this;
    }

    /**
     * Forces one backend instead of the automatic chain; a forced backend that is unavailable is refused, never
     * replaced.
     *
     * @param backend the backend, or {@code null} for automatic ({@code security.sandbox.backend: auto})
     * @return this builder
     */
    public Builder backend(@Nullable SandboxBackend backend) {
      if (this.backend != null) {
        throw new IllegalStateException("backend was already set to " + this.backend);
      }
      this.backend = backend;
      return this;
    }

    /**
     * Sets the clock used for reported durations.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      if (clockSet) {
        throw new IllegalStateException("clock was already set to " + this.clock);
      }
      this.clock = clock;
      this.clockSet = true;
      return this;
    }

    /**
     * Sets the directory for helper files (an empty read-only file that hides host files) and the working directory of
     * the Landlock mode without a workspace. Default: {@code java.io.tmpdir}. Seccomp programs are never written to
     * disk: they reach bwrap through a pipe.
     *
     * @param dir an existing absolute directory
     * @return this builder
     */
    public Builder tempDirectory(Path dir) {
      Objects.requireNonNull(dir, "tempDirectory");
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("tempDirectory must be absolute, got '" + dir + "'");
      }
      if (tempDirectorySet) {
        throw new IllegalStateException("tempDirectory was already set to " + tempDirectory);
      }
      this.tempDirectory = dir;
      this.tempDirectorySet = true;
      return this;
    }

    /**
     * Builds the runner. Probing happens lazily on first use.
     *
     * @return the runner
     */
    public NamespaceRunner build() {
      return new NamespaceRunner(this);
    }
  }
}
