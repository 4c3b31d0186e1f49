package dev.secureyeoman.testkit.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounded waiting for something outside the JVM (a server becoming ready) that offers no notification: checks with a
 * backoff from 2 ms to 10 ms (a check is a file read or a loopback connect: cheap) until it holds or the deadline passes.
 */
public final class Poll {
  private Poll() {}

  /**
   * Waits until {@code condition} holds.
   *
   * @param timeout the longest wait
   * @param condition what to wait for
   * @return true if it held, false if the deadline passed first
   */
  public static boolean until(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 2;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pauseMillis)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return condition.getAsBoolean();
      }
      pauseMillis = Math.min(10, pauseMillis * 2);
    }
  }
}
