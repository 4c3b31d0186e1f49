package dev.secureyeoman.sandbox;

/** The kernel mechanism that enforced a {@link ResourceLimit} for one run. */
public enum LimitEnforcement {
  /** A cgroup v2 controller file of the run's own cgroup. */
  CGROUP_V2,
  /** A cgroup v1 controller file of the run's own cgroup in that controller's hierarchy. */
  CGROUP_V1,
  /** A resource limit ({@code setrlimit}, soft = hard) on every process of the run, set by util-linux {@code prlimit}. */
  RLIMIT,
  /** The {@code size=} of the run's private tmpfs mounts. */
  TMPFS_SIZE,
  /**
   * The kernel's CPU accounting of the run's cgroup ({@code cpu.stat} on v2, {@code cpuacct.usage} on v1), read by the
   * runner, which kills the whole run when the budget is exceeded.
   */
  CGROUP_ACCOUNTING
}
