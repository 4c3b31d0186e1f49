package dev.secureyeoman.sandbox;

import dev.secureyeoman.sandbox.internal.DefaultSeccompSupport;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.RunnerEngine;
import dev.secureyeoman.sandbox.internal.SeccompSupport;
import dev.secureyeoman.sandbox.internal.Tools;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
 * file system read-only, {@code /tmp} a fresh tmpfs, the workspace the only writable host directory; {@code
 * no_new_privs}; the whole namespace killed at the timeout. Seccomp and Landlock layers are listed in the report only
 * when installed. Non-goals: kernel exploits, covert channels, CPU/memory fairness beyond rlimits (no cgroups).
 */
public final class NamespaceRunner {
  private final RunnerEngine engine;

  private NamespaceRunner(Builder b) {
    int euid = Identity.currentEffectiveUid();
    Optional<Identity> identity =
        b.runAs != null ? Optional.of(b.runAs) : euid == 0 ? Optional.of(Identity.NOBODY) : Optional.empty();
    this.engine =
        new RunnerEngine(
            new Tools(b.searchPath),
            b.backend,
            b.clock,
            b.tempDirectory,
            Path.of("/"),
            seccompSupport(),
            identity,
            euid);
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
   * Probes the backends (first call only; later calls return the cached result).
   *
   * @return what this host offers
   */
  public SandboxCapabilities probe() {
    return engine.capabilities();
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
    CompletableFuture<SandboxResult> f = engine.start(policy);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (CancellationException e) {
      throw new SandboxException("sandbox run was cancelled", e);
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
      throw new SandboxException("sandbox run failed", c);
    }
  }

  /** Builder for {@link NamespaceRunner}. */
  public static final class Builder {
    private List<Path> searchPath = Tools.DEFAULT_SEARCH_PATH;
    private boolean searchPathSet;
    private SandboxBackend backend;
    private Clock clock = Clock.systemUTC();
    private boolean clockSet;
    private Path tempDirectory = Path.of(System.getProperty("java.io.tmpdir"));
    private boolean tempDirectorySet;
    private Identity runAs;

    private Builder() {}

    /**
     * Sets the unprivileged host identity sandboxes run as (switched with {@code setpriv} before the backend starts).
     * Default: {@code 65534:65534} when the JVM runs as root, the JVM's own identity otherwise. Host uid 0 is refused:
     * the kernel exempts it from {@code RLIMIT_NPROC} and it can read root-only files through the read-only view.
     *
     * @param uid host uid, at least 1
     * @param gid host gid, at least 1
     * @return this builder
     */
    public Builder runAs(int uid, int gid) {
      if (runAs != null) {
        throw new IllegalStateException("runAs was already set to " + runAs.uid() + ":" + runAs.gid());
      }
      this.runAs = new Identity(uid, gid);
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
    public Builder backend(SandboxBackend backend) {
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
     * Sets where seccomp programs are written (mode 0600) for the duration of a run. Default: {@code java.io.tmpdir}.
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
