package dev.secureyeoman.sandbox;

/**
 * How the runner ends every process of a run (at the timeout, on cancellation, and after a normal exit to make sure
 * nothing outlived the command). Strongest first; the report names the one a run had.
 */
public enum Teardown {
  /**
   * {@code cgroup.kill} on the run's own cgroup v2 (kernel 5.14+): the kernel kills every member, including processes
   * that left the pid namespace's control; the sandbox cannot leave the cgroup.
   */
  CGROUP_V2_KILL,
  /** cgroup v1 freezer: the run's cgroup is frozen, every member killed, then thawed; nothing can fork meanwhile. */
  CGROUP_V1_FREEZE_KILL,
  /**
   * The members of the run's cgroup (a v1 hierarchy, or v2 on kernels before 5.14 without {@code cgroup.kill}) are
   * killed until none is left; a process could fork between two rounds, bounded by the pids limit.
   */
  CGROUP_KILL_LOOP,
  /**
   * The pid namespace's init is killed with SIGKILL from the host, identified by the host pid and pid-namespace inode
   * that bwrap's monitor reported before the sandbox ran (the inode is checked before the signal): the kernel then kills
   * every process of the namespace, which no process can leave, and the init cannot ignore the signal whatever it did to
   * its own memory. BWRAP runs without cgroup limits use it (a cgroup migration costs an RCU grace period). For the other
   * namespace backends without a writable cgroup, the backend's monitor is killed and the namespace dies with its init's
   * parent-death signal.
   */
  PID_NAMESPACE,
  /**
   * No pid namespace and no cgroup, but the run has a host uid of its own (root host): every process of that uid is
   * killed with {@code kill(-1, SIGKILL)} sent as that uid — the kernel picks the targets, so no stale pid is involved
   * — until {@code /proc} shows none, before the uid goes back to the pool. Processes that escaped the process tree
   * ({@code setsid}, double fork) are included.
   */
  RUN_UID,
  /** No pid namespace, no cgroup and no uid of its own: the process and the descendants found at kill time, best effort. */
  PROCESS_TREE
}
