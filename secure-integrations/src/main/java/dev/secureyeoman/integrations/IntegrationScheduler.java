package dev.secureyeoman.integrations;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * Schedules an integration's background work. The host's scheduler triggers the runs; they execute on the instance's own
 * worker thread (one at a time, a bounded number queued, a periodic task never overlapping itself), so a slow task
 * delays only this integration. Everything scheduled is cancelled when the integration instance stops, and a task still
 * running is interrupted; exceptions thrown by a task are logged and do not cancel a periodic task. The returned future
 * controls the trigger: cancelling it stops further runs.
 */
public interface IntegrationScheduler {

  /**
   * Runs a task once after a delay.
   *
   * @param task the task
   * @param delay the delay, not negative
   * @return the future, which the integration may cancel
   * @throws IllegalStateException if the instance is stopped
   */
  ScheduledFuture<?> schedule(Runnable task, Duration delay);

  /**
   * Runs a task repeatedly with a fixed delay between the end of one run and the start of the next.
   *
   * @param task the task
   * @param initialDelay the delay before the first run, not negative
   * @param delay the delay between runs, positive
   * @return the future, which the integration may cancel
   * @throws IllegalStateException if the instance is stopped
   */
  ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration delay);
}
