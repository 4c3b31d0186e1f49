package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.Teardown;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The handle on every process of one run that the sandbox cannot change: a cgroup the launcher joins before anything of
 * the run is forked. The supervisor kills through it at the timeout and checks through it that nothing outlived the
 * command.
 */
public interface Containment extends AutoCloseable {

  /**
   * The files ({@code cgroup.procs}) the launcher writes its pid to before it executes the backend.
   *
   * @return absolute paths, empty when there is no cgroup
   */
  List<Path> joinFiles();

  /**
   * How this containment ends the run.
   *
   * @return the teardown mechanism
   */
  Teardown teardown();

  /**
   * Limits enforced by this containment.
   *
   * @return the applied limits
   */
  List<AppliedLimit> appliedLimits();

  /**
   * Requested limits this containment could not enforce, with the reason.
   *
   * @return limit to reason
   */
  Map<ResourceLimit, String> unappliedLimits();

  /**
   * Kills every member now, without waiting.
   */
  void killAll();

  /**
   * Makes sure no member is left: gives the members a short grace period to exit with the backend's init, then kills
   * the ones still alive and waits until the kernel reports the cgroup empty.
   *
   * @return how many members outlived the grace period and had to be killed
   * @throws SandboxException with {@link SandboxException.Reason#TEARDOWN_FAILED} when members survive the kill
   */
  int ensureEmpty() throws SandboxException;

  /**
   * CPU time used by every member so far.
   *
   * @return nanoseconds, empty without CPU accounting
   */
  OptionalLong cpuUsageNanos();

  /**
   * How many processes the kernel's OOM killer ended in this run.
   *
   * @return the count, 0 without a memory cgroup
   */
  int oomKills();

  /** Removes the cgroup directories; members must be gone ({@link #ensureEmpty()}). Failures are logged. */
  @Override
  void close();

  /**
   * No cgroup: the supervisor falls back to killing the backend's monitor (pid namespace) or the process tree.
   *
   * @param teardown {@link Teardown#PID_NAMESPACE} or {@link Teardown#PROCESS_TREE}
   * @param unapplied cgroup limits that were requested, with the reason they are not applied
   * @return the containment
   */
  static Containment none(Teardown teardown, Map<ResourceLimit, String> unapplied) {
    Map<ResourceLimit, String> copy = Map.copyOf(unapplied);
    return new Containment() {
      @Override
      public List<Path> joinFiles() {
        return List.of();
      }

      @Override
      public Teardown teardown() {
        return teardown;
      }

      @Override
      public List<AppliedLimit> appliedLimits() {
        return List.of();
      }

      @Override
      public Map<ResourceLimit, String> unappliedLimits() {
        return copy;
      }

      @Override
      public void killAll() {}

      @Override
      public int ensureEmpty() {
        return 0;
      }

      @Override
      public OptionalLong cpuUsageNanos() {
        return OptionalLong.empty();
      }

      @Override
      public int oomKills() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }
}
