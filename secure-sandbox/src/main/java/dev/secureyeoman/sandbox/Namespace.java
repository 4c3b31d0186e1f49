package dev.secureyeoman.sandbox;

/** Linux namespaces a backend can place a sandboxed command in. */
public enum Namespace {
  /** User namespace: ids mapped, capabilities only over the namespace's own resources. */
  USER,
  /** PID namespace: the sandbox has its own init and cannot see or signal host processes. */
  PID,
  /** Network namespace: own interfaces, routes and abstract unix sockets. */
  NET,
  /** Mount namespace: own mount table (read-only root, private {@code /tmp}, workspace bind). */
  MOUNT,
  /** IPC namespace: own System V IPC objects and POSIX message queues. */
  IPC,
  /** UTS namespace: own hostname. */
  UTS,
  /** Cgroup namespace: own view of the cgroup hierarchy. */
  CGROUP
}
