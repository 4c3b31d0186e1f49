package dev.secureyeoman.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Child JVM for {@link MaintenanceErrorTest}: runs {@link AuditMaintenance} every second on a store and prints either
 * {@code reported twice: <failure>} (the schedule survived two failed runs) or {@code schedule died: <error>} (a run
 * threw past the maintenance and the executor cancelled every later run, silently).
 */
public final class MaintenanceChild {
  private MaintenanceChild() {}

  public static void main(String[] args) throws Exception {
    CountDownLatch done = new CountDownLatch(2);
    StringBuilder outcome = new StringBuilder();
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(1) {
          @Override
          protected void afterExecute(Runnable r, Throwable t) {
            // a periodic task that threw is done: the executor never runs it again
            if (r instanceof Future<?> f && f.isDone() && !f.isCancelled()) {
              try {
                f.get();
              } catch (ExecutionException e) {
                synchronized (outcome) {
                  outcome.append("schedule died: ").append(e.getCause().getClass().getSimpleName());
                }
                done.countDown();
                done.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    scheduler.setMaximumPoolSize(1);
    try (AuditStore store = SqliteAuditStore.open(TestSupport.options(Path.of(args[0])).build())) {
      AuditMaintenance m =
          AuditMaintenance.builder(store, AuditMaintenanceSettings.of(90, 1_000_000, Duration.ofSeconds(1)))
              .scheduler(scheduler)
              .listener(report -> {
                synchronized (outcome) {
                  if (done.getCount() == 1) {
                    outcome.append("reported twice: ")
                        .append(report.failure().map(e -> e.getClass().getSimpleName()).orElse("none"));
                  }
                }
                done.countDown();
              })
              .build();
      m.start();
      done.await();
      m.stop();
    } finally {
      scheduler.shutdownNow();
    }
    synchronized (outcome) {
      System.out.println(outcome);
    }
  }
}
