package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static dev.secureyeoman.sandbox.Sandboxes.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secureyeoman.sandbox.seccomp.ArgCondition;
import dev.secureyeoman.sandbox.seccomp.SeccompAction;
import dev.secureyeoman.sandbox.seccomp.SeccompFilter;
import dev.secureyeoman.sandbox.seccomp.SyscallRule;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seccomp layer on top of the namespaces, and what happens when user namespaces are denied. */
class SeccompLayerTest {

  /** ptrace(PTRACE_TRACEME) through perl's syscall(2) (x86_64 number 101). */
  private static final String PTRACE =
      "my $r = syscall(101, 0, 0, 0, 0); print $r == -1 ? qq{ERR $!\\n} : qq{OK\\n};";

  private static final long CLONE_NEWUSER = 0x10000000L;

  @Test
  void seccompFilterInstalled_ptraceDenied() throws Exception {
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "syscall number is x86_64's");
    SandboxResult r =
        RUNNER.run(sh("grep '^Seccomp:' /proc/self/status; /usr/bin/perl -e \"$1\"", PTRACE).build());
    assertEquals(List.of("Seccomp:\t2", "ERR Operation not permitted"), r.stdoutText().lines().toList(), r.stderrText());
    assertEquals(SeccompMode.FILTER, r.report().seccomp());
    assertTrue(r.report().unixSocketsDenied());

    // the same probe without the seccomp layer succeeds: the check can fail
    SandboxResult open = RUNNER.run(sh("/usr/bin/perl -e \"$1\"", PTRACE).seccomp(false).build());
    assertEquals("OK", open.stdoutText().strip(), open.stderrText());
    assertEquals(SeccompMode.NONE, open.report().seccomp());
  }

  @Test
  void hostUnixSocketInBoundDir_refusedWhenAfUnixDenied(@TempDir Path tmp) throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path socket = tmp.resolve("host.sock");
    String connect =
        "use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]);"
            + " print $s ? qq{CONNECTED\\n} : qq{REFUSED $!\\n};";
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
      SandboxPolicy.Builder attack =
          SandboxPolicy.builder("/usr/bin/perl", "-e", connect, "/hostsock/host.sock")
              .readOnlyBind(tmp, Path.of("/hostsock"));
      SandboxResult denied = RUNNER.run(attack.build());
      assertEquals("REFUSED Operation not permitted", denied.stdoutText().strip(), denied.stderrText());
      assertTrue(denied.report().unixSocketsDenied());

      // a read-only bind alone does not stop connect(): with AF_UNIX allowed the host socket is reached
      SandboxResult allowed = RUNNER.run(attack.unixSockets(true).build());
      assertEquals("CONNECTED", allowed.stdoutText().strip(), allowed.stderrText());
      assertFalse(allowed.report().unixSocketsDenied());
    }
  }

  /** A host datagram socket (journald's /dev/log, sd_notify) in a directory the sandbox can see. */
  private static final String RECEIVER =
      "import socket, os, sys\n"
          + "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
          + "s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)\n"
          + "print('READY', flush=True)\n"
          + "while True:\n"
          + "    m = s.recv(100).decode()\n"
          + "    print(m, flush=True)\n"
          + "    if m == 'END': break\n";

  private static final String DATAGRAM_ATTACK =
      "import socket\n"
          + "try:\n"
          + "    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
          + "    a.sendto(b'PWNED', '/hostsock/host.sock'); print('SENT')\n"
          + "except OSError as e: print('REFUSED', e.strerror)\n"
          + "x, y = socket.socketpair(); x.sendall(b'k'); print('STREAM-PAIR', y.recv(1).decode())\n";

  @Test
  void hostDatagramSocketInBoundDir_unreachableThroughSocketpair(@TempDir Path tmp) throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path socket = tmp.resolve("host.sock");
    Process receiver = new ProcessBuilder("/usr/bin/python3", "-c", RECEIVER, socket.toString()).start();
    try {
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(receiver.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("READY", in.readLine());
      SandboxPolicy.Builder attack =
          SandboxPolicy.builder("/usr/bin/python3", "-c", DATAGRAM_ATTACK).readOnlyBind(tmp, Path.of("/hostsock"));
      SandboxResult denied = RUNNER.run(attack.build());
      assertEquals(List.of("REFUSED Operation not permitted", "STREAM-PAIR k"), denied.stdoutText().lines().toList(),
          denied.stderrText());
      assertTrue(denied.report().unixSocketsDenied(), "and now the report is true");

      // with AF_UNIX allowed the datagram reaches the host socket: the check above can fail
      SandboxResult allowed = RUNNER.run(attack.unixSockets(true).build());
      assertEquals(List.of("SENT", "STREAM-PAIR k"), allowed.stdoutText().lines().toList(), allowed.stderrText());
      assertFalse(allowed.report().unixSocketsDenied());
      new ProcessBuilder("/usr/bin/python3", "-c",
          "import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'END', sys.argv[1])",
          socket.toString()).start().waitFor();
      assertEquals("PWNED", in.readLine(), "only the allowed run's datagram arrived");
      assertEquals("END", in.readLine());
    } finally {
      receiver.destroyForcibly();
    }
  }

  @Test
  void syscallsBeyondTheTables_getEnosys_newKnownOnesWork_dangerousStayEperm(@TempDir Path tmp) throws Exception {
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "syscall numbers are x86_64's");
    // perl's syscall(2): 463 setxattrat (6.13, beyond our 6.12 tables), 452 fchmodat2 (6.6), 425 io_uring_setup,
    // 460 lsm_set_self_attr (known to the tables, not allowed)
    String probe =
        "sub t { my $n = shift; my $r = syscall($n, @_); print $r == -1 ? qq{ERR $!\\n} : qq{OK\\n}; }"
            + " my $p = '/tmp/f'; open(my $f, '>', $p); t(463, 0, 0, 0, 0, 0, 0); t(452, -100, $p, 0600, 0);"
            + " t(425, 1, 0); t(460, 0, 0, 0, 0);";
    SandboxResult r = RUNNER.run(SandboxPolicy.builder("/usr/bin/perl", "-e", probe).build());
    assertEquals(
        List.of("ERR Function not implemented", "OK", "ERR Operation not permitted", "ERR Operation not permitted"),
        r.stdoutText().lines().toList(),
        r.stderrText());
    // without the filter the kernel implements 463 itself (it fails on the bad arguments instead): seccomp answered
    SandboxResult open = RUNNER.run(SandboxPolicy.builder("/usr/bin/perl", "-e", probe).seccomp(false).build());
    assertFalse(open.stdoutText().lines().findFirst().orElse("").contains("Function not implemented"),
        open.stdoutText());
  }

  @Test
  void userNamespacesDenied_runnerFallsBackAndReportsWhy() throws Exception {
    SeccompFilter denyUserNs =
        SeccompFilter.builder()
            .defaultAction(SeccompAction.allow())
            .rule(
                SyscallRule.of(
                    "unshare",
                    SeccompAction.errno(SeccompAction.EPERM),
                    ArgCondition.maskedEq(0, CLONE_NEWUSER, CLONE_NEWUSER)))
            .rule(
                SyscallRule.of(
                    "clone",
                    SeccompAction.errno(SeccompAction.EPERM),
                    ArgCondition.maskedEq(0, CLONE_NEWUSER, CLONE_NEWUSER)))
            .errno(SeccompAction.ENOSYS, "clone3")
            .build();
    Path canary = Path.of("/tmp", "sy-landlock-canary-" + java.util.UUID.randomUUID());
    CompletableFuture<Object[]> outcome = new CompletableFuture<>();
    Thread filtered =
        new Thread(
            () -> {
              try {
                denyUserNs.applyToCurrentThread();
                NamespaceRunner runner = NamespaceRunner.create();
                SandboxCapabilities caps = runner.probe();
                SandboxResult fallback =
                    runner.run(
                        SandboxPolicy.builder(
                                "/bin/sh",
                                "-c",
                                "id -u; grep '^Seccomp:' /proc/self/status; touch \"$1\" || echo RO",
                                "sh",
                                canary.toString())
                            .build());
                outcome.complete(new Object[] {caps, fallback});
              } catch (Throwable t) {
                outcome.completeExceptionally(t);
              }
            },
            "userns-denied");
    filtered.start();
    Object[] o = outcome.get();
    SandboxCapabilities caps = (SandboxCapabilities) o[0];
    assertFalse(caps.status(SandboxBackend.BWRAP).available(), caps.toJson());
    String unshare = caps.status(SandboxBackend.UNSHARE_LANDLOCK).detail();
    assertTrue(unshare.startsWith("Landlock ABI") && unshare.endsWith("without namespaces"), caps.toJson());
    SandboxResult fallback = (SandboxResult) o[1];
    SandboxReport report = fallback.report();
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, report.backend(), report.toJson());
    assertTrue(report.namespaces().isEmpty());
    assertTrue(report.landlockAbi().isPresent());
    assertEquals(SeccompMode.FILTER, report.seccomp());
    assertTrue(report.skippedBackends().containsKey(SandboxBackend.BWRAP), report.toJson());
    assertEquals(
        List.of(Integer.toString(report.hostUid()), "Seccomp:\t2", "RO"),
        fallback.stdoutText().lines().toList(),
        fallback.stderrText());
    // host /tmp is world-writable: only Landlock stops the write
    assertFalse(Files.exists(canary));
    assertTrue(fallback.stderrText().contains("Permission denied"), fallback.stderrText());
    // the unfiltered runner on the same host still gets namespaces: the filter caused the fallback
    assertEquals(SandboxBackend.BWRAP, RUNNER.probe().bestIsolatingBackend().orElseThrow());
  }
}
