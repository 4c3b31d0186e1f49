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

  /** Whether the loop is alone and its parent, the sandbox's init, is blocked in pause(2) (syscall 34 on x86_64). */
  private static boolean initPaused(String token) {
    List<ProcessHandle> p =
        processesWith(token).stream()
            .filter(h -> h.info().command().map(c -> c.contains("python3")).orElse(false))
            .toList();
    if (p.size() != 1) {
      return false;
    }
    return p.get(0).parent().map(init -> {
      try {
        return Files.readString(Path.of("/proc", Long.toString(init.pid()), "syscall")).startsWith("34 ");
      } catch (java.io.IOException e) {
        return false;
      }
    }).orElse(false);
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
    assertEquals(Teardown.PID_NAMESPACE, r.report().teardown(), r.report().toJson());
    assertFalse(r.timedOut(), "the unsubverted init exits with the command and takes the loop with it");
    assertEquals(0, r.events().lingeringProcessesKilled(), r.toString());
    assertEquals(List.of(), processesWith(token));
  }

  @Test
  void proc1MemAttack_injectionSucceeds_initKilledByPid_nothingSurvives(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    // the Docker-compatible profile allows ptrace, so /proc stays writable and the injection works
    SandboxResult r = RUNNER.run(attack(ws, token).seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).build());
    assertTrue(r.stdoutText().startsWith("INJECTED"), r.stdoutText() + r.stderrText());
    assertTrue(r.timedOut(), "the subverted init never exits: " + r);
    assertEquals(Teardown.PID_NAMESPACE, r.report().teardown());
    assertEquals(List.of(), processesWith(token), "nothing of the run survives the timeout");
    long size = Files.size(ws.resolve("log"));
    assertEquals(size, Files.size(ws.resolve("log")), "nobody writes to the workspace any more");
    assertTrue(Files.readString(ws.resolve("log")).startsWith("x\n"), "the loop did run");
    assertFalse(r.stderrText().contains("child-pid") || r.stderrText().contains("exit-code"), r.stderrText());
  }

  @Test
  void proc1MemAttack_withLimits_cgroupKillEndsEverything(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    SandboxResult r =
        RUNNER.run(
            attack(ws, token)
                .seccompProfile(SeccompProfile.DOCKER_COMPATIBLE)
                .limits(ResourceLimits.untrustedDefaults())
                .build());
    assertTrue(r.stdoutText().startsWith("INJECTED"), r.stdoutText() + r.stderrText());
    assertTrue(r.timedOut());
    assertEquals(Teardown.CGROUP_V2_KILL, r.report().teardown());
    assertEquals(List.of(), processesWith(token));
  }

  /**
   * The attack against bwrap's own teardown (kill the monitor, rely on the init's parent-death signal), which the
   * runner used before: the loop survives. Shows that the tests above can fail.
   */
  @Test
  void proc1MemAttack_bareBwrapMonitorKill_letsTheLoopSurvive(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-teardown-" + UUID.randomUUID();
    List<String> argv = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--", "/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session",
        "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", ws.toString(),
        "/tmp/ws", "--", "/usr/bin/python3", "-c", PROC1_MEM_ATTACK, "/tmp/ws/log", token);
    Process monitor = new ProcessBuilder(argv).redirectErrorStream(true).start();
    List<ProcessHandle> survivors = List.of();
    try {
      java.io.BufferedReader out = new java.io.BufferedReader(
          new java.io.InputStreamReader(monitor.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("INJECTED", out.readLine());
      // the attack's python exits after forking the loop; the init then runs the injected code and sits in pause(2)
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!initPaused(token) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(initPaused(token), "the injected init did not reach pause(2)");
      monitor.destroyForcibly().waitFor(); // what "killed after the timeout" used to do
      survivors = processesWith(token);
      assertFalse(survivors.isEmpty(), "the loop survives the monitor's death");
    } finally {
      // the test started them: kill the survivors (by pid) and the subverted bwrap init above them
      for (ProcessHandle h : survivors) {
        h.parent().filter(p -> p.info().command().map(c -> c.endsWith("bwrap")).orElse(false))
            .ifPresent(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
      }
    }
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

    // without the cgroup, the run's own uid still catches it (red-team 3)
    NamespaceRunner noCgroups = NamespaceRunner.builder().backend(SandboxBackend.NONE).cgroups(false).build();
    SandboxResult byUid = noCgroups.run(Sandboxes.sh(script, token).requireIsolation(false).build());
    assertEquals(Teardown.RUN_UID, byUid.report().teardown());
    assertEquals(1, byUid.events().lingeringProcessesKilled(), byUid.toString());
    assertEquals(List.of(), processesWith(token));

    // with neither a cgroup nor a uid of its own the same process survives the run: the checks above can fail
    NamespaceRunner shared =
        NamespaceRunner.builder().backend(SandboxBackend.NONE).cgroups(false).runAs(65534, 65534).build();
    SandboxResult old = shared.run(Sandboxes.sh(script, token).requireIsolation(false).build());
    assertEquals(Teardown.PROCESS_TREE, old.report().teardown());
    List<ProcessHandle> survivors = processesWith(token);
    try {
      assertEquals(1, survivors.size());
    } finally {
      survivors.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void teardown_reportedPerPolicy() throws Exception {
    assertEquals(Teardown.PID_NAMESPACE, RUNNER.run(Sandboxes.sh("true").build()).report().teardown());
    SandboxPolicy limited = Sandboxes.sh("true").limits(ResourceLimits.builder().processes(50).build()).build();
    assertEquals(Teardown.CGROUP_V2_KILL, RUNNER.run(limited).report().teardown());
    SandboxResult none = NamespaceRunner.builder().cgroups(false).build().run(limited);
    assertEquals(Teardown.PID_NAMESPACE, none.report().teardown());
  }

  /**
   * Red-team 3: the Landlock mode (no namespaces) with an exec allowlist has no cgroup; a double fork into a new
   * session left the process tree and survived the run, and the uid went back to the pool while it lived. The run's own
   * uid is now the teardown handle: nothing of that uid is left when the result is returned.
   */
  @Test
  void landlockMode_setsidDoubleFork_survivorKilledThroughTheRunsUid(@TempDir Path tmp) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Sandboxes.isRoot(), "per-run uids need a root host");
    String token = "sy-survivor-" + UUID.randomUUID();
    String code =
        "import os, sys, time\n"
            + "if os.fork() == 0:\n"
            + "    os.setsid()\n"
            + "    if os.fork() == 0:\n"
            + "        null = os.open('/dev/null', os.O_RDWR)\n"
            + "        for fd in (0, 1, 2): os.dup2(null, fd)\n"
            + "        time.sleep(60)\n"
            + "    os._exit(0)\n"
            + "os.wait()\n"
            + "print('forked', flush=True)\n";
    NamespaceRunner landlock = NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();
    SandboxResult r =
        landlock.run(
            SandboxPolicy.builder("/usr/bin/python3", "-c", code, token)
                .allowExec(Path.of("/usr/bin/python3"))
                .workspace(Sandboxes.workspace(tmp))
                .build());
    assertEquals("forked", r.stdoutText().strip(), r + r.stderrText());
    assertEquals(ExecRestriction.LANDLOCK, r.report().execRestriction(), r.report().toJson());
    assertEquals(Teardown.RUN_UID, r.report().teardown(), r.report().toJson());
    assertEquals(1, r.events().lingeringProcessesKilled(), r.toString());
    assertEquals(List.of(), processesWith(token), "the double-forked sleeper outlived the run");
    int uid = r.report().hostUid();
    assertTrue(Sandboxes.isPoolUid(uid), r.report().toJson());
    UidReservationTest.awaitGone(uid); // returns at once: nothing of the uid is alive
  }
}
