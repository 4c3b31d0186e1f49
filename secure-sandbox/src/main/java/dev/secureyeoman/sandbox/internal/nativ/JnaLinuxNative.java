package dev.secureyeoman.sandbox.internal.nativ;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.secureyeoman.sandbox.seccomp.Arch;

/** {@link LinuxNative} over glibc through JNA. Variadic calls pass every integer as a 64-bit {@code long}. */
public final class JnaLinuxNative implements LinuxNative {
  private static final int PR_GET_SECCOMP = 21;
  private static final int PR_SET_NO_NEW_PRIVS = 38;
  private static final int PR_GET_NO_NEW_PRIVS = 39;
  private static final int SECCOMP_SET_MODE_FILTER = 1;
  private static final int SECCOMP_GET_ACTION_AVAIL = 2;
  private static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
  private static final int LANDLOCK_RULE_PATH_BENEATH = 1;
  private static final int O_PATH = 010000000;
  private static final int O_CLOEXEC = 02000000;
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int STATX_BASIC_STATS = 0x7ff;

  /** glibc functions; {@code LastErrorException} carries errno. */
  interface CLib extends Library {
    int prctl(int option, Object... args) throws LastErrorException;

    long syscall(long number, Object... args) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int openat(int dirfd, String path, int flags) throws LastErrorException;

    int statx(int dirfd, String path, int flags, int mask, Pointer buf) throws LastErrorException;

    int fchownat(int dirfd, String path, int uid, int gid, int flags) throws LastErrorException;

    int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;
  }

  private static volatile JnaLinuxNative instance;

  private final CLib c;
  private final Arch arch;
  private final long nrSeccomp;
  private final long nrLandlockCreate;
  private final long nrLandlockAdd;
  private final long nrLandlockRestrict;
  private final long nrPidfdOpen;
  private final long nrPidfdSendSignal;
  private final long nrGetpriority;

  private JnaLinuxNative(CLib c, Arch arch) {
    this.c = c;
    this.arch = arch;
    this.nrSeccomp = number(arch, "seccomp");
    this.nrLandlockCreate = number(arch, "landlock_create_ruleset");
    this.nrLandlockAdd = number(arch, "landlock_add_rule");
    this.nrLandlockRestrict = number(arch, "landlock_restrict_self");
    this.nrPidfdOpen = number(arch, "pidfd_open");
    this.nrPidfdSendSignal = number(arch, "pidfd_send_signal");
    this.nrGetpriority = number(arch, "getpriority");
  }

  private static long number(Arch arch, String name) {
    return arch.syscallNumber(name).orElseThrow(() -> new IllegalStateException("no " + name + " on " + arch));
  }

  /**
   * Loads libc once.
   *
   * @return the shared instance
   * @throws UnsupportedOperationException when not on Linux x86_64/aarch64 or when JNA cannot load
   */
  public static JnaLinuxNative load() {
    JnaLinuxNative n = instance;
    if (n == null) {
      synchronized (JnaLinuxNative.class) {
        n = instance;
        if (n == null) {
          if (!Platform.isLinux()) {
            throw new UnsupportedOperationException("not Linux (" + System.getProperty("os.name") + ")");
          }
          Arch arch = Arch.current().orElseThrow(() -> new UnsupportedOperationException(
              "unsupported CPU architecture " + System.getProperty("os.arch")));
          CLib c;
          try {
            c = Native.load("c", CLib.class);
          } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UnsupportedOperationException("cannot load libc through JNA: " + e.getMessage(), e);
          }
          n = new JnaLinuxNative(c, arch);
          instance = n;
        }
      }
    }
    return n;
  }

  @Override
  public Arch arch() {
    return arch;
  }

  @Override
  public void setNoNewPrivs() throws ErrnoException {
    try {
      c.prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("prctl(PR_SET_NO_NEW_PRIVS)", e.getErrorCode());
    }
  }

  @Override
  public boolean noNewPrivs() throws ErrnoException {
    try {
      return c.prctl(PR_GET_NO_NEW_PRIVS, 0L, 0L, 0L, 0L) == 1;
    } catch (LastErrorException e) {
      throw new ErrnoException("prctl(PR_GET_NO_NEW_PRIVS)", e.getErrorCode());
    }
  }

  @Override
  public int seccompMode() throws ErrnoException {
    try {
      return c.prctl(PR_GET_SECCOMP, 0L, 0L, 0L, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("prctl(PR_GET_SECCOMP)", e.getErrorCode());
    }
  }

  @Override
  public long seccompSetModeFilter(int flags, byte[] program) throws ErrnoException {
    int count = program.length / 8;
    try (Memory filter = new Memory(program.length); Memory fprog = new Memory(16)) {
      filter.write(0, program, 0, program.length);
      fprog.clear();
      fprog.setShort(0, (short) count); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
      fprog.setPointer(8, filter);
      return c.syscall(nrSeccomp, (long) SECCOMP_SET_MODE_FILTER, (long) flags, fprog);
    } catch (LastErrorException e) {
      throw new ErrnoException("seccomp(SECCOMP_SET_MODE_FILTER)", e.getErrorCode());
    }
  }

  @Override
  public int seccompProbeFlags(int flags) {
    try {
      c.syscall(nrSeccomp, (long) SECCOMP_SET_MODE_FILTER, (long) flags, Pointer.NULL);
      return 0;
    } catch (LastErrorException e) {
      return e.getErrorCode();
    }
  }

  @Override
  public boolean seccompActionAvailable(int action) {
    try (Memory m = new Memory(4)) {
      m.setInt(0, action);
      c.syscall(nrSeccomp, (long) SECCOMP_GET_ACTION_AVAIL, 0L, m);
      return true;
    } catch (LastErrorException e) {
      return false;
    }
  }

  @Override
  public int landlockAbiVersion() throws ErrnoException {
    try {
      return (int) c.syscall(nrLandlockCreate, Pointer.NULL, 0L, (long) LANDLOCK_CREATE_RULESET_VERSION);
    } catch (LastErrorException e) {
      throw new ErrnoException("landlock_create_ruleset(VERSION)", e.getErrorCode());
    }
  }

  @Override
  public int landlockCreateRuleset(long handledFs, long handledNet, long scoped) throws ErrnoException {
    // struct landlock_ruleset_attr { __u64 handled_access_fs; __u64 handled_access_net; __u64 scoped; }:
    // pass only as many fields as are in use so older kernels accept the size
    long size = scoped != 0 ? 24 : handledNet != 0 ? 16 : 8;
    try (Memory attr = new Memory(24)) {
      attr.clear();
      attr.setLong(0, handledFs);
      attr.setLong(8, handledNet);
      attr.setLong(16, scoped);
      return (int) c.syscall(nrLandlockCreate, attr, size, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("landlock_create_ruleset", e.getErrorCode());
    }
  }

  @Override
  public void landlockAddPathBeneath(int rulesetFd, int parentFd, long allowedAccess) throws ErrnoException {
    // struct landlock_path_beneath_attr { __u64 allowed_access; __s32 parent_fd; } __attribute__((packed))
    try (Memory attr = new Memory(12)) {
      attr.setLong(0, allowedAccess);
      attr.setInt(8, parentFd);
      c.syscall(nrLandlockAdd, (long) rulesetFd, (long) LANDLOCK_RULE_PATH_BENEATH, attr, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("landlock_add_rule", e.getErrorCode());
    }
  }

  @Override
  public void landlockRestrictSelf(int rulesetFd) throws ErrnoException {
    try {
      c.syscall(nrLandlockRestrict, (long) rulesetFd, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("landlock_restrict_self", e.getErrorCode());
    }
  }

  @Override
  public int openPath(String path) throws ErrnoException {
    try {
      return c.open(path, O_PATH | O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new ErrnoException("open(" + path + ")", e.getErrorCode());
    }
  }

  @Override
  public void close(int fd) {
    try {
      c.close(fd);
    } catch (LastErrorException e) {
      // nothing useful to do: the descriptor is gone either way
    }
  }

  @Override
  public int pidfdOpen(long pid) throws ErrnoException {
    try {
      return (int) c.syscall(nrPidfdOpen, pid, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("pidfd_open", e.getErrorCode());
    }
  }

  @Override
  public boolean anyTaskWithRealUid(int uid) throws ErrnoException {
    if (uid == 0) {
      throw new IllegalArgumentException("uid 0 means the caller's own uid to getpriority");
    }
    try {
      // the raw system call returns 20 - nice (1..40), never -1: no errno ambiguity as with glibc's wrapper
      c.syscall(nrGetpriority, 2L /* PRIO_USER */, Integer.toUnsignedLong(uid));
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ErrnoException.ESRCH) {
        return false;
      }
      throw new ErrnoException("getpriority", e.getErrorCode());
    }
  }

  @Override
  public void pidfdSendSignal(int pidfd, int signal) throws ErrnoException {
    try {
      c.syscall(nrPidfdSendSignal, (long) pidfd, (long) signal, Pointer.NULL, 0L);
    } catch (LastErrorException e) {
      throw new ErrnoException("pidfd_send_signal", e.getErrorCode());
    }
  }

  @Override
  public boolean pollReadable(int fd, int timeoutMillis) throws ErrnoException {
    try (Memory pfd = new Memory(8)) {
      pfd.clear();
      pfd.setInt(0, fd); // struct pollfd { int fd; short events; short revents; }
      pfd.setShort(4, (short) 1); // POLLIN
      return c.poll(pfd, 1, timeoutMillis) > 0;
    } catch (LastErrorException e) {
      throw new ErrnoException("poll", e.getErrorCode());
    }
  }

  @Override
  public void setresuidThisThread(int ruid, int euid, int suid) throws ErrnoException {
    try {
      c.syscall(number(arch, "setresuid"), (long) ruid, (long) euid, (long) suid);
    } catch (LastErrorException e) {
      throw new ErrnoException("setresuid", e.getErrorCode());
    }
  }

  @Override
  public void kill(long pid, int signal) throws ErrnoException {
    try {
      c.syscall(number(arch, "kill"), pid, (long) signal);
    } catch (LastErrorException e) {
      throw new ErrnoException("kill", e.getErrorCode());
    }
  }

  /** {@code O_NOFOLLOW}: 0400000 on x86_64, 0100000 on aarch64. */
  private int oNoFollow() {
    return arch == Arch.AARCH64 ? 0100000 : 0400000;
  }

  @Override
  public int openNoFollow(int dirfd, String name) throws ErrnoException {
    try {
      return c.openat(dirfd, name, O_PATH | O_CLOEXEC | oNoFollow());
    } catch (LastErrorException e) {
      throw new ErrnoException("openat", e.getErrorCode());
    }
  }

  @Override
  public FileStat fstat(int fd) throws ErrnoException {
    try (Memory buf = new Memory(256)) {
      buf.clear();
      c.statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf);
      // struct statx: stx_nlink u32 @16, stx_uid u32 @20, stx_gid u32 @24, stx_mode u16 @28 (every architecture)
      return new FileStat(buf.getInt(20), buf.getInt(24), buf.getShort(28) & 0xffff, buf.getInt(16));
    } catch (LastErrorException e) {
      throw new ErrnoException("statx", e.getErrorCode());
    }
  }

  @Override
  public void fchown(int fd, int uid, int gid) throws ErrnoException {
    try {
      c.fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
    } catch (LastErrorException e) {
      throw new ErrnoException("fchownat", e.getErrorCode());
    }
  }
}
