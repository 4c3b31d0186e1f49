package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static dev.secureyeoman.sandbox.Sandboxes.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.internal.cgroup.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 3: limits that hold. Each attack runs through the real runner (BWRAP, root host) and is contained by
 * the kernel while the JVM stays unharmed; the same attack without cgroups shows what the old limits let through.
 */
class LimitsTest {
  private static final long MIB = 1024 * 1024;

  /** The cgroup version that enforces a controller on this host (v2 when delegated, else v1). */
  private static LimitEnforcement expected(String controller) {
    CgroupLayout layout = CgroupLayout.detect(Optional.empty());
    return layout.v2Controllers().contains(controller) ? LimitEnforcement.CGROUP_V2 : LimitEnforcement.CGROUP_V1;
  }

  /** Bytes of a file written by {@code dd} inside the run, printed by the script. */
  private static long written(SandboxResult r) {
    List<String> lines = r.stdoutText().lines().filter(l -> l.startsWith("size=")).toList();
    return lines.isEmpty() ? 0 : Long.parseLong(lines.get(0).substring(5));
  }

  private static final String TMPFS_HOG =
      "dd if=/dev/zero of=\"$1/fill\" bs=1M count=200 2>/dev/null; echo size=$(stat -c %s \"$1/fill\")";

  @Test
  void report_namesTheMechanismOfEveryLimit() throws Exception {
    SandboxResult r = RUNNER.run(sh("true").limits(ResourceLimits.untrustedDefaults()).build());
    SandboxReport rep = r.report();
    assertEquals(Set.of(expected("memory")), rep.enforcementOf(ResourceLimit.MEMORY), rep.toJson());
    assertEquals(EnumSet.of(expected("pids"), LimitEnforcement.RLIMIT), rep.enforcementOf(ResourceLimit.PROCESSES));
    assertEquals(
        EnumSet.of(LimitEnforcement.RLIMIT, LimitEnforcement.CGROUP_ACCOUNTING),
        rep.enforcementOf(ResourceLimit.CPU_SECONDS));
    assertEquals(Set.of(LimitEnforcement.TMPFS_SIZE), rep.enforcementOf(ResourceLimit.TMP_SIZE));
    assertEquals(Set.of(LimitEnforcement.RLIMIT), rep.enforcementOf(ResourceLimit.OPEN_FILES));
    assertEquals(Set.of(LimitEnforcement.RLIMIT), rep.enforcementOf(ResourceLimit.FILE_SIZE));
    assertEquals(Map.of(), rep.unappliedLimits());
    assertTrue(rep.warnings().isEmpty(), rep.warnings().toString());
    assertTrue(r.succeeded());
  }

  @Test
  void noLimits_warns() throws Exception {
    SandboxResult r = RUNNER.run(sh("true").build());
    assertTrue(r.report().limits().isEmpty());
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.startsWith("no resource limits")), r.report().toJson());
  }

  @Test
  void forkBomb_untrustedDefaults_containedAndTornDown() throws Exception {
    SandboxResult r =
        RUNNER.run(
            sh("b() { b | b & }; b; wait")
                .limits(ResourceLimits.untrustedDefaults())
                .timeout(Duration.ofSeconds(3))
                .build());
    int uid = r.report().hostUid();
    assertTrue(Sandboxes.isPoolUid(uid));
    assertEquals(List.of(), processesOf(uid), "nothing of the bomb survives");
    BwrapIsolationTest.assertJvmStillSpawns();
    // deterministic check that the cgroup limit bites: the 129th task cannot be created
    SandboxResult capped =
        RUNNER.run(
            sh("i=0; while [ $i -lt 300 ]; do sleep 30 & i=$((i+1)); done; echo ALL-STARTED")
                .limits(ResourceLimits.untrustedDefaults())
                .timeout(Duration.ofSeconds(5))
                .build());
    assertFalse(capped.stdoutText().contains("ALL-STARTED"));
    assertTrue(capped.stderrText().contains("Cannot fork"), capped.stderrText());
  }

  @Test
  void tmpfsMemoryHog_tmpAndDevShm_killedByMemoryCgroup() throws Exception {
    for (String dir : List.of("/tmp", "/dev/shm")) {
      SandboxResult r =
          RUNNER.run(sh(TMPFS_HOG, dir).limits(ResourceLimits.builder().memoryMiB(64).build()).build());
      assertTrue(written(r) < 64 * MIB, dir + ": " + r.stdoutText() + r.stderrText());
      assertTrue(r.events().oomKills() >= 1, dir + ": " + r);
      assertEquals(Set.of(expected("memory")), r.report().enforcementOf(ResourceLimit.MEMORY));
      BwrapIsolationTest.assertJvmStillSpawns();
    }
  }

  @Test
  void tmpfsMemoryHog_withoutCgroups_addressSpaceLimitLetsItThrough() throws Exception {
    NamespaceRunner noCgroups = NamespaceRunner.builder().cgroups(false).build();
    SandboxResult r = noCgroups.run(sh(TMPFS_HOG, "/tmp").limits(ResourceLimits.builder().memoryMiB(64).build()).build());
    assertEquals(200 * MIB, written(r), "tmpfs pages escape RLIMIT_AS: the check above can fail");
    assertEquals(Set.of(LimitEnforcement.RLIMIT), r.report().enforcementOf(ResourceLimit.MEMORY));
    assertTrue(
        r.report().warnings().stream().anyMatch(w -> w.startsWith("limit MEMORY applied as RLIMIT_AS")),
        r.report().warnings().toString());
  }

  /**
   * Three children of 80 MiB each: every process fits a 160 MiB address space, the run does not fit 160 MiB. Each child
   * reports when its memory is resident, then holds it until the parent has heard from all of them; the parent counts
   * the children that exit normally (an OOM-killed child ends with SIGKILL, whenever it was chosen).
   */
  private static final String CHILDREN_HOG =
      String.join(
          "\n",
          "import os",
          "r_go, w_go = os.pipe()",
          "kids = []",
          "for i in range(3):",
          "    r, w = os.pipe()",
          "    pid = os.fork()",
          "    if pid == 0:",
          "        os.close(w_go); os.close(r)",
          "        b = bytearray(80 * 1024 * 1024)",
          "        for j in range(0, len(b), 4096): b[j] = 1",
          "        os.write(w, b'ok'); os.close(w)",
          "        os.read(r_go, 1)",
          "        os._exit(0)",
          "    os.close(w)",
          "    kids.append((pid, r))",
          "for pid, r in kids: os.read(r, 2)",
          "os.close(w_go)",
          "ok = 0",
          "for pid, r in kids:",
          "    _, st = os.waitpid(pid, 0)",
          "    ok += os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0",
          "print('survivors', ok, flush=True)");

  @Test
  void childrenMemoryHog_killedByMemoryCgroup_perProcessLimitWouldNot() throws Exception {
    ResourceLimits limits = ResourceLimits.builder().memoryMiB(160).build();
    SandboxResult r = RUNNER.run(SandboxPolicy.builder("/usr/bin/python3", "-c", CHILDREN_HOG).limits(limits).build());
    assertTrue(r.events().oomKills() >= 1, r + r.stdoutText() + r.stderrText());
    assertTrue(r.stdoutText().matches("survivors [012]\\n"), r + r.stdoutText() + r.stderrText());
    BwrapIsolationTest.assertJvmStillSpawns();

    NamespaceRunner noCgroups = NamespaceRunner.builder().cgroups(false).build();
    SandboxResult old = noCgroups.run(SandboxPolicy.builder("/usr/bin/python3", "-c", CHILDREN_HOG).limits(limits).build());
    assertEquals("survivors 3", old.stdoutText().strip(), "RLIMIT_AS is per process: the check above can fail");
  }

  @Test
  void tmpSize_boundsTmpAndDevShm_devIsReadOnly() throws Exception {
    SandboxResult r =
        RUNNER.run(
            sh("for d in /tmp /dev/shm; do dd if=/dev/zero of=$d/f bs=1M count=16 2>&1 | grep -c 'No space left';"
                    + " done; touch /dev/x 2>&1 | grep -c 'Read-only file system'")
                .limits(ResourceLimits.builder().tmpSizeMiB(8).build())
                .build());
    assertEquals(List.of("1", "1", "1"), r.stdoutText().lines().toList(), r.stderrText());
    assertEquals(Set.of(LimitEnforcement.TMPFS_SIZE), r.report().enforcementOf(ResourceLimit.TMP_SIZE));
  }

  /** Four children, each burning 0.6 s of CPU: each stays under RLIMIT_CPU (1 s), together they exceed it. */
  private static final String CPU_BURN =
      "import os, time\n"
          + "for i in range(4):\n"
          + "    if os.fork() == 0:\n"
          + "        t = time.process_time()\n"
          + "        while time.process_time() - t < 0.6: pass\n"
          + "        os._exit(0)\n"
          + "for i in range(4): os.wait()\n"
          + "print('DONE')\n";

  @Test
  void cpuSeconds_totalOfTheRun_killsTheRun() throws Exception {
    ResourceLimits limits = ResourceLimits.builder().cpuSeconds(1).build();
    SandboxResult r =
        RUNNER.run(SandboxPolicy.builder("/usr/bin/python3", "-c", CPU_BURN).limits(limits)
            .timeout(Duration.ofSeconds(30)).build());
    assertTrue(r.events().cpuTimeExceeded(), r.toString());
    assertEquals(137, r.exitCode());
    assertFalse(r.timedOut());
    assertFalse(r.stdoutText().contains("DONE"));

    NamespaceRunner noCgroups = NamespaceRunner.builder().cgroups(false).build();
    SandboxResult old =
        noCgroups.run(SandboxPolicy.builder("/usr/bin/python3", "-c", CPU_BURN).limits(limits)
            .timeout(Duration.ofSeconds(30)).build());
    assertEquals("DONE", old.stdoutText().strip(), "RLIMIT_CPU is per process: the check above can fail");
    assertEquals(Set.of(LimitEnforcement.RLIMIT), old.report().enforcementOf(ResourceLimit.CPU_SECONDS));
  }

  @Test
  void withoutCgroups_cgroupOnlyLimitsAreReportedUnapplied() throws Exception {
    NamespaceRunner noCgroups = NamespaceRunner.builder().cgroups(false).build();
    SandboxResult r =
        noCgroups.run(sh("true").limits(ResourceLimits.builder().cpuQuotaMillicores(500).processes(50).build()).build());
    assertTrue(r.report().unappliedLimits().containsKey(ResourceLimit.CPU_QUOTA), r.report().toJson());
    assertEquals(Set.of(LimitEnforcement.RLIMIT), r.report().enforcementOf(ResourceLimit.PROCESSES));
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.startsWith("limit CPU_QUOTA not applied")));
  }

  static List<Long> processesOf(int uid) throws Exception {
    List<Long> out = new java.util.ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : s.filter(x -> x.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          // zombies (state Z) are dead; they wait for the host's init to reap them
          if ((Integer) Files.getAttribute(p, "unix:uid") == uid
              && !Files.readString(p.resolve("stat")).replaceFirst(".*\\) ", "").startsWith("Z")) {
            out.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (java.io.IOException e) {
          // exited meanwhile
        }
      }
    }
    return out;
  }
}
