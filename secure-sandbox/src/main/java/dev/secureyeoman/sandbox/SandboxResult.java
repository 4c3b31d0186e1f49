package dev.secureyeoman.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Outcome of one sandboxed run: the command ran (possibly failing, possibly killed). Refusals are {@link
 * SandboxException}s instead.
 *
 * <p>{@link #exitCode()} is the status the backend reported. Backends follow the shell convention that a command killed by
 * signal {@code N} exits with {@code 128 + N}; {@link #signal()} decodes that, so a command that deliberately exits with
 * 137 is indistinguishable from one killed by SIGKILL. When {@link #timedOut()} is true the runner killed the sandbox.
 */
public final class SandboxResult {

  /**
   * What the kernel and the runner reported about the run's limits and its teardown.
   *
   * @param oomKills processes of the run the kernel's OOM killer ended because the run exceeded its memory limit
   * @param cpuTimeExceeded whether the runner killed the run because its CPU time (summed over the cgroup) exceeded
   *     the {@link ResourceLimit#CPU_SECONDS} budget
   * @param lingeringProcessesKilled processes that were still alive after the command and the sandbox's init had
   *     exited (or after the timeout kill of the backend), and that the runner then killed by cgroup
   */
  public record Events(int oomKills, boolean cpuTimeExceeded, int lingeringProcessesKilled) {
    /** Nothing happened. */
    public static final Events NONE = new Events(0, false, 0);
  }

  private final int exitCode;
  private final boolean timedOut;
  private final byte[] stdout;
  private final byte[] stderr;
  private final boolean stdoutTruncated;
  private final boolean stderrTruncated;
  private final Duration duration;
  private final SandboxReport report;
  private final Events events;

  /**
   * Creates a result (used by the runner; the arrays are copied).
   *
   * @param exitCode exit status as reported by the backend
   * @param timedOut whether the runner killed the sandbox at its timeout
   * @param stdout captured standard output, at most the policy's cap
   * @param stdoutTruncated whether more standard output was produced than captured
   * @param stderr captured standard error, at most the policy's cap
   * @param stderrTruncated whether more standard error was produced than captured
   * @param duration wall-clock time from start to exit
   * @param report what was applied
   */
  public SandboxResult(
      int exitCode,
      boolean timedOut,
      byte[] stdout,
      boolean stdoutTruncated,
      byte[] stderr,
      boolean stderrTruncated,
      Duration duration,
      SandboxReport report) {
    this(exitCode, timedOut, stdout, stdoutTruncated, stderr, stderrTruncated, duration, report, Events.NONE);
  }

  /**
   * Creates a result with the limit and teardown events of the run (used by the runner; the arrays are copied).
   *
   * @param exitCode exit status as reported by the backend
   * @param timedOut whether the runner killed the sandbox at its timeout
   * @param stdout captured standard output, at most the policy's cap
   * @param stdoutTruncated whether more standard output was produced than captured
   * @param stderr captured standard error, at most the policy's cap
   * @param stderrTruncated whether more standard error was produced than captured
   * @param duration wall-clock time from start to exit
   * @param report what was applied
   * @param events what the kernel and the runner reported about limits and teardown
   */
  public SandboxResult(
      int exitCode,
      boolean timedOut,
      byte[] stdout,
      boolean stdoutTruncated,
      byte[] stderr,
      boolean stderrTruncated,
      Duration duration,
      SandboxReport report,
      Events events) {
    this.events = Objects.requireNonNull(events, "events");
    this.exitCode = exitCode;
    this.timedOut = timedOut;
    this.stdout = stdout.clone();
    this.stdoutTruncated = stdoutTruncated;
    this.stderr = stderr.clone();
    this.stderrTruncated = stderrTruncated;
    this.duration = Objects.requireNonNull(duration, "duration");
    this.report = Objects.requireNonNull(report, "report");
  }

  /**
   * Returns the exit status reported by the backend.
   *
   * @return the status (0–255)
   */
  public int exitCode() {
    return exitCode;
  }

  /**
   * Returns the signal that ended the command, decoded from a status above 128.
   *
   * @return the signal number, or empty for a normal exit
   */
  public OptionalInt signal() {
    return exitCode > 128 && exitCode < 128 + 65 ? OptionalInt.of(exitCode - 128) : OptionalInt.empty();
  }

  /**
   * Tells whether the sandbox was killed at the policy's timeout.
   *
   * @return {@code true} on timeout
   */
  public boolean timedOut() {
    return timedOut;
  }

  /**
   * Tells whether the command exited with status 0 before the timeout.
   *
   * @return {@code true} on success
   */
  public boolean succeeded() {
    return !timedOut && exitCode == 0;
  }

  /**
   * Returns a copy of the captured standard output.
   *
   * @return bytes
   */
  public byte[] stdout() {
    return stdout.clone();
  }

  /**
   * Returns the captured standard output decoded as UTF-8 (malformed input replaced).
   *
   * @return text
   */
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  /**
   * Returns a copy of the captured standard error.
   *
   * @return bytes
   */
  public byte[] stderr() {
    return stderr.clone();
  }

  /**
   * Returns the captured standard error decoded as UTF-8 (malformed input replaced).
   *
   * @return text
   */
  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  /**
   * Tells whether standard output exceeded its cap.
   *
   * @return {@code true} when output was dropped
   */
  public boolean stdoutTruncated() {
    return stdoutTruncated;
  }

  /**
   * Tells whether standard error exceeded its cap.
   *
   * @return {@code true} when output was dropped
   */
  public boolean stderrTruncated() {
    return stderrTruncated;
  }

  /**
   * Returns the wall-clock duration measured with the runner's clock.
   *
   * @return the duration
   */
  public Duration duration() {
    return duration;
  }

  /**
   * Returns what the kernel applied to this run.
   *
   * @return the report
   */
  public SandboxReport report() {
    return report;
  }

  /**
   * Returns what the kernel and the runner reported about the run's limits and teardown.
   *
   * @return the events
   */
  public Events events() {
    return events;
  }

  @Override
  public String toString() {
    return "SandboxResult{exitCode="
        + exitCode
        + ", timedOut="
        + timedOut
        + ", stdout="
        + stdout.length
        + (stdoutTruncated ? "+" : "")
        + " bytes, stderr="
        + stderr.length
        + (stderrTruncated ? "+" : "")
        + " bytes, duration="
        + duration
        + ", backend="
        + report.backend()
        + (events.equals(Events.NONE) ? "" : ", events=" + events)
        + "}";
  }
}
