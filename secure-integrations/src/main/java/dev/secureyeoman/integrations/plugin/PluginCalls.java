package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs plugin code: lifecycle calls on worker threads with a timeout (a plugin whose {@code start} hangs cannot hang the
 * host), every call with the plugin's class loader as context class loader, restored afterwards. Whatever a plugin
 * throws (including {@link Error}s such as {@link NoClassDefFoundError}) becomes a {@link PluginException}.
 */
final class PluginCalls implements AutoCloseable {

  /** Plugin code that returns a value. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws Exception;
  }

  /** A lifecycle step without a result (see {@link #step}). */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private static final ClassLoader HOST = PluginCalls.class.getClassLoader();

  private final ThreadPoolExecutor workers;
  private final Duration timeout;

  PluginCalls(Duration timeout) {
    this.timeout = timeout;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "integration-lifecycle-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(HOST); // never inherit a plugin's loader from the submitting thread
      return t;
    });
  }

  /**
   * Runs a lifecycle step of integration {@code id} on a worker thread and waits at most the timeout; on timeout the
   * worker is interrupted and {@link Reason#TIMEOUT} is thrown.
   */
  <T> T lifecycle(String id, @Nullable String jar, ClassLoader loader, String step, Reason failure, Call<T> call)
      throws PluginException {
    Future<T> f;
    try {
      f = workers.submit(() -> {
        try {
          return inContext(loader, call);
        } catch (PluginException | VirtualMachineError e) {
          throw e;
        } catch (Exception | Error e) {
          // described here, on the worker and under the timeout: a plugin's throwable may hang or throw in getMessage()
          throw PluginFailure.of(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw PluginException.forIntegration(Reason.ILLEGAL_STATE, id, jar, "the manager is closed", null);
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw PluginException.forIntegration(Reason.TIMEOUT, id, jar, step + " did not return within " + timeout, null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof PluginException pe) {
        throw pe;
      }
      if (cause instanceof PluginFailure pf) {
        throw PluginException.forIntegration(failure, id, jar, step + " threw " + pf.getMessage(), pf);
      }
      throw PluginException.forIntegration(failure, id, jar, step + " threw " + cause.getClass().getName(), null);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw PluginException.forIntegration(failure, id, jar, step + " was interrupted", e);
    }
  }

  /** {@link #lifecycle} for a step without a result. */
  void step(String id, @Nullable String jar, ClassLoader loader, String step, Reason failure, Step s)
      throws PluginException {
    lifecycle(
        id, jar, loader, step, failure, () -> {
          s.run();
          return Boolean.TRUE; // lifecycle() yields a (non-null) value; a step has none
        });
  }

  /** Runs plugin code on the calling thread with the plugin's class loader as context class loader. */
  static <T> T inContext(ClassLoader loader, Call<T> call) throws Exception {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return call.call();
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
