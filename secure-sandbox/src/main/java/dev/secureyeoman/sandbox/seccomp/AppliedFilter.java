package dev.secureyeoman.sandbox.seccomp;

/**
 * What the kernel confirmed after a filter was installed.
 *
 * @param scope the calling thread only, or every thread of the process (TSYNC)
 * @param instructions program length
 * @param seccompMode {@code prctl(PR_GET_SECCOMP)} read back afterwards: 2 means filter mode
 * @param noNewPrivs {@code prctl(PR_GET_NO_NEW_PRIVS)} read back afterwards
 */
public record AppliedFilter(Scope scope, int instructions, int seccompMode, boolean noNewPrivs) {
  /** Where a filter applies. */
  public enum Scope {
    /** The calling thread and the processes it starts from now on. */
    THREAD,
    /** Every thread of the process (synchronised with {@code SECCOMP_FILTER_FLAG_TSYNC}) and all children. */
    PROCESS
  }
}
