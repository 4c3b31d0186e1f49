package dev.secureyeoman.sandbox.internal.nativ;

import dev.secureyeoman.sandbox.seccomp.Arch;
import java.util.ArrayList;
import java.util.List;

/**
 * Scriptable {@link LinuxNative} for error paths a healthy kernel never takes (kernels without seccomp or Landlock,
 * refused TSYNC, failing read-back). Kernel behaviour itself is always tested against the real kernel.
 */
public final class FakeLinuxNative implements LinuxNative {
  /** errno for the named call, or 0 to succeed. */
  public int nnpErrno;
  /** errno for prctl(PR_GET_SECCOMP). */
  public int modeErrno;
  /** errno for seccomp(SET_MODE_FILTER). */
  public int filterErrno;
  /** return value of seccomp(SET_MODE_FILTER) when it succeeds (a thread id means TSYNC refused). */
  public long filterReturn;
  /** mode reported after installation. */
  public int mode = 2;
  /** no_new_privs reported. */
  public boolean nnp = true;
  /** errno the flag probe returns. */
  public int probeErrno = ErrnoException.EFAULT;
  /** errno for landlock ABI query, 0 to return {@link #abi}. */
  public int abiErrno;
  /** Landlock ABI. */
  public int abi = 3;
  /** errno for create_ruleset. */
  public int createErrno;
  /** errno for add_rule. */
  public int addErrno;
  /** errno for restrict_self. */
  public int restrictErrno;
  /** errno for open. */
  public int openErrno;
  /** Arch reported. */
  public Arch arch = Arch.X86_64;
  /** Calls made, in order. */
  public final List<String> calls = new ArrayList<>();
  /** Landlock rights requested per rule. */
  public final List<Long> ruleRights = new ArrayList<>();
  /** handled_access_fs of the last ruleset. */
  public long handledFs;

  private static void fail(String call, int errno) throws ErrnoException {
    if (errno != 0) {
      throw new ErrnoException(call, errno);
    }
  }

  @Override
  public Arch arch() {
    return arch;
  }

  @Override
  public void setNoNewPrivs() throws ErrnoException {
    calls.add("nnp");
    fail("prctl(PR_SET_NO_NEW_PRIVS)", nnpErrno);
  }

  @Override
  public boolean noNewPrivs() {
    return nnp;
  }

  @Override
  public int seccompMode() throws ErrnoException {
    fail("prctl(PR_GET_SECCOMP)", modeErrno);
    return mode;
  }

  @Override
  public long seccompSetModeFilter(int flags, byte[] program) throws ErrnoException {
    calls.add("seccomp flags=" + flags + " bytes=" + program.length);
    fail("seccomp", filterErrno);
    return filterReturn;
  }

  @Override
  public int seccompProbeFlags(int flags) {
    return probeErrno;
  }

  @Override
  public boolean seccompActionAvailable(int action) {
    return action != 0x7FC00000; // pretend USER_NOTIF is missing
  }

  @Override
  public int landlockAbiVersion() throws ErrnoException {
    fail("landlock_create_ruleset(VERSION)", abiErrno);
    return abi;
  }

  @Override
  public int landlockCreateRuleset(long handledFs, long handledNet, long scoped) throws ErrnoException {
    calls.add("create");
    fail("landlock_create_ruleset", createErrno);
    this.handledFs = handledFs;
    return 100;
  }

  @Override
  public void landlockAddPathBeneath(int rulesetFd, int parentFd, long allowedAccess) throws ErrnoException {
    calls.add("add");
    fail("landlock_add_rule", addErrno);
    ruleRights.add(allowedAccess);
  }

  @Override
  public void landlockRestrictSelf(int rulesetFd) throws ErrnoException {
    calls.add("restrict");
    fail("landlock_restrict_self", restrictErrno);
  }

  @Override
  public int openPath(String path) throws ErrnoException {
    fail("open(" + path + ")", openErrno);
    return 200;
  }

  @Override
  public void close(int fd) {
    calls.add("close " + fd);
  }
}
