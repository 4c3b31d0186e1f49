package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 1: teardown that the sandbox's pid 1 cannot escape. The attack writes the sandbox init's memory
 * through {@code /proc/1/mem} (same uid, no ptrace needed) so that it clears its parent-death signal and never exits,
 * then leaves a background loop writing to the workspace. Killing bwrap's monitor then leaves the whole pid namespace
 * alive; the runner must kill by cgroup instead.
 */
class TeardownTest {

  /**
   * Python run as the sandbox's command. Reads the init's user-space program counter from {@code /proc/1/syscall} (it
   * sits in {@code wait()}), overwrites the code there with {@code prctl(PR_SET_PDEATHSIG, 0); for (;;) pause();},
   * forks a loop that appends to {@code argv[1]} forever in a new session (stdio on /dev/null), and exits: the init returns from {@code
   * wait()} into the injected code. x86_64 only.
   */
  static final String PROC1_MEM_ATTACK =
      String.join(
          "\n",
          "import os, sys, time",
          "pc = int(open('/proc/1/syscall').read().split()[-1], 16)",
          "code = bytes.fromhex('b89d000000bf0100000031f60f05b8220000000f05ebf7')",
          "try:",
          "    with open('/proc/1/mem', 'r+b', buffering=0) as m:",
          "        m.seek(pc); m.write(code)",
          "    print('INJECTED', flush=True)",
          "except OSError as e:",
          "    print('INJECT-FAILED', e.strerror, flush=True)",
          "if os.fork() == 0:",
          "    os.setsid()",
          "    null = os.open('/dev/null', os.O_RDWR)",
          "    for fd in (0, 1, 2): os.dup2(null, fd)",
          "    while True:",
          "        with open(sys.argv[1], 'a') as f: f.write('x\\n')",
          "        time.sleep(0.05)");

  @BeforeAll
  static void x86AndBwrap() {
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "the injected code is x86_64 machine code");
    assertTrue(RUNNER.probe().status(SandboxBackend.BWRAP).available(), RUNNER.probe().toJson());
  }

  /** Processes whose command line carries the token (the loop is a fork of the attack, same argv). */
  static List<ProcessHandle> processesWith(String token) {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(token)).orElse(false))
        .toList();
  }

  private static SandboxPolicy.Builder attack(Path ws, String token) {
    return SandboxPolicy.builder("/usr/bin/python3", "-c", PROC1_MEM_ATTACK, "/workspace/log", token)
        .workspace(ws)
        .timeout(Duration.ofSeconds(2));
  }

  @Test
  void proc1MemAttack_strictProfile_refusedByReadOnlyProc_andNothingSurvives(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    SandboxResult r = RUNNER.run(attack(ws, token).build());
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertTrue(r.stdoutText().startsWith("INJECT-FAILED Read-only file system"), r.stdoutText() + r.stderrText());
    assertEquals(Teardown.CGROUP_V2_KILL, r.report().teardown(), r.report().toJson());
    assertFalse(r.timedOut(), "the unsubverted init exits with the command and takes the loop with it");
    assertEquals(0, r.events().lingeringProcessesKilled(), r.toString());
    assertEquals(List.of(), processesWith(token));
  }

  @Test
  void proc1MemAttack_injectionSucceeds_cgroupKillStillEndsEverything(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    // the Docker-compatible profile allows ptrace, so /proc stays writable and the injection works
    SandboxResult r = RUNNER.run(attack(ws, token).seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).build());
    assertTrue(r.stdoutText().startsWith("INJECTED"), r.stdoutText() + r.stderrText());
    assertTrue(r.timedOut(), "the subverted init never exits: " + r);
    assertEquals(Teardown.CGROUP_V2_KILL, r.report().teardown());
    assertEquals(List.of(), processesWith(token), "nothing of the run survives the timeout");
    long size = Files.size(ws.resolve("log"));
    assertEquals(size, Files.size(ws.resolve("log")), "nobody writes to the workspace any more");
    assertTrue(Files.readString(ws.resolve("log")).startsWith("x\n"), "the loop did run");
  }

  @Test
  void proc1MemAttack_withoutCgroups_escapesThePidNamespaceKill(@TempDir Path tmp) throws Exception {
    // the attack as it worked before: no cgroup, writable /proc. Shows the test above can fail.
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    NamespaceRunner noCgroups = NamespaceRunner.builder().cgroups(false).build();
    noCgroups.probe();
    CompletableFuture<SandboxResult> f =
        noCgroups.runAsync(attack(ws, token).seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).build());
    ProcessHandle monitor = null;
    while (monitor == null && !f.isDone()) {
      monitor = ProcessHandle.current().descendants()
          .filter(h -> h.info().arguments().map(a -> List.of(a).contains(token)).orElse(false)
              && h.info().command().map(c -> c.endsWith("bwrap")).orElse(false))
          .findFirst().orElse(null);
      Thread.onSpinWait();
    }
    assertTrue(monitor != null, "bwrap monitor not found");
    monitor.onExit().get(); // killed by the runner at the 2 s timeout
    List<ProcessHandle> survivors = processesWith(token);
    try {
      assertFalse(survivors.isEmpty(), "the loop survives the monitor's death");
    } finally {
      // the test started them: kill the survivors (by pid) and the subverted bwrap init above them
      for (ProcessHandle h : survivors) {
        h.parent().filter(p -> p.info().command().map(c -> c.endsWith("bwrap")).orElse(false))
            .ifPresent(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      }
    }
    SandboxResult r = f.get();
    assertTrue(r.stdoutText().startsWith("INJECTED"), r.stdoutText() + r.stderrText());
    assertTrue(r.timedOut());
    assertEquals(Teardown.PID_NAMESPACE, r.report().teardown());
  }

  @Test
  void normalExit_withoutPidNamespace_backgroundProcessIsKilledAndCounted() throws Exception {
    String token = "987." + (100 + (int) (Math.random() * 800));
    String script = "setsid sleep \"$1\" </dev/null >/dev/null 2>&1 & echo started";
    NamespaceRunner unisolated = NamespaceRunner.builder().backend(SandboxBackend.NONE).build();
    // the shell exits at once; its child escapes into a new session, outside any pid namespace, but not the cgroup
    SandboxResult r = unisolated.run(Sandboxes.sh(script, token).requireIsolation(false).build());
    assertEquals("started", r.stdoutText().strip());
    assertTrue(r.succeeded());
    assertEquals(1, r.events().lingeringProcessesKilled(), r.toString());
    assertEquals(List.of(), processesWith(token));

    // without the cgroup the same process survives the run: the check above can fail
    NamespaceRunner noCgroups = NamespaceRunner.builder().backend(SandboxBackend.NONE).cgroups(false).build();
    SandboxResult old = noCgroups.run(Sandboxes.sh(script, token).requireIsolation(false).build());
    assertEquals(Teardown.PROCESS_TREE, old.report().teardown());
    List<ProcessHandle> survivors = processesWith(token);
    try {
      assertEquals(1, survivors.size());
    } finally {
      survivors.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void teardown_reportedPerBackend() throws Exception {
    assertEquals(Teardown.CGROUP_V2_KILL, RUNNER.run(Sandboxes.sh("true").build()).report().teardown());
    SandboxResult none = NamespaceRunner.builder().cgroups(false).build().run(Sandboxes.sh("true").build());
    assertEquals(Teardown.PID_NAMESPACE, none.report().teardown());
  }
}
