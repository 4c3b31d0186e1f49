package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one launch and waits for it on a dedicated, newly created platform thread, or, inside {@link #inline} (a
 * blocking caller on a platform thread), on the calling thread itself. Either thread lives at least as long as the
 * launched process: bwrap's {@code --die-with-parent} and setpriv's {@code --pdeathsig} fire when the spawning
 * <em>thread</em> exits, so the spawn must never happen on a pooled thread that returns to its pool during the run, or on
 * a virtual thread. A thread created here inherits the seccomp filters of the thread that called {@link #start}.
 */
public final class Supervisor {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  private static final AtomicLong IDS = new AtomicLong();
  private static final long DRAIN_MILLIS = 5_000;
  private static final AtomicLong READER_IDS = new AtomicLong();

  /**
   * Output readers only read pipes, so unlike the spawning thread they may be pooled; reusing them saves two thread
   * starts per run.
   */
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sandbox-output-" + READER_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private Supervisor() {}

  /** What the runner does after a run: hand back the workspace and the uid (only when nothing of the run is left). */
  @FunctionalInterface
  public interface Finisher {
    /**
     * Releases the run's resources.
     *
     * @param tornDown whether the containment confirmed that no process of the run is alive
     */
    void finish(boolean tornDown);

    /** Does nothing. */
    Finisher NONE = tornDown -> {};
  }

  /** Set by {@link #inline} for the duration of a blocking call. */
  private static final ThreadLocal<Boolean> INLINE = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private static final java.lang.invoke.@Nullable MethodHandle IS_VIRTUAL = isVirtualHandle();

  private static java.lang.invoke.@Nullable MethodHandle isVirtualHandle() {
    try {
      return java.lang.invoke.MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", java.lang.invoke.MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null; // before JDK 19/21: every thread is a platform thread
    }
  }

  /**
   * Whether the current thread may spawn and supervise a run itself: a platform thread (a virtual thread's carrier may
   * change or end while the run lives, and bwrap's parent-death signal is tied to the spawning OS thread).
   *
   * @return true on a platform thread
   */
  static boolean onPlatformThread() {
    if (IS_VIRTUAL == null) {
      return true;
    }
    try {
      return !(boolean) IS_VIRTUAL.invoke(Thread.currentThread());
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Runs an action during which {@link #start} supervises on the calling thread when it is a platform thread, so the
   * returned future is complete when {@code start} returns. Only for callers that block until the run ends anyway.
   *
   * @param action the action (every {@link #start} it makes, probe launches included, supervises on this thread)
   * @param <T> its result
   * @return its result
   * @throws SandboxException when the action throws it
   */
  public static <T> T inline(InlineAction<T> action) throws SandboxException {
    if (!onPlatformThread()) {
      return action.run();
    }
    INLINE.set(Boolean.TRUE);
    try {
      return action.run();
    } finally {
      INLINE.set(Boolean.FALSE);
    }
  }

  /** An action for {@link #inline}. */
  @FunctionalInterface
  public interface InlineAction<T> {
    /**
     * Runs.
     *
     * @return the result
     * @throws SandboxException when refused
     */
    T run() throws SandboxException;
  }

  /** How long the backend's init gets to exit with its monitor before it is killed. */
  static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** How long to wait for bwrap's status line when it is needed (it is written before the sandbox runs). */
  static final long INIT_STATUS_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** How often the run's CPU time is compared with its budget. */
  static final long CPU_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * Starts the launch on its own platform thread.
   *
   * @param plan what to launch
   * @param policy the policy (timeout and output caps)
   * @param clock clock for the reported duration
   * @param containment the run's cgroups: killed through at the timeout, checked empty after every exit
   * @param cpuBudgetNanos CPU time of the whole run after which it is killed, or empty
   * @param finisher run after the run ended (hands back the workspace, releases the uid)
   * @return a future completed with the result, or exceptionally with {@link SandboxException} when the launch failed
   *     or the teardown could not be confirmed; cancelling it kills the sandbox
   */
  public static CompletableFuture<SandboxResult> start(
      LaunchPlan plan,
      SandboxPolicy policy,
      Clock clock,
      Containment containment,
      OptionalLong cpuBudgetNanos,
      Finisher finisher) {
    CompletableFuture<SandboxResult> future = new CompletableFuture<>();
    long id = IDS.incrementAndGet();
    if (INLINE.get()) {
      // a blocking caller on a platform thread: that thread lives until the run is torn down, so it can spawn and
      // supervise itself (no thread start, no hand-off of the result); an interrupt kills the run and cancels the future
      supervise(plan, policy, clock, containment, cpuBudgetNanos, finisher, future, id);
      return future;
    }
    Thread t =
        new Thread(
            () -> supervise(plan, policy, clock, containment, cpuBudgetNanos, finisher, future, id), "sandbox-run-" + id);
    t.setDaemon(true);
    future.whenComplete(
        (r, e) -> {
          if (future.isCancelled()) {
            t.interrupt();
          }
        });
    t.start();
    return future;
  }

  private static void supervise(
      LaunchPlan plan,
      SandboxPolicy policy,
      Clock clock,
      Containment containment,
      OptionalLong cpuBudgetNanos,
      Finisher finisher,
      CompletableFuture<SandboxResult> future,
      long id) {
    boolean tornDown = false;
    java.util.function.Supplier<Optional<SandboxInit.Handle>> initHandle = Optional::empty;
    SandboxResult result = null;
    Throwable failure = null;
    boolean cancelled = false;
    try {
      ProcessBuilder pb = new ProcessBuilder(plan.argv()).directory(plan.directory().toFile());
      pb.environment().clear();
      pb.environment().putAll(plan.environment());
      if (plan.stdin().isEmpty()) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      Instant start = clock.instant();
      Process p = null;
      try {
        p = startProcess(pb, plan, id);
      } catch (SandboxException e) {
        tornDown = true; // nothing was started
        failure = e;
      }
      if (p != null) {
        Run run = new Run(p, plan, policy, containment, cpuBudgetNanos);
        initHandle = run.err::init;
        run.await();
        try {
          run.lingering = run.ensureInitGone() + containment.ensureEmpty();
          tornDown = true;
        } catch (SandboxException e) {
          LOG.error("sandbox teardown failed: {}", e.getMessage());
          closeQuietly(p.getInputStream());
          closeQuietly(p.getErrorStream());
          failure = e;
        }
        if (tornDown) {
          Instant end = clock.instant();
          run.drainOutput();
          if (run.interrupted) {
            cancelled = true;
          } else if (run.code == 125 && run.err.startsWith(Launcher.JOIN_FAILED)) {
            failure =
                new SandboxException(
                    SandboxException.Reason.LAUNCH_FAILED,
                    "could not start the " + plan.report().backend() + " sandbox: " + run.err.firstLine());
          } else {
            if (run.lingering > 0) {
              LOG.warn("{} processes outlived the sandboxed command and were killed by cgroup", run.lingering);
            }
            result = run.result(Duration.between(start, end), containment.oomKills());
          }
        }
      }
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      if (!tornDown) {
        try {
          containment.killAll();
          containment.ensureEmpty();
          tornDown = true;
        } catch (SandboxException | RuntimeException e) {
          LOG.error("sandbox teardown after a failure did not complete: {}", e.toString());
        }
      }
      if (tornDown) {
        containment.close();
      }
      initHandle.get().ifPresent(SandboxInit.Handle::close);
      // the workspace and the uid are handed back before the caller sees the result
      finisher.finish(tornDown);
    }
    if (cancelled) {
      future.cancel(false);
    } else if (failure != null) {
      future.completeExceptionally(failure);
      if (failure instanceof Error) {
        throw (Error) failure;
      }
    } else {
      future.complete(result);
    }
  }

  /** One started process: waits with the timeout and the CPU budget, kills through the containment. */
  private static final class Run {
    final Process p;
    final LaunchPlan plan;
    final SandboxPolicy policy;
    final Containment containment;
    final OptionalLong cpuBudgetNanos;
    final Capture out;
    final Capture err;
    final Future<?> outReader;
    final Future<?> errReader;
    boolean finished;
    boolean interrupted;
    boolean cpuExceeded;
    int code;
    int lingering;

    Run(Process p, LaunchPlan plan, SandboxPolicy policy, Containment containment, OptionalLong cpuBudgetNanos) {
      this.p = p;
      this.plan = plan;
      this.policy = policy;
      this.containment = containment;
      this.cpuBudgetNanos = cpuBudgetNanos;
      if (plan.stdin().isPresent()) {
        feed(p, plan.stdin().get());
      }
      this.out = new Capture(p.getInputStream(), policy.stdoutLimit());
      this.err = new Capture(p.getErrorStream(), policy.stderrLimit(), plan.bwrapStatus());
      this.outReader = READERS.submit(out);
      this.errReader = READERS.submit(err);
    }

    void await() {
      long deadline = System.nanoTime() + policy.timeout().toNanos();
      try {
        while (true) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            break;
          }
          long slice = cpuBudgetNanos.isPresent() ? Math.min(remaining, CPU_CHECK_NANOS) : remaining;
          if (p.waitFor(slice, TimeUnit.NANOSECONDS)) {
            finished = true;
            break;
          }
          if (cpuBudgetNanos.isPresent() && containment.cpuUsageNanos().orElse(0) > cpuBudgetNanos.getAsLong()) {
            cpuExceeded = true;
            break;
          }
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      boolean pidNamespace = plan.report().namespaces().contains(Namespace.PID);
      if (!finished) {
        containment.killAll();
        // the init as bwrap reported it before the sandbox ran: killing it ends the whole pid namespace
        err.awaitInit(INIT_STATUS_NANOS).ifPresent(SandboxInit.Handle::kill);
        killTree(p, pidNamespace);
      }
      code = awaitExit(p, pidNamespace, containment);
    }

    /**
     * After the backend's monitor exited: the sandbox's init must be gone too (it dies with the monitor by its
     * parent-death signal unless the sandbox subverted it); kill it through its pid otherwise.
     *
     * @return 1 when the init had to be killed
     * @throws SandboxException when it survives the kill
     */
    int ensureInitGone() throws SandboxException {
      Optional<SandboxInit.Handle> init = err.awaitInit(INIT_STATUS_NANOS);
      if (init.isEmpty()) {
        return 0;
      }
      try (SandboxInit.Handle h = init.get()) {
        if (h.awaitGone(GRACE_NANOS)) {
          return 0;
        }
        h.kill();
        if (!h.awaitGone(TimeUnit.SECONDS.toNanos(10))) {
          throw new SandboxException(
              SandboxException.Reason.TEARDOWN_FAILED,
              "the sandbox's init (host pid " + h.init().pid() + ") is still alive after SIGKILL");
        }
        return 1;
      }
    }

    void drainOutput() {
      drain(outReader, p.getInputStream());
      drain(errReader, p.getErrorStream());
    }

    SandboxResult result(Duration duration, int oomKills) {
      return new SandboxResult(
          code,
          !finished && !cpuExceeded,
          out.bytes(),
          out.truncated(),
          err.bytes(),
          err.truncated(),
          duration,
          plan.report(),
          new SandboxResult.Events(oomKills, cpuExceeded, lingering));
    }
  }

  /** Writes the backend's standard input (the seccomp program) and closes it; a backend that died early is fine. */
  private static void feed(Process p, byte[] bytes) {
    try (OutputStream in = p.getOutputStream()) {
      in.write(bytes);
    } catch (IOException e) {
      LOG.debug("backend closed its standard input early (its exit status says why)", e);
    }
  }

  private static void closeQuietly(InputStream s) {
    try {
      s.close();
    } catch (IOException e) {
      LOG.debug("closing sandbox output failed", e);
    }
  }

  /**
   * Starts the process. Thread restrictions (Landlock mode) go on a dedicated spawner thread that lives exactly as long
   * as the process (its parent-death signal is tied to that thread), so this run thread, which completes the caller's
   * future and may run the caller's dependent actions, stays unrestricted.
   */
  private static Process startProcess(ProcessBuilder pb, LaunchPlan plan, long id) throws SandboxException {
    if (plan.threadSetup() == ThreadSetup.NONE) {
      try {
        return pb.start();
      } catch (IOException e) {
        throw launchFailed(plan, e);
      }
    }
    CompletableFuture<Process> started = new CompletableFuture<>();
    Thread spawner =
        new Thread(
            () -> {
              Process p;
              try {
                plan.threadSetup().apply();
                p = pb.start();
              } catch (SandboxException e) {
                started.completeExceptionally(e);
                return;
              } catch (IOException | RuntimeException e) {
                started.completeExceptionally(launchFailed(plan, e));
                return;
              }
              started.complete(p);
              while (true) {
                try {
                  p.waitFor();
                  return;
                } catch (InterruptedException e) {
                  // stay alive until the child is gone: this thread's exit would kill it
                  continue;
                }
              }
            },
            "sandbox-spawn-" + id);
    spawner.setDaemon(true);
    spawner.start();
    try {
      return started.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof SandboxException) {
        throw (SandboxException) e.getCause();
      }
      throw launchFailed(plan, Objects.requireNonNull(e.getCause(), "join() wraps the failure"));
    }
  }

  private static SandboxException launchFailed(LaunchPlan plan, Throwable e) {
    return new SandboxException(
        SandboxException.Reason.LAUNCH_FAILED,
        "could not start the " + plan.report().backend() + " sandbox: " + e.getMessage(),
        e);
  }



  /**
   * Kills the launched process and every descendant. With a pid namespace, killing the monitor at once is enough and
   * fastest: its death kills the namespace's init (parent-death signal) and the kernel then kills every process in the
   * namespace. Without one (unisolated backend) the descendants are collected first, best effort, since they are
   * re-parented once the launched process dies.
   */
  static void killTree(Process p, boolean pidNamespace) {
    if (pidNamespace) {
      p.destroyForcibly();
      LOG.debug("killed sandbox monitor pid {}", p.pid());
      return;
    }
    List<ProcessHandle> descendants = p.descendants().toList();
    p.destroyForcibly();
    for (ProcessHandle h : descendants) {
      h.destroyForcibly();
    }
    LOG.debug("killed pid {} and {} descendants", p.pid(), descendants.size());
  }

  private static int awaitExit(Process p, boolean pidNamespace, Containment containment) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
          containment.killAll();
          killTree(p, pidNamespace);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void drain(Future<?> reader, InputStream stream) {
    boolean done = false;
    try {
      reader.get(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
      done = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      done = reader.isDone();
    }
    if (!done) {
      // an escaped grandchild (unisolated backend only) still holds the pipe open: stop reading
      LOG.warn("sandbox output still open after the command exited; closing it");
      try {
        stream.close();
      } catch (IOException e) {
        LOG.debug("closing sandbox output failed", e);
      }
    }
  }

  /** Reads a stream to its end, keeping at most {@code limit} bytes. */
  static final class Capture implements Runnable {
    private static final int STATUS_MAX = 4096;
    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private volatile boolean truncated;
    private final boolean bwrapStatus;
    private final CompletableFuture<Optional<SandboxInit.Handle>> init = new CompletableFuture<>();
    private volatile boolean exitLineSeen;

    Capture(InputStream in, int limit) {
      this(in, limit, false);
    }

    /**
     * @param bwrapStatus whether the stream starts with bwrap's status line (kept out of the capture and parsed) and
     *     ends with its exit-code document (removed)
     */
    Capture(InputStream in, int limit, boolean bwrapStatus) {
      this.in = in;
      this.limit = limit;
      this.bwrapStatus = bwrapStatus;
      if (!bwrapStatus) {
        init.complete(Optional.empty());
      }
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      ByteArrayOutputStream first = bwrapStatus ? new ByteArrayOutputStream() : null;
      try {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          int from = 0;
          if (first != null) {
            int nl = -1;
            for (int i = 0; i < n; i++) {
              if (chunk[i] == '\n') {
                nl = i;
                break;
              }
            }
            first.write(chunk, 0, nl < 0 ? n : nl + 1);
            if (nl < 0 && first.size() < STATUS_MAX) {
              continue;
            }
            String line = first.toString(StandardCharsets.UTF_8);
            Optional<SandboxInit> parsed = SandboxInit.parse(line);
            // the init is alive now: bwrap lets it run only after this line
            init.complete(parsed.map(SandboxInit::open));
            if (parsed.isEmpty()) {
              keep(first.toByteArray(), first.size()); // not a status line (bwrap failed early): it is output
            }
            first = null;
            from = nl < 0 ? n : nl + 1;
          }
          if (from < n) {
            byte[] rest = from == 0 ? chunk : java.util.Arrays.copyOfRange(chunk, from, n);
            keep(rest, n - from);
          }
        }
      } catch (IOException e) {
        LOG.debug("sandbox output stream closed", e);
      } finally {
        if (first != null && first.size() > 0) {
          keep(first.toByteArray(), first.size());
        }
        init.complete(Optional.empty());
      }
    }

    private void keep(byte[] b, int n) {
      synchronized (buffer) {
        int keep = Math.min(n, limit - buffer.size());
        if (keep > 0) {
          buffer.write(b, 0, keep);
        }
        if (keep < n) {
          truncated = true;
        }
      }
    }

    /** The sandbox's init from bwrap's status line, once the line was read (empty when there is none). */
    Optional<SandboxInit.Handle> init() {
      return init.getNow(Optional.empty());
    }

    /** Waits briefly for the status line (it precedes everything the sandbox writes). */
    Optional<SandboxInit.Handle> awaitInit(long timeoutNanos) {
      try {
        return init.get(timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return init();
      } catch (ExecutionException | TimeoutException e) {
        return init();
      }
    }

    byte[] bytes() {
      synchronized (buffer) {
        byte[] b = buffer.toByteArray();
        if (!bwrapStatus) {
          return b;
        }
        // bwrap's closing {"exit-code": N} document: remove its last occurrence
        String text = new String(b, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = SandboxInit.EXIT_CODE_LINE.matcher(text);
        int start = -1;
        int end = -1;
        while (m.find()) {
          start = m.start();
          end = m.end();
        }
        if (start < 0) {
          return b;
        }
        byte[] out = new byte[b.length - (end - start)];
        System.arraycopy(b, 0, out, 0, start);
        System.arraycopy(b, end, out, start, b.length - end);
        return out;
      }
    }

    boolean startsWith(String prefix) {
      byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
      synchronized (buffer) {
        byte[] b = buffer.toByteArray();
        return b.length >= p.length && Arrays.equals(Arrays.copyOf(b, p.length), p);
      }
    }

    String firstLine() {
      String s = new String(bytes(), StandardCharsets.UTF_8).strip();
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }

    boolean truncated() {
      return truncated;
    }
  }
}
