package dev.secureyeoman.audit;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic retention, checkpointing and verification of an {@link AuditStore}, on an executor the host owns.
 *
 * <pre>{@code
 * AuditMaintenance m = AuditMaintenance.builder(store, AuditMaintenanceSettings.of(90, 1_000_000, Duration.ofHours(1)))
 *     .scheduler(hostScheduler)
 *     .listener(report -> { if (!report.ok()) alerting.raise(report); })
 *     .build();
 * m.start();   // ... m.stop() before store.close()
 * }</pre>
 *
 * <p>Each run verifies first (against the configured checkpoints; with checkpoints, incrementally from the newest one
 * except every {@link AuditMaintenanceSettings#fullVerifyEvery()}th run, the first included, which verifies the whole
 * log): a log that fails — tampered,
 * truncated, rolled back, forked, or with its checkpoint file missing — is neither purged nor checkpointed, so
 * maintenance never erases or signs over evidence. Then retention (which re-checks its range), then a checkpoint
 * (which {@link AuditStore#checkpoint()} signs only over a log that agrees with the existing checkpoints).
 *
 * <p>Failures are never swallowed: a failed step or a log that does not verify is logged at ERROR, passed to the listener
 * and kept in {@link #lastReport()}. A failure does not cancel the schedule (the next run tries again).
 */
public final class AuditMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(AuditMaintenance.class);

  private final AuditStore store;
  private final AuditMaintenanceSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Consumer<MaintenanceReport> listener;
  private final AtomicReference<MaintenanceReport> last = new AtomicReference<>();
  private final Object lock = new Object();
  private final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
  private ScheduledFuture<?> task;

  private AuditMaintenance(Builder b) {
    this.store = b.store;
    this.settings = b.settings;
    this.scheduler = b.scheduler;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.listener = b.listener != null ? b.listener : r -> {};
  }

  /**
   * Starts a builder.
   *
   * @param store the store to maintain
   * @param settings what to do and how often
   * @return the builder
   */
  public static Builder builder(AuditStore store, AuditMaintenanceSettings settings) {
    return new Builder(store, settings);
  }

  /**
   * Schedules runs at a fixed delay of {@code settings.interval()}, the first after one interval.
   *
   * @throws IllegalStateException if already started
   */
  public void start() {
    synchronized (lock) {
      if (task != null) {
        throw new IllegalStateException("maintenance already started");
      }
      long ms = settings.interval().toMillis();
      task = scheduler.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** Cancels future runs (a run in progress completes). Does not shut down the host's scheduler. Idempotent. */
  public void stop() {
    synchronized (lock) {
      if (task != null) {
        task.cancel(false);
        task = null;
      }
    }
  }

  /**
   * Whether runs are scheduled.
   *
   * @return true between {@link #start()} and {@link #stop()}
   */
  public boolean isRunning() {
    synchronized (lock) {
      return task != null;
    }
  }

  /**
   * Runs verification, retention and a checkpoint once, now, on the calling thread. Never throws for a failed step: the
   * failure is in the report.
   *
   * @return the report (also given to the listener and kept as {@link #lastReport()})
   */
  public MaintenanceReport runOnce() {
    java.time.Instant started = clock.instant();
    long purged = 0;
    Optional<Checkpoint> cp = Optional.empty();
    Optional<VerificationResult> vr = Optional.empty();
    Optional<Exception> failure = Optional.empty();
    try {
      if (settings.verify()) {
        boolean full = runs.getAndIncrement() % settings.fullVerifyEvery() == 0 || !store.checkpointsConfigured();
        vr = Optional.of(store.verify(full ? VerifyOptions.defaults() : VerifyOptions.defaults().sinceCheckpoint()));
      }
      if (vr.map(VerificationResult::valid).orElse(true)) {
        purged = store.enforceRetention(settings.retention());
        if (purged > 0) {
          store.reclaimSpace(); // the purge leaves it to idle time; a maintenance run ends with the file shrunk
        }
        if (settings.checkpoint() && store.checkpointsConfigured()) {
          cp = Optional.of(store.checkpoint());
        }
      }
    } catch (AuditException | RuntimeException e) {
      failure = Optional.of(e);
    } catch (Error e) {
      // e.g. OutOfMemoryError on an entry grown to gigabytes: an Error escaping a periodic task makes the executor
      // cancel every later run without a word; report it like any failed step and keep the schedule
      failure = Optional.of(new AuditException(AuditException.Reason.STORAGE, "audit maintenance run failed: " + e, e));
    }
    MaintenanceReport report = new MaintenanceReport(started, clock.instant(), purged, cp, vr, failure);
    if (failure.isPresent()) {
      LOG.error("audit maintenance failed: {}", failure.get().getMessage(), failure.get());
    } else if (!report.ok()) {
      LOG.error("audit log failed verification (nothing purged or signed): {}", vr.orElseThrow().summary());
    } else {
      LOG.info("audit maintenance ok: purged {}, {}", purged, vr.map(VerificationResult::summary).orElse("not verified"));
    }
    last.set(report);
    try {
      listener.accept(report);
    } catch (RuntimeException e) {
      LOG.error("audit maintenance listener threw", e);
    }
    return report;
  }

  /**
   * The report of the most recent run.
   *
   * @return the report, or empty before the first run
   */
  public Optional<MaintenanceReport> lastReport() {
    return Optional.ofNullable(last.get());
  }

  /** Builder for {@link AuditMaintenance}. */
  public static final class Builder {
    private final AuditStore store;
    private final AuditMaintenanceSettings settings;
    private ScheduledExecutorService scheduler;
    private Clock clock;
    private Consumer<MaintenanceReport> listener;

    private Builder(AuditStore store, AuditMaintenanceSettings settings) {
      this.store = Objects.requireNonNull(store, "store");
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Sets the host's scheduler (required).
     *
     * @param scheduler the executor that runs maintenance
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      if (this.scheduler != null) {
        throw new IllegalStateException("scheduler was already set");
      }
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets the clock used for report timestamps (the store's own clock drives retention).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set");
      }
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets a listener called after every run (on the scheduler's thread).
     *
     * @param listener receives each report
     * @return this builder
     */
    public Builder listener(Consumer<MaintenanceReport> listener) {
      if (this.listener != null) {
        throw new IllegalStateException("listener was already set");
      }
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the (stopped) maintenance.
     *
     * @return the maintenance
     * @throws IllegalStateException if no scheduler was set
     */
    public AuditMaintenance build() {
      if (scheduler == null) {
        throw new IllegalStateException("scheduler is required");
      }
      return new AuditMaintenance(this);
    }
  }
}
