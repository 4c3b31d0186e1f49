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
