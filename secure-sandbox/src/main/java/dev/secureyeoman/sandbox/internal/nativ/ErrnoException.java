package dev.secureyeoman.sandbox.internal.nativ;

/** A native call failed with an errno. */
public final class ErrnoException extends Exception {
  private static final long serialVersionUID = 1L;

  /** {@code EPERM}. */
  public static final int EPERM = 1;
  /** {@code ENOENT}. */
  public static final int ENOENT = 2;
  /** {@code ESRCH}. */
  public static final int ESRCH = 3;
  /** {@code ENOMEM}. */
  public static final int ENOMEM = 12;
  /** {@code EACCES}. */
  public static final int EACCES = 13;
  /** {@code EFAULT}. */
  public static final int EFAULT = 14;
  /** {@code EBUSY}. */
  public static final int EBUSY = 16;
  /** {@code EINVAL}. */
  public static final int EINVAL = 22;
  /** {@code ENOSYS}. */
  public static final int ENOSYS = 38;
  /** {@code EOPNOTSUPP}. */
  public static final int EOPNOTSUPP = 95;

  /** The error number. */
  private final int errno;
  /** The failed call. */
  private final String call;

  /**
   * Creates the exception.
   *
   * @param call the native function
   * @param errno the error number
   */
  public ErrnoException(String call, int errno) {
    super(call + " failed: errno " + errno + " (" + name(errno) + ")");
    this.call = call;
    this.errno = errno;
  }

  /**
   * The error number.
   *
   * @return errno
   */
  public int errno() {
    return errno;
  }

  /**
   * The failed call.
   *
   * @return e.g. {@code seccomp}
   */
  public String call() {
    return call;
  }

  /**
   * Symbolic name of common errno values.
   *
   * @param errno the number
   * @return e.g. {@code EPERM}, or {@code errno N}
   */
  public static String name(int errno) {
    switch (errno) {
      case EPERM:
        return "EPERM";
      case ENOENT:
        return "ENOENT";
      case ESRCH:
        return "ESRCH";
      case ENOMEM:
        return "ENOMEM";
      case EACCES:
        return "EACCES";
      case EFAULT:
        return "EFAULT";
      case EBUSY:
        return "EBUSY";
      case EINVAL:
        return "EINVAL";
      case ENOSYS:
        return "ENOSYS";
      case EOPNOTSUPP:
        return "EOPNOTSUPP";
      default:
        return "errno " + errno;
    }
  }
}
