package dev.secureyeoman.sandbox.seccomp;

/**
 * What the kernel does with a system call a filter rule matched: the 32-bit {@code SECCOMP_RET_*} value.
 *
 * <p>Create actions with the factories ({@link #allow()}, {@link #errno(int)}, {@link #killProcess()}, ...).
 * {@link #fromReturnValue(int)} decodes any return value, including actions the builder does not offer
 * ({@code TRACE}, {@code USER_NOTIF}), following the kernel's rules.
 *
 * @param kind the action
 * @param data the 16-bit data: the errno for {@link Kind#ERRNO}, the {@code si_errno} for {@link Kind#TRAP} and
 *     {@link Kind#TRACE}; 0 otherwise
 */
public record SeccompAction(Kind kind, int data) {
  /** Largest errno the kernel passes back ({@code MAX_ERRNO}). */
  public static final int MAX_ERRNO = 4095;

  /** {@code EPERM}: operation not permitted. */
  public static final int EPERM = 1;
  /** {@code EACCES}: permission denied. */
  public static final int EACCES = 13;
  /** {@code ENOSYS}: function not implemented — callers fall back to older syscalls. */
  public static final int ENOSYS = 38;

  /** Seccomp action kinds, ordered by the kernel's precedence (first wins when stacked filters disagree). */
  public enum Kind {
    /** Kill the whole process ({@code SECCOMP_RET_KILL_PROCESS}). */
    KILL_PROCESS(0x80000000),
    /** Kill the calling thread ({@code SECCOMP_RET_KILL_THREAD}). */
    KILL_THREAD(0x00000000),
    /** Send {@code SIGSYS} ({@code SECCOMP_RET_TRAP}). */
    TRAP(0x00030000),
    /** Fail the syscall with an errno ({@code SECCOMP_RET_ERRNO}). */
    ERRNO(0x00050000),
    /** Hand the syscall to a user-space supervisor ({@code SECCOMP_RET_USER_NOTIF}); decoded only. */
    USER_NOTIF(0x7FC00000),
    /** Notify a ptrace tracer ({@code SECCOMP_RET_TRACE}); decoded only. */
    TRACE(0x7FF00000),
    /** Allow and log ({@code SECCOMP_RET_LOG}). */
    LOG(0x7FFC0000),
    /** Allow ({@code SECCOMP_RET_ALLOW}). */
    ALLOW(0x7FFF0000);

    private final int value;

    Kind(int value) {
      this.value = value;
    }

    /**
     * The action bits ({@code SECCOMP_RET_ACTION_FULL}).
     *
     * @return the value without data
     */
    public int value() {
      return value;
    }
  }

  /**
   * Validates the components.
   *
   * @param kind the action
   * @param data the action data
   * @throws IllegalArgumentException if {@code data} does not fit the kind
   */
  public SeccompAction {
    if (kind == null) {
      throw new IllegalArgumentException("kind must not be null");
    }
    switch (kind) {
      case ERRNO:
        if (data < 0 || data > MAX_ERRNO) {
          throw new IllegalArgumentException("errno must be in [0, " + MAX_ERRNO + "], got " + data);
        }
        break;
      case TRAP:
      case TRACE:
        if (data < 0 || data > 0xFFFF) {
          throw new IllegalArgumentException("data must be in [0, 65535], got " + data);
        }
        break;
      default:
        if (data != 0) {
          throw new IllegalArgumentException("data must be 0 for " + kind + ", got " + data);
        }
    }
  }

  /**
   * Allows the syscall.
   *
   * @return {@code SECCOMP_RET_ALLOW}
   */
  public static SeccompAction allow() {
    return new SeccompAction(Kind.ALLOW, 0);
  }

  /**
   * Allows the syscall and logs it to the audit log.
   *
   * @return {@code SECCOMP_RET_LOG}
   */
  public static SeccompAction log() {
    return new SeccompAction(Kind.LOG, 0);
  }

  /**
   * Fails the syscall without running it.
   *
   * @param errno the error number the caller sees, 0 to 4095 (e.g. {@link #EPERM}, {@link #ENOSYS})
   * @return {@code SECCOMP_RET_ERRNO | errno}
   * @throws IllegalArgumentException if errno is outside [0, 4095]
   */
  public static SeccompAction errno(int errno) {
    return new SeccompAction(Kind.ERRNO, errno);
  }

  /**
   * Sends {@code SIGSYS} to the thread.
   *
   * @return {@code SECCOMP_RET_TRAP}
   */
  public static SeccompAction trap() {
    return new SeccompAction(Kind.TRAP, 0);
  }

  /**
   * Kills the whole process (all threads) as if by an uncatchable {@code SIGSYS}.
   *
   * @return {@code SECCOMP_RET_KILL_PROCESS}
   */
  public static SeccompAction killProcess() {
    return new SeccompAction(Kind.KILL_PROCESS, 0);
  }

  /**
   * Kills only the calling thread. Rarely what you want: the rest of the process keeps running.
   *
   * @return {@code SECCOMP_RET_KILL_THREAD}
   */
  public static SeccompAction killThread() {
    return new SeccompAction(Kind.KILL_THREAD, 0);
  }

  /**
   * The 32-bit value a BPF {@code ret} instruction returns for this action.
   *
   * @return kind bits | data
   */
  public int toReturnValue() {
    return kind.value | data;
  }

  /**
   * Whether the syscall runs under this action.
   *
   * @return true for {@link Kind#ALLOW} and {@link Kind#LOG}
   */
  public boolean permits() {
    return kind == Kind.ALLOW || kind == Kind.LOG;
  }

  /**
   * Decodes a filter return value as the kernel does: unknown action bits count as {@code KILL_PROCESS}, an errno above
   * {@link #MAX_ERRNO} is clamped.
   *
   * @param value the 32-bit return value
   * @return the action
   */
  public static SeccompAction fromReturnValue(int value) {
    int action = value & 0xFFFF0000;
    int data = value & 0xFFFF;
    for (Kind k : Kind.values()) {
      if (k.value == action) {
        switch (k) {
          case ERRNO:
            return new SeccompAction(k, Math.min(data, MAX_ERRNO));
          case TRAP:
          case TRACE:
            return new SeccompAction(k, data);
          default:
            return new SeccompAction(k, 0);
        }
      }
    }
    return killProcess();
  }

  @Override
  public String toString() {
    switch (kind) {
      case ERRNO:
        return "ERRNO(" + data + ")";
      case TRAP:
      case TRACE:
        return data == 0 ? kind.name() : kind.name() + "(" + data + ")";
      default:
        return kind.name();
    }
  }
}
