package dev.secureyeoman.sandbox.internal.nativ;

import dev.secureyeoman.sandbox.seccomp.Arch;

/**
 * The few Linux calls the sandbox needs. One implementation calls the kernel through JNA; tests substitute fakes to
 * reach error paths a healthy kernel never takes.
 */
public interface LinuxNative {
  /** {@code SECCOMP_FILTER_FLAG_TSYNC}. */
  int SECCOMP_FILTER_FLAG_TSYNC = 1;

  /**
   * Architecture of this process.
   *
   * @return the architecture
   */
  Arch arch();

  /**
   * {@code prctl(PR_SET_NO_NEW_PRIVS, 1)} for the calling thread.
   *
   * @throws ErrnoException on failure
   */
  void setNoNewPrivs() throws ErrnoException;

  /**
   * {@code prctl(PR_GET_NO_NEW_PRIVS)}.
   *
   * @return whether the calling thread has no_new_privs
   * @throws ErrnoException on failure
   */
  boolean noNewPrivs() throws ErrnoException;

  /**
   * {@code prctl(PR_GET_SECCOMP)}.
   *
   * @return 0 (disabled), 1 (strict) or 2 (filter) for the calling thread
   * @throws ErrnoException on failure
   */
  int seccompMode() throws ErrnoException;

  /**
   * {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)}.
   *
   * @param flags {@code SECCOMP_FILTER_FLAG_*}
   * @param program the program bytes ({@code struct sock_filter[]})
   * @return the syscall's return value: 0, or with TSYNC the id of a thread that could not be synchronised
   * @throws ErrnoException on failure
   */
  long seccompSetModeFilter(int flags, byte[] program) throws ErrnoException;

  /**
   * {@code seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL)}: probes flag support without installing anything. A kernel
   * that knows the flags fails with {@code EFAULT} (bad pointer); one that does not fails with {@code EINVAL}.
   *
   * @param flags flags to probe
   * @return the errno the kernel returned
   */
  int seccompProbeFlags(int flags);

  /**
   * {@code seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action)}.
   *
   * @param action a {@code SECCOMP_RET_*} action value
   * @return true when the kernel supports the action
   */
  boolean seccompActionAvailable(int action);

  /**
   * {@code landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)}.
   *
   * @return the Landlock ABI version
   * @throws ErrnoException when Landlock is unavailable (ENOSYS, EOPNOTSUPP)
   */
  int landlockAbiVersion() throws ErrnoException;

  /**
   * {@code landlock_create_ruleset} with a {@code struct landlock_ruleset_attr} sized for the ABI.
   *
   * @param handledFs handled filesystem access rights
   * @param handledNet handled network rights (ABI 4+, else must be 0)
   * @param scoped scopes (ABI 6+, else must be 0)
   * @return the ruleset file descriptor
   * @throws ErrnoException on failure
   */
  int landlockCreateRuleset(long handledFs, long handledNet, long scoped) throws ErrnoException;

  /**
   * {@code landlock_add_rule(ruleset, LANDLOCK_RULE_PATH_BENEATH, {allowed, parentFd}, 0)}.
   *
   * @param rulesetFd the ruleset
   * @param parentFd an {@code O_PATH} descriptor of the file or directory
   * @param allowedAccess rights granted beneath it
   * @throws ErrnoException on failure
   */
  void landlockAddPathBeneath(int rulesetFd, int parentFd, long allowedAccess) throws ErrnoException;

  /**
   * {@code landlock_restrict_self(ruleset, 0)} for the calling thread.
   *
   * @param rulesetFd the ruleset
   * @throws ErrnoException on failure
   */
  void landlockRestrictSelf(int rulesetFd) throws ErrnoException;

  /**
   * {@code open(path, O_PATH | O_CLOEXEC)}.
   *
   * @param path the path
   * @return the descriptor
   * @throws ErrnoException on failure
   */
  int openPath(String path) throws ErrnoException;

  /**
   * {@code close(fd)}, ignoring errors.
   *
   * @param fd the descriptor
   */
  void close(int fd);

  /**
   * {@code pidfd_open(pid, 0)}: a descriptor that refers to this process for as long as it is open, never to a later
   * process with the same pid.
   *
   * @param pid the process
   * @return the descriptor
   * @throws ErrnoException on failure ({@code ESRCH} when the process is gone)
   */
  default int pidfdOpen(long pid) throws ErrnoException {
    throw new ErrnoException("pidfd_open", ErrnoException.ENOSYS);
  }

  /**
   * {@code getpriority(PRIO_USER, uid)} as a presence test: the kernel walks its task list and answers {@code ESRCH}
   * when no task visible in the caller's pid namespace has this <em>real</em> uid (zombies count as present).
   *
   * @param uid the uid (not 0: 0 would mean the caller's own uid)
   * @return whether at least one task has the real uid
   * @throws ErrnoException on failure other than {@code ESRCH}
   */
  default boolean anyTaskWithRealUid(int uid) throws ErrnoException {
    throw new ErrnoException("getpriority", ErrnoException.ENOSYS);
  }

  /**
   * {@code pidfd_send_signal(pidfd, signal, NULL, 0)}.
   *
   * @param pidfd from {@link #pidfdOpen(long)}
   * @param signal the signal number
   * @throws ErrnoException on failure ({@code ESRCH} when the process exited)
   */
  default void pidfdSendSignal(int pidfd, int signal) throws ErrnoException {
    throw new ErrnoException("pidfd_send_signal", ErrnoException.ENOSYS);
  }

  /**
   * {@code poll} for {@code POLLIN} on one descriptor (a pidfd becomes readable when its process exits).
   *
   * @param fd the descriptor
   * @param timeoutMillis how long to wait, 0 to check
   * @return whether it is readable
   * @throws ErrnoException on failure
   */
  default boolean pollReadable(int fd, int timeoutMillis) throws ErrnoException {
    throw new ErrnoException("poll", ErrnoException.ENOSYS);
  }

  /**
   * The raw {@code setresuid} system call: changes the credentials of the <em>calling thread only</em> (glibc's wrapper
   * would change every thread of the JVM).
   *
   * @param ruid real uid
   * @param euid effective uid
   * @param suid saved uid
   * @throws ErrnoException on failure
   */
  default void setresuidThisThread(int ruid, int euid, int suid) throws ErrnoException {
    throw new ErrnoException("setresuid", ErrnoException.ENOSYS);
  }

  /**
   * {@code kill(pid, signal)}.
   *
   * @param pid a pid, or -1 for every process the caller may signal
   * @param signal the signal
   * @throws ErrnoException on failure ({@code ESRCH}: no target)
   */
  default void kill(long pid, int signal) throws ErrnoException {
    throw new ErrnoException("kill", ErrnoException.ENOSYS);
  }

  /** Owner, type and link count of a file, as {@code statx} reports them. */
  record FileStat(int uid, int gid, int mode, int nlink) {
    /** {@code S_IFMT} bits. */
    static final int S_IFMT = 0170000;

    /**
     * Whether the file is a directory.
     *
     * @return true for a directory
     */
    public boolean isDirectory() {
      return (mode & S_IFMT) == 0040000;
    }

    /**
     * Whether the file is a symbolic link.
     *
     * @return true for a link
     */
    public boolean isSymlink() {
      return (mode & S_IFMT) == 0120000;
    }
  }

  /**
   * {@code openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)}: a handle on the entry itself (a symlink is not
   * followed), for {@link #fstat} and {@link #fchown}.
   *
   * @param dirfd a directory descriptor, or -100 ({@code AT_FDCWD})
   * @param name one path component (no {@code /}), or an absolute path whose last component is not followed
   * @return the descriptor
   * @throws ErrnoException on failure
   */
  default int openNoFollow(int dirfd, String name) throws ErrnoException {
    throw new ErrnoException("openat", ErrnoException.ENOSYS);
  }

  /**
   * {@code statx(fd, "", AT_EMPTY_PATH)}: the file the descriptor refers to.
   *
   * @param fd the descriptor
   * @return its owner, type and link count
   * @throws ErrnoException on failure
   */
  default FileStat fstat(int fd) throws ErrnoException {
    throw new ErrnoException("statx", ErrnoException.ENOSYS);
  }

  /**
   * {@code fchownat(fd, "", uid, gid, AT_EMPTY_PATH)}: changes the owner of exactly the file the descriptor refers to
   * (a symlink descriptor: the link itself).
   *
   * @param fd the descriptor
   * @param uid new owner
   * @param gid new group
   * @throws ErrnoException on failure
   */
  default void fchown(int fd, int uid, int gid) throws ErrnoException {
    throw new ErrnoException("fchownat", ErrnoException.ENOSYS);
  }
}
