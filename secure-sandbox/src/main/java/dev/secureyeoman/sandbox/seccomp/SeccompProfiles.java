package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.sandbox.internal.seccomp.Syscalls;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Ready-made filters.
 *
 * <ul>
 *   <li>{@link #defaultAllowList()} for sandboxed commands: modelled on Docker's default profile. The ordinary syscalls
 *       of shells, interpreters and compilers are allowed; everything else fails with {@code EPERM}.</li>
 *   <li>{@link #jvmDenyList()} for self-sandboxing a running JVM, where an allow-list is impractical: everything is
 *       allowed except the syscalls that escape or attack the host.</li>
 * </ul>
 *
 * <p>Both never allow: {@value #NEVER_SUMMARY}; {@code clone} with namespace flags; {@code ioctl(TIOCSTI)} and
 * {@code ioctl(TIOCLINUX)} (terminal input injection). {@code clone3} and the new mount API fail with {@code ENOSYS}
 * so that glibc and tools fall back to {@code clone} and {@code mount(2)}, which the filter can inspect or refuses.
 */
public final class SeccompProfiles {
  static final String NEVER_SUMMARY = "ptrace, process_vm_readv/writev, mount, umount2, pivot_root, chroot, setns, "
      + "unshare, reboot, kexec_load, kexec_file_load, init_module, finit_module, delete_module, bpf, "
      + "perf_event_open, keyctl, add_key, request_key, userfaultfd, io_uring_setup/enter/register, swapon, swapoff, "
      + "acct";

  /** Syscalls no profile ever allows: escapes, kernel attack surface, host-wide state. Fail with EPERM. */
  public static final List<String> NEVER = List.of(
      "ptrace", "process_vm_readv", "process_vm_writev",
      "mount", "umount2", "pivot_root", "chroot", "setns", "unshare",
      "reboot", "kexec_load", "kexec_file_load",
      "init_module", "finit_module", "delete_module", "create_module", "query_module",
      "bpf", "perf_event_open",
      "keyctl", "add_key", "request_key",
      "userfaultfd",
      "io_uring_setup", "io_uring_enter", "io_uring_register",
      "swapon", "swapoff", "acct");

  /** Syscalls that answer {@code ENOSYS}, so callers fall back to an older syscall the filter controls. */
  public static final List<String> FALLBACK_ENOSYS = List.of(
      "clone3", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr");

  /** Additional host-level syscalls the JVM deny-list refuses (clock, hostname, raw I/O, handle-based opens...). */
  public static final List<String> JVM_EXTRA_DENY = List.of(
      "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname", "syslog",
      "quotactl", "lookup_dcookie", "nfsservctl", "uselib", "vhangup", "iopl", "ioperm", "modify_ldt",
      "open_by_handle_at", "fanotify_init", "kcmp", "pidfd_getfd", "process_madvise");

  /**
   * The allow-list: Docker's default set minus everything needing capabilities a sandboxed command should not have,
   * and minus {@code socketpair} (allowed by {@link #defaultAllowList(Set)} for stream and seqpacket pairs only while
   * AF_UNIX is denied). Names missing on one architecture (e.g. {@code open} on aarch64) are compiled for the other
   * only.
   */
  public static final List<String> ALLOWED = List.of(
      "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "capget", "capset", "chdir", "chmod",
      "chown", "clock_getres", "clock_gettime", "clock_nanosleep", "close", "close_range", "connect",
      "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
      "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
      "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fallocate", "fchdir", "fchmod",
      "fchmodat", "fchown", "fchownat", "fcntl", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
      "fremovexattr", "fsetxattr", "fstat", "fstatfs", "fsync", "ftruncate", "futex", "futex_waitv", "futimesat",
      "getcpu", "getcwd", "getdents", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getitimer",
      "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresuid",
      "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
      "gettimeofday", "getuid", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
      "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "ioprio_get", "ioprio_set", "io_setup",
      "io_submit", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
      "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr",
      "lstat", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
      "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
      "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
      "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "open", "openat", "openat2",
      "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
      "ppoll", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "pselect6", "pwrite64", "pwritev", "pwritev2",
      "read", "readahead", "readlink", "readlinkat", "readv", "recvfrom", "recvmmsg", "recvmsg", "remap_file_pages",
      "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
      "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
      "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
      "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr",
      "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
      "semtimedop", "sendfile", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsuid", "setgid", "setgroups",
      "setitimer", "setpgid", "setpriority", "setregid", "setresgid", "setresuid", "setreuid", "setrlimit",
      "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setxattr", "shmat",
      "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "splice", "stat",
      "statfs", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill",
      "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create",
      "timerfd_gettime", "timerfd_settime", "times", "tkill", "truncate", "umask", "uname", "unlink", "unlinkat",
      "utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4", "waitid", "write", "writev",
      // added after Linux 6.1 and allowed by Docker's default profile: glibc and runtimes use them when present
      "cachestat", "fchmodat2", "futex_requeue", "futex_wait", "futex_wake", "listmount", "map_shadow_stack",
      "mseal", "process_mrelease", "statmount", "uretprobe");

  /** {@code CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET}. */
  public static final long CLONE_NAMESPACE_FLAGS = 0x7E020000L;
  /** {@code TIOCSTI}: push a byte into a terminal's input queue. */
  public static final int TIOCSTI = 0x5412;
  /** {@code TIOCLINUX}: virtual-console operations including selection paste. */
  public static final int TIOCLINUX = 0x541C;
  /** {@code personality} values Docker allows: PER_LINUX, PER_LINUX32, UNAME26 variants and the query value. */
  static final int[] PERSONALITIES = {0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF};
  /** {@code SOCK_STREAM}. */
  static final int SOCK_STREAM = 1;
  /** {@code SOCK_SEQPACKET}. */
  static final int SOCK_SEQPACKET = 5;
  /** {@code SOCK_TYPE_MASK}: the socket type without {@code SOCK_NONBLOCK}/{@code SOCK_CLOEXEC}. */
  static final long SOCK_TYPE_MASK = 0xF;
  /** Upper half of a 64-bit register: zero for every {@code int} argument glibc passes. */
  private static final long HIGH_WORD = 0xFFFF_FFFF_0000_0000L;
  /** {@code AF_ALG}: kernel crypto API sockets, refused by Docker's default profile. */
  static final int AF_ALG = 38;
  /** {@code AF_NFC}. */
  static final int AF_NFC = 39;
  /** {@code AF_VSOCK}: host/guest sockets, refused by Docker's default profile. */
  static final int AF_VSOCK = 40;

  private SeccompProfiles() {}

  /**
   * The allow-list for sandboxed commands, with {@code socket} allowed for AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK.
   *
   * @return the filter
   */
  public static SeccompFilter defaultAllowList() {
    return defaultAllowList(EnumSet.allOf(SocketDomain.class));
  }

  /**
   * The allow-list without network sockets: {@code socket} only for AF_UNIX.
   *
   * @return the filter
   */
  public static SeccompFilter defaultAllowListWithoutNetwork() {
    return defaultAllowList(EnumSet.of(SocketDomain.UNIX));
  }

  /**
   * The allow-list with {@code socket(2)} limited to the given families; every other family (including
   * AF_PACKET, AF_VSOCK, AF_ALG) fails with EPERM.
   *
   * <p>Without {@link SocketDomain#UNIX}, {@code socketpair(2)} is allowed only for {@code SOCK_STREAM} and {@code
   * SOCK_SEQPACKET}: a {@code SOCK_DGRAM} pair could {@code sendto()} any pathname datagram socket visible in the
   * sandbox (journald's {@code /dev/log}, {@code sd_notify}), while a connected stream or seqpacket pair ignores
   * destination addresses. So "AF_UNIX denied" means the command cannot create a unix socket that addresses a path.
   *
   * <p>Syscall numbers beyond the generated tables (syscalls newer than the headers) fail with {@code ENOSYS}, as
   * under runc, so glibc falls back to older calls; syscalls the tables know but the list does not allow fail with
   * {@code EPERM}.
   *
   * @param allowedDomains families {@code socket(2)} may create; empty for no sockets at all
   * @return the filter
   */
  public static SeccompFilter defaultAllowList(Set<SocketDomain> allowedDomains) {
    if (allowedDomains == null) {
      throw new IllegalArgumentException("allowedDomains must not be null (use an empty set for no sockets)");
    }
    SeccompFilter.Builder b = SeccompFilter.builder()
        .defaultAction(SeccompAction.errno(SeccompAction.EPERM))
        .unknownSyscallAction(SeccompAction.errno(SeccompAction.ENOSYS))
        .errno(SeccompAction.EPERM, NEVER.toArray(new String[0]))
        .errno(SeccompAction.ENOSYS, FALLBACK_ENOSYS.toArray(new String[0]))
        .allow(ALLOWED.toArray(new String[0]));
    commonConditional(b);
    for (int p : PERSONALITIES) {
      b.rule(SyscallRule.of("personality", SeccompAction.allow(), ArgCondition.eq32(0, p)));
    }
    socketRules(b, allowedDomains);
    return b.build();
  }

  /**
   * A profile derived from Docker's default seccomp profile (moby/moby {@value DockerDefaultProfile#SOURCE}, {@code
   * profiles/seccomp/default.json}) for a process without capabilities, which is how every sandbox here runs. Use it
   * for workloads the strict {@link #defaultAllowList()} breaks: debuggers and tracers ({@code ptrace}, {@code
   * process_vm_readv/writev}: gdb, strace, ASan's leak checker), {@code modify_ldt} (Wine, some JITs), every socket
   * family except AF_ALG and AF_VSOCK (AF_UNIX for Python's {@code multiprocessing.Manager}, D-Bus, a local
   * PostgreSQL).
   *
   * <p>Derivation: the syscalls Docker allows unconditionally ({@code DockerDefaultProfile}, generated from the JSON),
   * entries that need a capability left out, {@code socket} for every family but AF_ALG (38) and AF_VSOCK (40), the
   * {@code personality} values Docker allows, {@code clone} without namespace flags, {@code clone3} answered with
   * {@code ENOSYS}, everything else {@code EPERM}. Deliberate differences from Docker, all stricter: foreign
   * architectures (i386 {@code int 0x80}, x32) are killed instead of allowed; {@code ioctl(TIOCSTI/TIOCLINUX)} is
   * refused; integer arguments are compared on their low 32 bits only (a value with high bits set cannot slip past
   * a family check); syscalls newer than our tables answer {@code ENOSYS}.
   *
   * <p>Security: {@code ptrace} lets the command inspect and modify its own descendants and the sandbox's init
   * process (same user); teardown does not depend on the init (the runner kills by cgroup), but choose this profile
   * only for code you would run in a default Docker container.
   *
   * @return the filter
   */
  public static SeccompFilter dockerCompatible() {
    SeccompFilter.Builder b = SeccompFilter.builder()
        .defaultAction(SeccompAction.errno(SeccompAction.EPERM))
        .unknownSyscallAction(SeccompAction.errno(SeccompAction.ENOSYS))
        .errno(SeccompAction.ENOSYS, "clone3");
    List<String> allowed = new ArrayList<>(DockerDefaultProfile.ALLOWED);
    allowed.addAll(DockerDefaultProfile.X86_64_ONLY);
    allowed.addAll(DockerDefaultProfile.AARCH64_ONLY);
    for (String name : allowed) {
      // names of other architectures (chown32, _llseek ...) and syscalls newer than our tables are left out
      if (Syscalls.knownAnywhere(name) && !name.equals("ioctl")) {
        b.allow(name);
      }
    }
    b.rule(SyscallRule.of("ioctl", SeccompAction.errno(SeccompAction.EPERM), ArgCondition.eq32(1, TIOCSTI)));
    b.rule(SyscallRule.of("ioctl", SeccompAction.errno(SeccompAction.EPERM), ArgCondition.eq32(1, TIOCLINUX)));
    b.rule(SyscallRule.of("ioctl", SeccompAction.allow()));
    b.rule(SyscallRule.of("clone", SeccompAction.allow(), ArgCondition.maskedEq(0, CLONE_NAMESPACE_FLAGS, 0)));
    for (int p : PERSONALITIES) {
      b.rule(SyscallRule.of("personality", SeccompAction.allow(), ArgCondition.eq32(0, p)));
    }
    b.rule(SyscallRule.of("socket", SeccompAction.allow(), ArgCondition.maskedEq(0, HIGH_WORD, 0),
        ArgCondition.lt(0, AF_ALG)));
    b.rule(SyscallRule.of("socket", SeccompAction.allow(), ArgCondition.eq(0, AF_NFC)));
    b.rule(SyscallRule.of("socket", SeccompAction.allow(), ArgCondition.maskedEq(0, HIGH_WORD, 0),
        ArgCondition.gt(0, AF_VSOCK)));
    return b.build();
  }

  /**
   * Derives a filter that refuses {@code socket(AF_UNIX)} (EPERM) and allows {@code socketpair} only for stream and
   * seqpacket pairs, keeping every other rule. Used for {@link #dockerCompatible()} when a policy denies unix sockets.
   *
   * @param base the filter
   * @return the derived filter
   */
  public static SeccompFilter withoutUnixSockets(SeccompFilter base) {
    List<SyscallRule> socketRules = base.rules().stream().filter(r -> r.syscall().equals("socket")).toList();
    SeccompFilter.Builder b = base.toBuilder().removeRules("socket").removeRules("socketpair");
    b.rule(SyscallRule.of("socket", SeccompAction.errno(SeccompAction.EPERM), ArgCondition.eq32(0,
        SocketDomain.UNIX.value())));
    b.rules(socketRules);
    restrictSocketpair(b);
    return b.build();
  }

  /**
   * Derives a filter whose {@code socket(2)} is allowed for exactly these families (EPERM otherwise), with {@code
   * socketpair} limited to stream and seqpacket pairs unless AF_UNIX is among them. Used where no network namespace
   * enforces the network mode (the Landlock mode).
   *
   * @param base the filter
   * @param domains families {@code socket(2)} may create
   * @return the derived filter
   */
  public static SeccompFilter restrictSockets(SeccompFilter base, Set<SocketDomain> domains) {
    SeccompFilter.Builder b = base.toBuilder().removeRules("socket").removeRules("socketpair");
    socketRules(b, domains);
    return b.build();
  }

  /** {@code socket} for exactly these families; {@code socketpair} of any type only with AF_UNIX. */
  private static void socketRules(SeccompFilter.Builder b, Set<SocketDomain> domains) {
    for (SocketDomain d : SocketDomain.values()) {
      if (domains.contains(d)) {
        b.rule(SyscallRule.of("socket", SeccompAction.allow(), ArgCondition.eq32(0, d.value())));
      }
    }
    if (domains.contains(SocketDomain.UNIX)) {
      b.allow("socketpair");
    } else {
      restrictSocketpair(b);
    }
  }

  private static void restrictSocketpair(SeccompFilter.Builder b) {
    for (int type : new int[] {SOCK_STREAM, SOCK_SEQPACKET}) {
      b.rule(SyscallRule.of("socketpair", SeccompAction.allow(), ArgCondition.maskedEq(1, SOCK_TYPE_MASK, type)));
    }
  }

  /**
   * The deny-list for self-sandboxing a running JVM (apply with {@link SeccompFilter#applyToCurrentProcess()}):
   * everything allowed except {@link #NEVER} and {@link #JVM_EXTRA_DENY} (EPERM), namespace-creating {@code clone},
   * {@code ioctl(TIOCSTI/TIOCLINUX)}, and {@link #FALLBACK_ENOSYS} (ENOSYS).
   *
   * <p>A deny-list only knows the syscalls in its tables: syscalls added to the kernel after the headers the tables
   * came from (numbers beyond the tables) fail with {@code ENOSYS}, as on an older kernel. Prefer the allow-list
   * wherever the workload is known.
   *
   * @return the filter
   */
  public static SeccompFilter jvmDenyList() {
    SeccompFilter.Builder b = SeccompFilter.builder()
        .defaultAction(SeccompAction.allow())
        .unknownSyscallAction(SeccompAction.errno(SeccompAction.ENOSYS))
        .errno(SeccompAction.EPERM, NEVER.toArray(new String[0]))
        .errno(SeccompAction.EPERM, JVM_EXTRA_DENY.toArray(new String[0]))
        .errno(SeccompAction.ENOSYS, FALLBACK_ENOSYS.toArray(new String[0]));
    commonConditional(b);
    b.rule(SyscallRule.of("clone", SeccompAction.errno(SeccompAction.EPERM)));
    return b.build();
  }

  /** clone without namespace flags (other clones fall through), ioctl except terminal injection. */
  private static void commonConditional(SeccompFilter.Builder b) {
    b.rule(SyscallRule.of("clone", SeccompAction.allow(), ArgCondition.maskedEq(0, CLONE_NAMESPACE_FLAGS, 0)));
    b.rule(SyscallRule.of("ioctl", SeccompAction.errno(SeccompAction.EPERM), ArgCondition.eq32(1, TIOCSTI)));
    b.rule(SyscallRule.of("ioctl", SeccompAction.errno(SeccompAction.EPERM), ArgCondition.eq32(1, TIOCLINUX)));
    b.rule(SyscallRule.of("ioctl", SeccompAction.allow()));
  }
}
