package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What each profile does to each syscall, computed by running the compiled program on both architectures. */
class SeccompProfilesTest {
  private static final SeccompAction EPERM = SeccompAction.errno(SeccompAction.EPERM);
  private static final SeccompAction ENOSYS = SeccompAction.errno(SeccompAction.ENOSYS);
  private static final SeccompAction ALLOW = SeccompAction.allow();
  private static final long CLONE_NEWUSER = 0x10000000L;
  private static final long CLONE_NEWNET = 0x40000000L;
  private static final long SIGCHLD = 17;
  private static final long THREAD_FLAGS = 0x3D0F00L;
  private static final long TCGETS = 0x5401;

  static Stream<SeccompFilter> both() {
    return Stream.of(SeccompProfiles.defaultAllowList(), SeccompProfiles.jvmDenyList());
  }

  @ParameterizedTest
  @MethodSource("both")
  void never_list_isRefusedOnEveryArchitecture(SeccompFilter f) {
    for (Arch a : Arch.values()) {
      for (String s : SeccompProfiles.NEVER) {
        if (a.syscallNumber(s).isPresent()) {
          assertEquals(EPERM, f.evaluate(a, s), s + " on " + a);
        }
      }
      for (String s : SeccompProfiles.FALLBACK_ENOSYS) {
        assertEquals(ENOSYS, f.evaluate(a, s), s + " on " + a);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("both")
  void clone_namespaceFlagsRefused_forkAndThreadsAllowed(SeccompFilter f) {
    for (Arch a : Arch.values()) {
      assertEquals(ALLOW, f.evaluate(a, "clone", SIGCHLD), "fork-style clone on " + a);
      assertEquals(ALLOW, f.evaluate(a, "clone", THREAD_FLAGS), "pthread clone on " + a);
      assertEquals(EPERM, f.evaluate(a, "clone", CLONE_NEWUSER | SIGCHLD));
      assertEquals(EPERM, f.evaluate(a, "clone", CLONE_NEWNET | THREAD_FLAGS));
      // high bits do not matter to the flag check, and cannot hide a namespace flag
      assertEquals(EPERM, f.evaluate(a, "clone", 0xFFFF_FFFF_0000_0000L | CLONE_NEWUSER));
    }
  }

  @ParameterizedTest
  @MethodSource("both")
  void ioctl_terminalInjectionRefused_evenWithHighBitsSet(SeccompFilter f) {
    for (Arch a : Arch.values()) {
      assertEquals(ALLOW, f.evaluate(a, "ioctl", 0, TCGETS));
      assertEquals(EPERM, f.evaluate(a, "ioctl", 0, SeccompProfiles.TIOCSTI));
      assertEquals(EPERM, f.evaluate(a, "ioctl", 0, SeccompProfiles.TIOCLINUX));
      // the kernel ignores the upper 32 bits of the request: so must the filter
      assertEquals(EPERM, f.evaluate(a, "ioctl", 0, 0x1_0000_0000L | SeccompProfiles.TIOCSTI));
    }
  }

  @Test
  void defaultAllowList_unlistedSyscallsGetEperm_listedAllowed() {
    SeccompFilter f = SeccompProfiles.defaultAllowList();
    assertEquals(EPERM, f.defaultAction());
    for (Arch a : Arch.values()) {
      assertEquals(ALLOW, f.evaluate(a, "read"));
      assertEquals(ALLOW, f.evaluate(a, "execve"));
      assertEquals(EPERM, f.evaluate(a, "open_by_handle_at"));
      assertEquals(EPERM, f.evaluate(a, "settimeofday"));
      assertEquals(ALLOW, f.evaluate(a, "personality", 0xFFFFFFFFL));
      assertEquals(EPERM, f.evaluate(a, "personality", 0x0040000L)); // ADDR_NO_RANDOMIZE
    }
    assertTrue(f.problems().isEmpty(), f.problems().toString());
  }

  @Test
  void defaultAllowList_socketFamilies_followTheAllowedSet() {
    SeccompFilter all = SeccompProfiles.defaultAllowList();
    SeccompFilter none = SeccompProfiles.defaultAllowListWithoutNetwork();
    SeccompFilter noSockets = SeccompProfiles.defaultAllowList(Set.of());
    SeccompFilter inetOnly = SeccompProfiles.defaultAllowList(EnumSet.of(SocketDomain.INET));
    for (Arch a : Arch.values()) {
      for (SocketDomain d : SocketDomain.values()) {
        assertEquals(ALLOW, all.evaluate(a, "socket", d.value(), 1));
        assertEquals(d == SocketDomain.UNIX ? ALLOW : EPERM, none.evaluate(a, "socket", d.value(), 1));
        assertEquals(EPERM, noSockets.evaluate(a, "socket", d.value(), 1));
        assertEquals(d == SocketDomain.INET ? ALLOW : EPERM, inetOnly.evaluate(a, "socket", d.value(), 1));
      }
      assertEquals(EPERM, all.evaluate(a, "socket", 17, 3)); // AF_PACKET
      assertEquals(EPERM, all.evaluate(a, "socket", 38, 5)); // AF_ALG
      assertEquals(ALLOW, none.evaluate(a, "socketpair", 1, 2)); // AF_UNIX allowed: datagram pairs too
      // without AF_UNIX: stream and seqpacket pairs only, whatever SOCK_NONBLOCK/SOCK_CLOEXEC add
      for (SeccompFilter f : new SeccompFilter[] {noSockets, inetOnly}) {
        assertEquals(ALLOW, f.evaluate(a, "socketpair", 1, 1));
        assertEquals(ALLOW, f.evaluate(a, "socketpair", 1, 5 | 0x80000 | 0x800));
        assertEquals(EPERM, f.evaluate(a, "socketpair", 1, 2)); // SOCK_DGRAM could sendto() a host socket
        assertEquals(EPERM, f.evaluate(a, "socketpair", 1, 2 | 0x80000));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> SeccompProfiles.defaultAllowList(null));
  }

  @Test
  void jvmDenyList_allowsEverythingElse() {
    SeccompFilter f = SeccompProfiles.jvmDenyList();
    assertEquals(ALLOW, f.defaultAction());
    for (Arch a : Arch.values()) {
      assertEquals(ALLOW, f.evaluate(a, "socket", 2, 1));
      assertEquals(ALLOW, f.evaluate(a, "get_mempolicy"));
      assertEquals(EPERM, f.evaluate(a, "settimeofday"));
      assertEquals(EPERM, f.evaluate(a, "open_by_handle_at"));
    }
    assertTrue(f.problems().isEmpty(), f.problems().toString());
  }

  @Test
  void syscallsNewerThanTheTables_answerEnosys_knownDangerousStayEperm() {
    SeccompFilter deny = SeccompProfiles.jvmDenyList();
    SeccompFilter allow = SeccompProfiles.defaultAllowList();
    SeccompFilter docker = SeccompProfiles.dockerCompatible();
    for (SeccompFilter f : List.of(deny, allow, docker)) {
      assertEquals(ENOSYS, f.unknownSyscallAction());
    }
    for (Arch a : Arch.values()) {
      int newest = 462; // mseal, the last syscall in the 6.12 headers
      assertEquals("mseal", a.syscallName(newest).orElseThrow());
      assertTrue(a.syscallName(newest + 1).isEmpty(), "tables end at " + newest);
      for (int nr : new int[] {463, 467, 1000}) { // setxattrat (6.13), open_tree_attr (6.15), unassigned
        for (SeccompFilter f : List.of(deny, allow, docker)) {
          assertEquals(ENOSYS, SeccompAction.fromReturnValue(f.program().evaluate(a.auditArch(), nr, 0L)), a + " " + nr);
        }
      }
      // newer syscalls glibc and runtimes use when present are allowed, like Docker does
      for (String s : List.of("fchmodat2", "cachestat", "mseal", "futex_wait", "map_shadow_stack", "statmount")) {
        assertEquals(ALLOW, allow.evaluate(a, s), s + " on " + a);
        assertEquals(ALLOW, docker.evaluate(a, s), s + " on " + a);
      }
      // known to the tables but not allowed: EPERM, including everything known to be dangerous
      assertEquals(EPERM, allow.evaluate(a, "lsm_set_self_attr"));
      assertEquals(EPERM, allow.evaluate(a, "io_uring_setup"));
      assertEquals(EPERM, docker.evaluate(a, "io_uring_setup"));
      assertEquals(EPERM, docker.evaluate(a, "bpf"));
      assertEquals(ALLOW, SeccompAction.fromReturnValue(deny.program().evaluate(a.auditArch(), newest, 0L)));
    }
    assertEquals(ENOSYS, deny.toBuilder().build().unknownSyscallAction());
    assertThrows(IllegalStateException.class, () -> SeccompFilter.builder().unknownSyscallAction(ENOSYS)
        .unknownSyscallAction(EPERM));
    assertThrows(IllegalArgumentException.class, () -> SeccompFilter.builder().unknownSyscallAction(null));
  }

  @Test
  void validate_clone3Eperm_isRejected() {
    SeccompFilter bad = SeccompProfiles.jvmDenyList().toBuilder().removeRules("clone3")
        .errno(SeccompAction.EPERM, "clone3").build();
    IllegalStateException e = assertThrows(IllegalStateException.class, bad::validate);
    assertTrue(e.getMessage().contains("clone3 gets ERRNO(1)"), e.getMessage());
    assertThrows(IllegalStateException.class, bad::toBpf);
    // on a throwaway thread: should validate ever let it through, the test runner's thread stays unfiltered
    assertThrows(IllegalStateException.class, () -> ProbeProcess.onDedicatedThread(bad::applyToCurrentThread));
    // ENOSYS and ALLOW are both fine
    SeccompProfiles.jvmDenyList().toBuilder().removeRules("clone3").build().validate();
  }

  @Test
  void validate_allowListWithoutEssentials_isRejected() {
    SeccompFilter bad = SeccompFilter.builder().defaultAction(EPERM).allow("read", "write")
        .errno(SeccompAction.ENOSYS, "clone3").build();
    IllegalStateException e = assertThrows(IllegalStateException.class, bad::validate);
    assertTrue(e.getMessage().contains("exit_group gets ERRNO(1)"), e.getMessage());
    assertTrue(e.getMessage().contains("threads cannot be created"), e.getMessage());
  }

  @Test
  void validate_killThreadCloneForThreads_isRejected() {
    SeccompFilter bad = SeccompProfiles.jvmDenyList().toBuilder().removeRules("clone")
        .action(SeccompAction.killThread(), "clone").build();
    assertThrows(IllegalStateException.class, bad::validate);
  }
}
