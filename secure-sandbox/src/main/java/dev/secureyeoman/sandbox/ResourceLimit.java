package dev.secureyeoman.sandbox;

/**
 * A resource a sandboxed run can be limited in. Each limit names the mechanisms that enforce it; the {@link
 * SandboxReport} of a run lists the mechanism that actually did ({@link AppliedLimit}) and why a limit could not be
 * applied ({@link SandboxReport#unappliedLimits()}).
 */
public enum ResourceLimit {
  /**
   * Memory of the whole run in bytes: anonymous memory of every process, page cache, and the pages of the run's tmpfs
   * mounts ({@code /tmp}, {@code /dev/shm}). Enforced by the memory cgroup ({@code memory.max} with {@code
   * memory.swap.max=0} on v2, {@code memory.limit_in_bytes} and {@code memory.memsw.limit_in_bytes} on v1); the kernel's
   * OOM killer ends a process of the run when it is exceeded. Without a writable memory cgroup it falls back to {@code
   * RLIMIT_AS} per process (which tmpfs pages and forked children escape) and the report says so.
   */
  MEMORY,
  /**
   * Processes and threads of the run: the pids cgroup ({@code pids.max}) for the whole run, and {@code RLIMIT_NPROC}
   * for the run's own host uid.
   */
  PROCESSES,
  /**
   * CPU time in seconds: {@code RLIMIT_CPU} per process (SIGXCPU, then SIGKILL), and the run's total from the cgroup's
   * CPU accounting, checked by the runner every 100 ms (the
   * whole run is killed when it exceeds the budget).
   */
  CPU_SECONDS,
  /** CPU bandwidth in millicores (1000 = one CPU): the cpu cgroup ({@code cpu.max}, v1 {@code cpu.cfs_quota_us}). */
  CPU_QUOTA,
  /** Size of the run's private {@code /tmp} and {@code /dev/shm} tmpfs mounts in bytes ({@code size=}), each. */
  TMP_SIZE,
  /** {@code RLIMIT_AS}: address space of each process in bytes. */
  ADDRESS_SPACE,
  /** {@code RLIMIT_NOFILE}: open file descriptors per process. */
  OPEN_FILES,
  /** {@code RLIMIT_FSIZE}: the largest file a process may write, in bytes. */
  FILE_SIZE
}
