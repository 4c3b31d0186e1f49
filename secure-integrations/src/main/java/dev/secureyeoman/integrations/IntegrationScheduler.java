package dev.secureyeoman.integrations;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * Schedules an integration's background work on the host's scheduler. Everything scheduled is cancelled when the
 * integration instance stops; exceptions thrown by a task are logged and do not cancel a periodic task.
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
