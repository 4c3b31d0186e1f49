package dev.secureyeoman.sandbox.internal.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing {@code /proc/self/mountinfo} and {@code /proc/self/cgroup} for the layouts found in production. */
class CgroupLayoutTest {

  @Test
  void pureV2_delegatedControllers_areUsed(@TempDir Path root) throws Exception {
    Path own = Files.createDirectories(root.resolve("sys fs/user.slice/app.service"));
    Files.writeString(own.resolve("cgroup.subtree_control"), "cpu memory pids\n");
    CgroupLayout l =
        CgroupLayout.detect(
            List.of("30 23 0:26 / " + root.resolve("sys\\040fs") + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"),
            List.of("0::/user.slice/app.service"),
            Optional.empty());
    assertEquals(Optional.of(own), l.v2Parent());
    assertEquals(Set.of("memory", "pids", "cpu"), l.v2Controllers());
    assertEquals("", l.v2Note());
    assertEquals(Map.of(), l.v1Parents());
  }

  @Test
  void pureV2_jvmInItsOwnLeaf_controllersNotDelegated_saysHow(@TempDir Path root) throws Exception {
    Path own = Files.createDirectories(root.resolve("session.scope"));
    Files.writeString(own.resolve("cgroup.controllers"), "");
    CgroupLayout l =
        CgroupLayout.detect(
            List.of("30 23 0:26 / " + root + " rw - cgroup2 cgroup2 rw"), List.of("0::/session.scope"), Optional.empty());
    assertEquals(Set.of(), l.v2Controllers());
    assertTrue(l.v2Note().contains("not delegated") && l.v2Note().contains("cgroupParent"), l.v2Note());
  }

  @Test
  void hybrid_v1ControllersUnderTheJvmsOwnCgroups(@TempDir Path root) throws Exception {
    Path mem = Files.createDirectories(root.resolve("memory/process_api/abc"));
    Path pids = Files.createDirectories(root.resolve("pids"));
    Files.createDirectories(root.resolve("cpu,cpuacct"));
    Files.createDirectories(root.resolve("unified"));
    CgroupLayout l =
        CgroupLayout.detect(
            List.of(
                "32 31 0:29 / " + root.resolve("cpu,cpuacct") + " rw - cgroup cgroup rw,cpu,cpuacct",
                "35 31 0:32 / " + root.resolve("memory") + " rw - cgroup cgroup rw,memory",
                "39 31 0:36 / " + pids + " rw - cgroup cgroup rw,pids",
                "40 31 0:37 / " + root.resolve("systemd") + " rw - cgroup cgroup rw,name=systemd",
                "41 31 0:38 / " + root.resolve("unified") + " rw - cgroup2 cgroup2 rw"),
            List.of("9:name=systemd:/", "8:pids:/", "4:memory:/process_api/abc", "1:cpu,cpuacct:/", "0::/"),
            Optional.empty());
    assertEquals(Optional.of(root.resolve("unified")), l.v2Parent());
    assertEquals(mem, l.v1Parents().get("memory"));
    assertEquals(pids, l.v1Parents().get("pids"));
    assertEquals(root.resolve("cpu,cpuacct"), l.v1Parents().get("cpu"));
    assertEquals(root.resolve("cpu,cpuacct"), l.v1Parents().get("cpuacct"));
  }

  @Test
  void cgroupNamespaceOrBoundSubtree_pathIsRelativeToTheMountRoot(@TempDir Path root) throws Exception {
    Path own = Files.createDirectories(root.resolve("job"));
    CgroupLayout l =
        CgroupLayout.detect(
            List.of("30 23 0:26 /kubepods/pod1 " + root + " rw - cgroup2 cgroup2 rw"),
            List.of("0::/kubepods/pod1/job"),
            Optional.empty());
    assertEquals(Optional.of(own), l.v2Parent());
    CgroupLayout outside =
        CgroupLayout.detect(
            List.of("30 23 0:26 /kubepods/pod1 " + root + " rw - cgroup2 cgroup2 rw"),
            List.of("0::/system.slice"),
            Optional.empty());
    assertEquals(Optional.empty(), outside.v2Parent());
  }

  @Test
  void noCgroupsMounted_orUnreadableFiles_giveNothing() {
    CgroupLayout l = CgroupLayout.detect(List.of("22 1 0:5 / /proc rw - proc proc rw"), List.of(), Optional.empty());
    assertEquals(Optional.empty(), l.v2Parent());
    assertEquals(Map.of(), l.v1Parents());
    assertTrue(l.v2Note().contains("no cgroup v2"));
    assertTrue(CgroupLayout.NONE.toString().contains("v2=-"));
  }

  @Test
  void delegatedParent_isUsedWhenWritable(@TempDir Path root) {
    CgroupLayout l = CgroupLayout.detect(List.of(), List.of(), Optional.of(root));
    assertEquals(Optional.of(root), l.v2Parent());
    CgroupLayout missing = CgroupLayout.detect(List.of(), List.of(), Optional.of(root.resolve("nope")));
    assertTrue(missing.v2Note().contains("not writable"), missing.v2Note());
  }

  @Test
  void sweepStale_pidReusedByAnotherProcess_deadJvmsCgroupIsRemoved_liveJvmsKept(@TempDir Path root) throws Exception {
    long self = ProcessHandle.current().pid();
    long start = dev.secureyeoman.sandbox.internal.ProcessStart.SELF;
    // a dead JVM whose pid now belongs to a live process (this one), started at another time
    Path reused = Files.createDirectory(root.resolve("sy-" + self + "-t" + (start - 1) + "-1-abc"));
    Path mine = Files.createDirectory(root.resolve("sy-" + self + "-t" + start + "-2-abc"));
    Path legacyLive = Files.createDirectory(root.resolve("sy-" + self + "-3-abc")); // earlier name: pid only
    Path other = Files.createDirectory(root.resolve("not-ours"));
    CgroupLayout l = new CgroupLayout(Optional.of(root), Set.of(), "", Map.of());
    assertEquals(1, l.sweepStale());
    assertTrue(Files.notExists(reused), "the dead JVM's cgroup is swept although its pid is in use again");
    assertTrue(Files.isDirectory(mine) && Files.isDirectory(legacyLive) && Files.isDirectory(other));
    assertTrue(dev.secureyeoman.sandbox.internal.cgroup.RunCgroup.newName().startsWith("sy-" + self + "-t" + start + "-"));
  }
}
