package dev.secureyeoman.sandbox.internal.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.LimitEnforcement;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.Teardown;
import dev.secureyeoman.sandbox.internal.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The teardown mechanisms of every cgroup layout, with real processes on this hybrid host: v2 only ({@code
 * cgroup.kill}, what pure-v2 production hosts use), v1 with the freezer, v1 without it (kill loop).
 */
class RunCgroupTest {
  private static CgroupLayout host;

  @BeforeAll
  static void hostLayout() {
    host = CgroupLayout.detect(Optional.empty());
    assumeTrue(host.v2Parent().isPresent() && host.v1Parents().containsKey("freezer"),
        "this test needs the hybrid layout of the build machines: " + host);
  }

  static CgroupLayout v2Only() {
    return new CgroupLayout(host.v2Parent(), host.v2Controllers(), "test: v2 only", Map.of());
  }

  static CgroupLayout v1(boolean freezer) {
    Map<String, Path> parents = new LinkedHashMap<>(host.v1Parents());
    if (!freezer) {
      parents.remove("freezer");
    }
    return new CgroupLayout(Optional.empty(), Set.of(), "test: no v2", parents);
  }

  /** A shell joined to the cgroup that starts two background sleeps and waits. */
  static Process tree(RunCgroup cg) throws IOException {
    List<String> argv = new ArrayList<>(Launcher.prefix(Path.of("/bin/sh"), cg.joinFiles()));
    argv.addAll(List.of("/bin/sh", "-c", "sleep 600 & sleep 600 & wait"));
    Process p = new ProcessBuilder(argv).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    Path membership = cg.directories().get(cg.directories().size() - 1);
    while (CgroupDir.members(membership).size() < 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(3, CgroupDir.members(membership).size(), "shell and two sleeps joined " + membership);
    return p;
  }

  private static void killAndVerify(RunCgroup cg, Teardown expected) throws Exception {
    assertEquals(expected, cg.teardown());
    Process p = tree(cg);
    List<ProcessHandle> members = new ArrayList<>();
    for (Path d : cg.directories()) {
      CgroupDir.members(d).forEach(pid -> ProcessHandle.of(pid).ifPresent(members::add));
    }
    cg.killAll();
    assertEquals(137, p.waitFor());
    for (ProcessHandle h : members) {
      h.onExit().get();
    }
    assertEquals(0, cg.ensureEmpty());
    cg.close();
    for (Path d : cg.directories()) {
      assertFalse(Files.exists(d), d + " removed");
    }
  }

  @Test
  void v2Only_cgroupKill_endsEveryMember() throws Exception {
    killAndVerify(RunCgroup.create(v2Only(), RunCgroup.newName(), ResourceLimits.none()).orElseThrow(),
        Teardown.CGROUP_V2_KILL);
  }

  @Test
  void v1WithFreezer_freezeAndKill_endsEveryMember() throws Exception {
    killAndVerify(RunCgroup.create(v1(true), RunCgroup.newName(), ResourceLimits.none()).orElseThrow(),
        Teardown.CGROUP_V1_FREEZE_KILL);
  }

  @Test
  void v1WithoutFreezer_killLoop_endsEveryMember() throws Exception {
    killAndVerify(RunCgroup.create(v1(false), RunCgroup.newName(), ResourceLimits.none()).orElseThrow(),
        Teardown.CGROUP_KILL_LOOP);
  }

  @Test
  void remove_busyWhileAMemberLives_retriedOnlyWithinItsBound_thenRemovedOnceEmpty() throws Exception {
    RunCgroup cg = RunCgroup.create(v2Only(), RunCgroup.newName(), ResourceLimits.none()).orElseThrow();
    Path dir = cg.directories().get(0);
    try {
      Process p = tree(cg);
      // the kernel refuses to remove a populated cgroup (EBUSY): retried for the bound, then reported, never thrown
      assertFalse(CgroupDir.remove(dir, 30_000_000L));
      assertTrue(Files.isDirectory(dir));
      cg.killAll();
      assertEquals(137, p.waitFor());
      // right after the last member died the kernel may still answer EBUSY for a moment: the default bound covers it
      assertTrue(CgroupDir.awaitEmpty(dir, CgroupDir.EMPTY_TIMEOUT_NANOS));
      assertTrue(CgroupDir.remove(dir));
      assertFalse(Files.exists(dir));
    } finally {
      cg.close();
    }
  }

  @Test
  void ensureEmpty_killsAndCountsWhatOutlivesTheGracePeriod() throws Exception {
    RunCgroup cg = RunCgroup.create(v2Only(), RunCgroup.newName(), ResourceLimits.none()).orElseThrow();
    try {
      Process p = tree(cg);
      assertEquals(3, cg.ensureEmpty());
      assertEquals(137, p.waitFor());
    } finally {
      cg.close();
    }
  }

  @Test
  void v1Limits_areWrittenAndReported() throws Exception {
    ResourceLimits limits =
        ResourceLimits.builder().memoryMiB(64).processes(32).cpuQuotaMillicores(250).cpuSeconds(5).build();
    RunCgroup cg = RunCgroup.create(v1(true), RunCgroup.newName(), limits).orElseThrow();
    try {
      Map<String, Path> dirs = new LinkedHashMap<>();
      for (Path d : cg.directories()) {
        for (String c : List.of("memory", "pids", "cpu", "cpuacct", "freezer")) {
          if (d.startsWith(host.v1Parents().get(c))) {
            dirs.put(c, d);
          }
        }
      }
      assertEquals("67108864", Files.readString(dirs.get("memory").resolve("memory.limit_in_bytes")).strip());
      assertEquals("32", Files.readString(dirs.get("pids").resolve("pids.max")).strip());
      assertEquals("25000", Files.readString(dirs.get("cpu").resolve("cpu.cfs_quota_us")).strip());
      assertTrue(dirs.containsKey("cpuacct"), "CPU time is accounted without v2 " + dirs);
      assertEquals(
          List.of(
              new AppliedLimit(ResourceLimit.MEMORY, 64L << 20, LimitEnforcement.CGROUP_V1),
              new AppliedLimit(ResourceLimit.PROCESSES, 32, LimitEnforcement.CGROUP_V1),
              new AppliedLimit(ResourceLimit.CPU_QUOTA, 250, LimitEnforcement.CGROUP_V1),
              new AppliedLimit(ResourceLimit.CPU_SECONDS, 5, LimitEnforcement.CGROUP_ACCOUNTING)),
          cg.appliedLimits());
      assertTrue(cg.cpuUsageNanos().isPresent());
      assertEquals(0, cg.oomKills());
    } finally {
      cg.close();
    }
  }

  @Test
  void v2WithoutControllers_limitsUnapplied_withTheReason() {
    CgroupLayout bare = new CgroupLayout(host.v2Parent(), Set.of(), "controllers not delegated (test)", Map.of());
    RunCgroup cg =
        RunCgroup.create(bare, RunCgroup.newName(), ResourceLimits.builder().memoryMiB(8).processes(8).build())
            .orElseThrow();
    try {
      assertEquals(Teardown.CGROUP_V2_KILL, cg.teardown());
      assertEquals(Set.of(ResourceLimit.MEMORY, ResourceLimit.PROCESSES), cg.unappliedLimits().keySet());
      assertTrue(cg.unappliedLimits().get(ResourceLimit.MEMORY).contains("controllers not delegated (test)"));
    } finally {
      cg.close();
    }
  }

  @Test
  void noCgroupAtAll_isEmpty() {
    assertTrue(RunCgroup.create(CgroupLayout.NONE, RunCgroup.newName(), ResourceLimits.none()).isEmpty());
  }

  @Test
  void sweepStale_killsAndRemovesCgroupsOfDeadJvms_leavesLiveOnes() throws Exception {
    Process gone = new ProcessBuilder("/bin/true").start();
    gone.waitFor();
    long deadPid = gone.pid();
    assumeTrue(ProcessHandle.of(deadPid).isEmpty(), "pid reused already");
    String stale = CgroupLayout.PREFIX + deadPid + "-1-test";
    Path v2 = Files.createDirectory(host.v2Parent().orElseThrow().resolve(stale));
    Path pids = Files.createDirectory(host.v1Parents().get("pids").resolve(stale));
    RunCgroup live = RunCgroup.create(v2Only(), RunCgroup.newName(), ResourceLimits.none()).orElseThrow();
    List<String> argv = new ArrayList<>(Launcher.prefix(Path.of("/bin/sh"), List.of(v2.resolve("cgroup.procs"))));
    argv.addAll(List.of("/bin/sleep", "600"));
    Process survivor = new ProcessBuilder(argv).start();
    try {
      while (CgroupDir.members(v2).isEmpty()) {
        Thread.onSpinWait();
      }
      assertTrue(host.sweepStale() >= 2);
      assertEquals(137, survivor.waitFor());
      assertFalse(Files.exists(v2));
      assertFalse(Files.exists(pids));
      assertTrue(Files.exists(live.directories().get(0)), "this JVM's cgroups are never swept");
    } finally {
      survivor.destroyForcibly();
      live.close();
    }
  }
}
