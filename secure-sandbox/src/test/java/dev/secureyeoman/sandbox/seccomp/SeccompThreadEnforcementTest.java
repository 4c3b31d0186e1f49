package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kernel-enforced: filters are applied on a fresh platform thread (which dies after the test); children started from
 * that thread inherit the filter, children of other threads do not.
 */
class SeccompThreadEnforcementTest {
  @TempDir Path dir;

  @BeforeAll
  static void requireSeccomp() {
    KernelSupport k = SeccompProbe.probe();
    assumeTrue(k.seccompFilter(), "capability probe: seccomp filter mode unavailable: " + k.detail());
    assumeTrue(ProbeProcess.pythonAvailable(), "capability probe: /usr/bin/python3 missing");
  }

  @Test
  void applyToCurrentThread_childOfFilteredThread_showsSeccompFilterAndNoNewPrivs() throws Exception {
    SeccompFilter filter = SeccompProfiles.defaultAllowList();
    Map<String, String> filtered = ProbeProcess.onDedicatedThread(() -> {
      AppliedFilter applied = filter.applyToCurrentThread();
      assertEquals(AppliedFilter.Scope.THREAD, applied.scope());
      assertEquals(2, applied.seccompMode());
      assertTrue(applied.noNewPrivs());
      Process p = new ProcessBuilder("/bin/sleep", "30").start();
      try {
        return ProbeProcess.procStatus(p.pid());
      } finally {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    });
    assertEquals("2", filtered.get("Seccomp"));
    assertEquals("1", filtered.get("NoNewPrivs"));

    Process other = new ProcessBuilder("/bin/sleep", "30").start();
    try {
      Map<String, String> unfiltered = ProbeProcess.procStatus(other.pid());
      assertEquals("0", unfiltered.get("Seccomp"));
      assertEquals("0", unfiltered.get("NoNewPrivs"));
    } finally {
      other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void defaultAllowList_child_dangerousSyscallsFailWithEpermWhileOrdinaryWorkRuns() throws Exception {
    Path script = ProbeProcess.script(dir);
    Map<String, String> r = ProbeProcess.onDedicatedThread(() -> {
      SeccompProfiles.defaultAllowListWithoutNetwork().applyToCurrentThread();
      return ProbeProcess.run(script, dir);
    });
    // the legitimate path
    assertEquals("2", r.get("seccomp"), r.toString());
    assertEquals("1", r.get("nonewprivs"), r.toString());
    assertEquals("ok", r.get("file"), r.toString());
    assertEquals("ok", r.get("pipe"), r.toString());
    assertEquals("ok", r.get("thread"), r.toString());
    assertEquals("ok", r.get("exec"), r.toString());
    assertEquals("ok", r.get("socket_unix"), r.toString());
    // the attacks
    assertEquals("EPERM", r.get("socket_inet"), r.toString());
    assertEquals("EPERM", r.get("socket_inet6"), r.toString());
    assertEquals("ENOSYS", r.get("clone3"), r.toString());
    assertEquals("EPERM", r.get("mount"), r.toString());
    assertEquals("EPERM", r.get("unshare_user"), r.toString());
    assertEquals("EPERM", r.get("ptrace_traceme"), r.toString());
  }

  @Test
  void defaultAllowList_withNetwork_allowsInetSockets() throws Exception {
    Path script = ProbeProcess.script(dir);
    Map<String, String> r = ProbeProcess.onDedicatedThread(() -> {
      SeccompProfiles.defaultAllowList().applyToCurrentThread();
      return ProbeProcess.run(script, dir);
    });
    assertEquals("ok", r.get("socket_inet"), r.toString());
    assertEquals("ok", r.get("socket_inet6"), r.toString());
    assertEquals("EPERM", r.get("unshare_user"), r.toString());
  }

  static Stream<List<String>> ordinaryWorkloads() {
    return Stream.of(
        List.of("/bin/sh", "-c", "ls / | wc -l; echo $((1+2)) > \"$0/x\"; cat \"$0/x\""),
        List.of("/bin/bash", "-c", "for i in 1 2 3; do echo $i; done | sort -r | head -1"),
        List.of("/usr/bin/python3", "-I", "-c", "import ssl, json, hashlib, subprocess, threading; "
            + "print(subprocess.run(['true']).returncode)"),
        List.of("/usr/bin/perl", "-e", "print 1+1"),
        List.of("/bin/sh", "-c", "printf '#include <stdio.h>\\nint main(){puts(\"hi\");return 0;}\\n' > \"$0/h.c\" "
            + "&& /usr/bin/gcc -o \"$0/h\" \"$0/h.c\" && \"$0/h\""),
        List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version"),
        List.of("/usr/bin/tar", "czf", "-", "/etc/hostname"));
  }

  @ParameterizedTest
  @MethodSource("ordinaryWorkloads")
  void defaultAllowList_shellsInterpretersCompilers_run(List<String> command) throws Exception {
    assumeTrue(Files.isExecutable(Path.of(command.get(0))), "capability probe: " + command.get(0) + " missing");
    assumeTrue(!String.join(" ", command).contains("gcc") || Files.isExecutable(Path.of("/usr/bin/gcc")),
        "capability probe: gcc missing");
    List<String> cmd = new ArrayList<>(command);
    if (cmd.get(0).equals("/bin/sh") || cmd.get(0).equals("/bin/bash")) {
      cmd.add(dir.toString()); // $0 for the scripts above
    }
    int exit = ProbeProcess.onDedicatedThread(() -> {
      SeccompProfiles.defaultAllowListWithoutNetwork().applyToCurrentThread();
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("did not finish: " + cmd);
      }
      return p.exitValue();
    });
    assertEquals(0, exit, String.join(" ", cmd));
  }

  @Test
  void unfilteredChild_sameProbe_syscallsAreNotBlocked() throws Exception {
    // control: without the filter the same calls are not refused with EPERM, so the filter is what refuses them
    Path script = ProbeProcess.script(dir);
    Map<String, String> r = ProbeProcess.onDedicatedThread(() -> ProbeProcess.run(script, dir));
    assertEquals("0", r.get("seccomp"), r.toString());
    assertEquals("ok", r.get("socket_inet"), r.toString());
    assertEquals("ENOENT", r.get("mount"), r.toString());
    // not EPERM is what the control needs; the kernel may refuse a user namespace for other reasons under load
    // (EINVAL was seen once in a loaded full run), which says nothing about the filter
    assertTrue(!"EPERM".equals(r.get("unshare_user")), r.toString());
    assertTrue(!"ENOSYS".equals(r.get("clone3")), r.toString());
  }
}
