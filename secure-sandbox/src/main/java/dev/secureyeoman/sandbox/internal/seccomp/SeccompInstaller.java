package dev.secureyeoman.sandbox.internal.seccomp;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import dev.secureyeoman.sandbox.seccomp.AppliedFilter;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.seccomp.SeccompException;
import dev.secureyeoman.sandbox.seccomp.SeccompUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Installs a compiled program: no_new_privs, {@code seccomp(SET_MODE_FILTER)}, then read back and confirm. */
public final class SeccompInstaller {
  private static final Logger LOG = LoggerFactory.getLogger(SeccompInstaller.class);
  private static final int MODE_FILTER = 2;

  private SeccompInstaller() {}

  /**
   * The JNA-backed native layer.
   *
   * @return the native layer
   * @throws SeccompUnavailableException when this platform has none
   */
  public static LinuxNative system() throws SeccompUnavailableException {
    try {
      return JnaLinuxNative.load();
    } catch (UnsupportedOperationException e) {
      throw new SeccompUnavailableException("seccomp unavailable: " + e.getMessage(), e);
    }
  }

  /**
   * Installs the program.
   *
   * @param nat native layer
   * @param program the checked program
   * @param scope thread or whole process
   * @return what the kernel confirmed
   * @throws SeccompException when installation or confirmation failed
   */
  public static AppliedFilter install(LinuxNative nat, BpfProgram program, AppliedFilter.Scope scope)
      throws SeccompException {
    try {
      nat.setNoNewPrivs();
    } catch (ErrnoException e) {
      if (e.errno() == ErrnoException.EINVAL || e.errno() == ErrnoException.ENOSYS) {
        throw new SeccompUnavailableException("kernel does not support no_new_privs: " + e.getMessage(), e);
      }
      throw new SeccompException("cannot set no_new_privs: " + e.getMessage(), e);
    }
    int flags = scope == AppliedFilter.Scope.PROCESS ? LinuxNative.SECCOMP_FILTER_FLAG_TSYNC : 0;
    long rc;
    try {
      rc = nat.seccompSetModeFilter(flags, program.toBytes());
    } catch (ErrnoException e) {
      switch (e.errno()) {
        case ErrnoException.ENOSYS:
          throw new SeccompUnavailableException("kernel has no seccomp syscall: " + e.getMessage(), e);
        case ErrnoException.EINVAL:
          throw new SeccompUnavailableException("kernel refused the filter mode or flags"
              + (flags != 0 ? " (TSYNC)" : "") + "; CONFIG_SECCOMP_FILTER missing? " + e.getMessage(), e);
        case ErrnoException.ENOMEM:
          throw new SeccompException("kernel refused the filter: too many stacked filter instructions "
              + "(32768 per thread): " + e.getMessage(), e);
        default:
          throw new SeccompException("seccomp filter not installed: " + e.getMessage(), e);
      }
    }
    if (rc != 0) {
      throw new SeccompException("TSYNC refused: thread " + rc + " already has a seccomp filter that is not an "
          + "ancestor of this thread's filters; nothing was installed");
    }
    int mode;
    boolean nnp;
    try {
      mode = nat.seccompMode();
      nnp = nat.noNewPrivs();
    } catch (ErrnoException e) {
      throw new SeccompException("filter installed but PR_GET_SECCOMP could not confirm it: " + e.getMessage(), e);
    }
    if (mode != MODE_FILTER || !nnp) {
      throw new SeccompException("filter installed but the kernel reports seccomp mode " + mode
          + " and no_new_privs " + nnp);
    }
    LOG.debug("seccomp filter of {} instructions installed for the {}", program.length(),
        scope == AppliedFilter.Scope.PROCESS ? "whole process (TSYNC)" : "current thread");
    return new AppliedFilter(scope, program.length(), mode, nnp);
  }
}
