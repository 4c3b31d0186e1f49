package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationScheduler;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link IntegrationContext} of one integration instance. Closing it cancels the instance's scheduled tasks
 * (interrupting one that is running), drops its webhook handler and makes inbound, audit and scheduling calls fail: a
 * stale instance cannot act any more, and nothing the host keeps refers to the plugin's classes.
 *
 * <p>Scheduling: the host's scheduler only <em>triggers</em> tasks; plugin code runs on this instance's own worker
 * thread (created on first use) with at most {@value #MAX_QUEUED} runs queued, and a periodic task never has more than
 * one run queued or running. A task that blocks therefore delays only its own integration, never another one or the
 * host's scheduler.
 */
final class ScopedContext implements IntegrationContext, AutoCloseable {
  /** Phase of the instance, as far as the context is concerned. */
  enum Phase { INITIALIZING, STARTING, RUNNING, STOPPING, CLOSED }

  private final String id;
  private final Logger logger;
  private final AuditSink hostAudit;
  private final LifecycleAudit lifecycleAudit;
  private final InboundMessageSink hostInbound;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  /** Most runs of one instance's tasks waiting for its worker thread; further triggers are dropped (and logged). */
  static final int MAX_QUEUED = 64;

  /** Audit events one instance may record at once; beyond, {@link #AUDIT_PER_SECOND} per second (host clock). */
  static final int AUDIT_BURST = 100;

  /** Sustained audit events per second per instance. */
  static final int AUDIT_PER_SECOND = 10;

  /** Largest audit event a plugin may record: message, metadata keys and values, in characters. */
  static final int MAX_AUDIT_EVENT_CHARS = 16 * 1024;

  private final Set<ScopedTask> tasks = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean healthBusy = new AtomicBoolean();
  private double auditTokens = AUDIT_BURST; // guarded by this
  private java.time.@Nullable Instant auditRefilled; // guarded by this
  private boolean auditThrottleReported; // guarded by this
  private @Nullable ThreadPoolExecutor worker; // guarded by this
  private volatile @Nullable ClassLoader loader; // null once closed
  private volatile Phase phase = Phase.INITIALIZING;
  private volatile @Nullable WebhookHandler webhook;

  ScopedContext(String id, ClassLoader loader, AuditSink hostAudit, LifecycleAudit lifecycleAudit,
      InboundMessageSink hostInbound, ScheduledExecutorService scheduler, Clock clock) {
    this.id = id;
    this.loader = loader;
    this.logger = LoggerFactory.getLogger("dev.secureyeoman.integration." + id);
    this.hostAudit = hostAudit;
    this.lifecycleAudit = lifecycleAudit;
    this.hostInbound = hostInbound;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  void phase(Phase next) {
    if (phase != Phase.CLOSED) {
      phase = next;
    }
  }

  Phase phase() {
    return phase;
  }

  /** Set while a {@code health()} call of this instance runs (so a hanging one is not called again). */
  AtomicBoolean healthBusy() {
    return healthBusy;
  }

  @Nullable WebhookHandler webhook() {
    return webhook;
  }

  /** The plugin's class loader; null once closed. */
  @Nullable ClassLoader loader() {
    return loader;
  }

  @Override
  public String integrationId() {
    return id;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public AuditSink audit() {
    return this::recordForPlugin;
  }

  @Override
  public InboundMessageSink inbound() {
    return this::acceptInbound;
  }

  @Override
  public IntegrationScheduler scheduler() {
    return new IntegrationScheduler() {
      @Override
      public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        requireNonNegative(delay, "delay");
        return track(task, t -> scheduler.schedule(t, delay.toNanos(), TimeUnit.NANOSECONDS), false);
      }

      @Override
      public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration delay) {
        requireNonNegative(initialDelay, "initialDelay");
        if (delay.isZero() || delay.isNegative()) {
          throw new IllegalArgumentException("delay must be positive");
        }
        return track(task, t -> scheduler.scheduleWithFixedDelay(
            t, initialDelay.toNanos(), delay.toNanos(), TimeUnit.NANOSECONDS), true);
      }
    };
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized void registerWebhook(WebhookHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (phase == Phase.CLOSED || phase == Phase.STOPPING) {
      throw new IllegalStateException("integration '" + id + "' is stopped");
    }
    if (webhook != null) {
      throw new IllegalStateException("integration '" + id + "' already registered a webhook handler");
    }
    webhook = handler;
  }

  @Override
  public void close() {
    phase = Phase.CLOSED;
    for (ScopedTask t : tasks) {
      t.cancel();
    }
    tasks.clear();
    ThreadPoolExecutor w;
    synchronized (this) {
      w = worker;
      worker = null;
    }
    if (w != null) {
      w.shutdownNow(); // interrupts a running task; queued runs are dropped
    }
    webhook = null;
    loader = null;
  }

  /** The instance's worker, created on first use; null once closed. */
  private synchronized @Nullable ThreadPoolExecutor worker() {
    if (phase == Phase.CLOSED) {
      return null;
    }
    if (worker == null) {
      AtomicInteger n = new AtomicInteger();
      ClassLoader host = ScopedContext.class.getClassLoader();
      ThreadPoolExecutor w = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
            Thread t = new Thread(r, "integration-" + id + "-task-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(host);
            return t;
          }, (r, executor) -> {
            if (!executor.isShutdown()) {
              logger.warn("integration {} has more than {} task runs queued; run dropped", id, MAX_QUEUED);
            }
            throw new RejectedExecutionException("integration " + id + ": task run dropped");
          });
      worker = w;
    }
    return worker;
  }

  private void recordForPlugin(AuditEvent event) throws AuditException {
    if (phase == Phase.CLOSED) {
      throw new AuditException("integration '" + id + "' is stopped; audit event refused");
    }
    // a plugin must not flood the host's audit log: retention by entry count would purge the host's own evidence
    long size = approxChars(event.message()) + approxChars(event.metadata());
    if (size > MAX_AUDIT_EVENT_CHARS) {
      throw new AuditException("integration '" + id + "': audit event larger than " + MAX_AUDIT_EVENT_CHARS
          + " characters refused");
    }
    if (!takeAuditToken()) {
      throw new AuditException("integration '" + id + "': audit rate limit (" + AUDIT_BURST + " at once, "
          + AUDIT_PER_SECOND + "/s) exceeded; event refused");
    }
    String prefix = "integration." + id + ".";
    String name = event.event().startsWith(prefix) ? event.event() : prefix + event.event();
    Map<String, Object> meta = new LinkedHashMap<>(event.metadata());
    meta.put("integration_id", id);
    hostAudit.record(new AuditEvent(event.level(), name, "integration:" + id, event.message(), meta,
        event.correlationId()));
  }

  private boolean takeAuditToken() {
    boolean report;
    synchronized (this) {
      java.time.Instant now = clock.instant();
      if (auditRefilled == null || now.isBefore(auditRefilled)) {
        auditRefilled = now; // first use, or the clock stepped back: never a refill from a step
      }
      long ms = Duration.between(auditRefilled, now).toMillis();
      if (ms > 0) {
        auditTokens = Math.min(AUDIT_BURST, auditTokens + ms * (AUDIT_PER_SECOND / 1000.0));
        auditRefilled = now;
      }
      if (auditTokens >= 1) {
        auditTokens -= 1;
        auditThrottleReported = false;
        return true;
      }
      report = !auditThrottleReported;
      auditThrottleReported = true;
    }
    if (report) {
      lifecycleAudit.bestEffort("integration.audit_throttled", AuditLevel.SECURITY, "integration '" + id
          + "' exceeded its audit rate limit; its further events are refused until the budget refills",
          LifecycleAudit.meta(id, null));
    }
    return false;
  }

  /** Characters of a metadata value, roughly (strings by length, everything else a few). */
  private static long approxChars(Object v) {
    if (v instanceof String str) {
      return str.length();
    }
    if (v instanceof Map<?, ?> m) {
      long n = 2;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += approxChars(e.getKey()) + approxChars(e.getValue()) + 2;
      }
      return n;
    }
    if (v instanceof java.util.List<?> l) {
      long n = 2;
      for (Object o : l) {
        n += approxChars(o) + 1;
      }
      return n;
    }
    return 8;
  }

  private void acceptInbound(UnifiedMessage message) throws IntegrationException {
    Objects.requireNonNull(message, "message");
    Phase p = phase;
    if (p != Phase.STARTING && p != Phase.RUNNING) {
      throw new IntegrationException("integration '" + id + "' is not running; inbound message refused");
    }
    if (!id.equals(message.platform())) {
      Map<String, Object> meta = LifecycleAudit.meta(id, null);
      meta.put("claimed_platform", message.platform());
      lifecycleAudit.bestEffort("integration.inbound_rejected", AuditLevel.SECURITY,
          "integration '" + id + "' delivered a message for platform '" + message.platform() + "'", meta);
      throw new IntegrationException(
          "message platform '" + message.platform() + "' does not match integration '" + id + "'");
    }
    hostInbound.accept(message);
  }

  private ScheduledFuture<?> track(
      Runnable task, java.util.function.Function<Runnable, ScheduledFuture<?>> submit, boolean periodic) {
    Objects.requireNonNull(task, "task");
    if (phase == Phase.CLOSED || phase == Phase.STOPPING) {
      throw new IllegalStateException("integration '" + id + "' is stopped; cannot schedule");
    }
    tasks.removeIf(ScopedTask::isDone);
    ScopedTask st = new ScopedTask(task, periodic);
    tasks.add(st);
    st.future = submit.apply(st);
    if (phase == Phase.CLOSED) {
      st.cancel(); // raced with close()
    }
    return st.future;
  }

  private static void requireNonNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
  }

  /**
   * A plugin task that can be detached from the plugin's classes when the instance stops. {@link #run()} is what the
   * host's scheduler calls: it only hands the task to the instance's worker (at most one run in flight).
   */
  private final class ScopedTask implements Runnable {
    private volatile @Nullable Runnable task; // null once cancelled or after a one-shot run
    private final boolean periodic;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private volatile @Nullable ScheduledFuture<?> future;

    ScopedTask(Runnable task, boolean periodic) {
      this.task = task;
      this.periodic = periodic;
    }

    @Override
    public void run() {
      if (task == null || phase == Phase.CLOSED || !inFlight.compareAndSet(false, true)) {
        return; // cancelled, stopped, or the previous run is still queued or running: coalesce
      }
      ThreadPoolExecutor w = worker();
      try {
        if (w == null) {
          inFlight.set(false);
          return;
        }
        w.execute(this::runOnWorker);
      } catch (RejectedExecutionException e) {
        inFlight.set(false);
      }
    }

    private void runOnWorker() {
      try {
        Runnable t = task;
        ClassLoader l = loader;
        if (t == null || l == null || phase == Phase.CLOSED) {
          return;
        }
        try {
          PluginCalls.inContext(l, () -> {
            t.run();
            return Boolean.TRUE; // inContext yields a (non-null) value; a task has none
          });
        } catch (VirtualMachineError e) {
          throw e;
        } catch (Exception | Error e) {
          logger.warn("scheduled task of integration {} failed: {}", id, Texts.describe(e));
        } finally {
          if (!periodic) {
            task = null;
          }
        }
      } finally {
        inFlight.set(false);
      }
    }

    boolean isDone() {
      ScheduledFuture<?> f = future;
      return task == null || (f != null && f.isDone() && !inFlight.get());
    }

    void cancel() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
      task = null;
    }
  }

  @Override
  public String toString() {
    return "IntegrationContext[" + id + ", " + phase + "]";
  }
}
