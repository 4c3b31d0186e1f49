package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one launch and waits for it on a dedicated, newly created platform thread. The thread lives exactly as long as
 * the launched process: bwrap's {@code --die-with-parent} and setpriv's {@code --pdeathsig} fire when the spawning
 * <em>thread</em> exits, so the spawn must never happen on a pooled or virtual thread. A thread created here inherits
 * the seccomp filters of the thread that called {@link #start}.
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

  /**
   * Starts the launch on its own platform thread.
   *
   * @param plan what to launch
   * @param policy the policy (timeout and output caps)
   * @param clock clock for the reported duration
   * @param cleanup run after the process ended (deletes temporary files)
   * @return a future completed with the result, or exceptionally with {@link SandboxException} when the launch failed;
   *     cancelling it kills the sandbox
   */
  public static CompletableFuture<SandboxResult> start(
      LaunchPlan plan, SandboxPolicy policy, Clock clock, Runnable cleanup) {
    CompletableFuture<SandboxResult> future = new CompletableFuture<>();
    long id = IDS.incrementAndGet();
    Thread t = new Thread(() -> supervise(plan, policy, clock, cleanup, future, id), "sandbox-run-" + id);
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
      Runnable cleanup,
      CompletableFuture<SandboxResult> future,
      long id) {
    try {
      ProcessBuilder pb = new ProcessBuilder(plan.argv()).directory(plan.directory().toFile());
      pb.environment().clear();
      pb.environment().putAll(plan.environment());
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Instant start = clock.instant();
      Process p;
      try {
        p = startProcess(pb, plan, id);
      } catch (SandboxException e) {
        future.completeExceptionally(e);
        return;
      }
      Capture out = new Capture(p.getInputStream(), policy.stdoutLimit());
      Capture err = new Capture(p.getErrorStream(), policy.stderrLimit());
      Future<?> outReader = READERS.submit(out);
      Future<?> errReader = READERS.submit(err);
      boolean finished;
      boolean interrupted = false;
      try {
        finished = p.waitFor(policy.timeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        finished = false;
        interrupted = true;
      }
      boolean pidNamespace = plan.report().namespaces().contains(Namespace.PID);
      if (!finished) {
        killTree(p, pidNamespace);
      }
      int code = awaitExit(p, pidNamespace);
      Instant end = clock.instant();
      drain(outReader, p.getInputStream());
      drain(errReader, p.getErrorStream());
      if (interrupted) {
        future.cancel(false);
        return;
      }
      future.complete(
          new SandboxResult(
              code,
              !finished,
              out.bytes(),
              out.truncated(),
              err.bytes(),
              err.truncated(),
              Duration.between(start, end),
              plan.report()));
    } catch (RuntimeException | Error e) {
      future.completeExceptionally(e);
      throw e;
    } finally {
      cleanup.run();
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
      throw launchFailed(plan, e.getCause());
    }
  }

  private static SandboxException launchFailed(LaunchPlan plan, Throwable e) {
    return new SandboxException("could not start the " + plan.report().backend() + " sandbox: " + e.getMessage(), e);
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

  private static int awaitExit(Process p, boolean pidNamespace) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
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
    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private volatile boolean truncated;

    Capture(InputStream in, int limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      try {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          synchronized (buffer) {
            int keep = Math.min(n, limit - buffer.size());
            if (keep > 0) {
              buffer.write(chunk, 0, keep);
            }
            if (keep < n) {
              truncated = true;
            }
          }
        }
      } catch (IOException e) {
        LOG.debug("sandbox output stream closed", e);
      }
    }

    byte[] bytes() {
      synchronized (buffer) {
        return buffer.toByteArray();
      }
    }

    boolean truncated() {
      return truncated;
    }
  }
}
