package dev.secureyeoman.sandbox.internal.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.FakeLinuxNative;
import dev.secureyeoman.sandbox.seccomp.AppliedFilter;
import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.seccomp.SeccompException;
import dev.secureyeoman.sandbox.seccomp.SeccompProfiles;
import dev.secureyeoman.sandbox.seccomp.SeccompUnavailableException;
import org.junit.jupiter.api.Test;

/** Error paths of installation that a healthy kernel never takes, through a scripted native layer. */
class SeccompInstallerTest {
  private final BpfProgram program = SeccompProfiles.jvmDenyList().program();
  private final FakeLinuxNative nat = new FakeLinuxNative();

  @Test
  void install_success_reportsWhatWasReadBack() throws Exception {
    AppliedFilter a = SeccompInstaller.install(nat, program, AppliedFilter.Scope.PROCESS);
    assertEquals(new AppliedFilter(AppliedFilter.Scope.PROCESS, program.length(), 2, true), a);
    assertEquals("nnp", nat.calls.get(0));
    assertEquals("seccomp flags=1 bytes=" + program.length() * 8, nat.calls.get(1));
    SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD);
    assertTrue(nat.calls.get(3).startsWith("seccomp flags=0"));
  }

  @Test
  void install_kernelWithoutSeccomp_isUnavailable() {
    nat.filterErrno = ErrnoException.ENOSYS;
    assertThrows(SeccompUnavailableException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD));
    nat.filterErrno = ErrnoException.EINVAL;
    SeccompUnavailableException e = assertThrows(SeccompUnavailableException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.PROCESS));
    assertTrue(e.getMessage().contains("TSYNC"), e.getMessage());
    nat.filterErrno = 0;
    nat.nnpErrno = ErrnoException.EINVAL;
    assertThrows(SeccompUnavailableException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD));
  }

  @Test
  void install_otherFailures_areSeccompExceptionsNotUnavailable() {
    nat.nnpErrno = ErrnoException.EPERM;
    SeccompException e = assertThrows(SeccompException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD));
    assertFalse(e instanceof SeccompUnavailableException);
    nat.nnpErrno = 0;
    nat.filterErrno = ErrnoException.ENOMEM;
    e = assertThrows(SeccompException.class, () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD));
    assertTrue(e.getMessage().contains("32768"), e.getMessage());
    nat.filterErrno = ErrnoException.EACCES;
    e = assertThrows(SeccompException.class, () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD));
    assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
  }

  @Test
  void install_tsyncRefused_namesTheThread() {
    nat.filterReturn = 4242;
    SeccompException e = assertThrows(SeccompException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.PROCESS));
    assertTrue(e.getMessage().contains("TSYNC refused: thread 4242"), e.getMessage());
  }

  @Test
  void install_readBackFails_isReported() {
    nat.modeErrno = ErrnoException.EINVAL;
    assertTrue(assertThrows(SeccompException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD)).getMessage()
        .contains("could not confirm"));
    nat.modeErrno = 0;
    nat.mode = 0;
    assertTrue(assertThrows(SeccompException.class,
        () -> SeccompInstaller.install(nat, program, AppliedFilter.Scope.THREAD)).getMessage()
        .contains("seccomp mode 0"));
  }

  @Test
  void errnoException_namesCommonErrnos() {
    for (int errno : new int[] {1, 2, 3, 12, 13, 14, 16, 22, 38, 95}) {
      assertFalse(ErrnoException.name(errno).startsWith("errno"), "errno " + errno);
    }
    assertEquals("errno 200", ErrnoException.name(200));
    ErrnoException e = new ErrnoException("open", 2);
    assertEquals(2, e.errno());
    assertEquals("open", e.call());
  }
}
