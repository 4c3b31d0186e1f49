package dev.secureyeoman.sandbox.internal.cgroup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 5: the v1 kill loop reads the member list and then kills by pid. A pid read from {@code cgroup.procs}
 * can belong to another process by the time it is signalled (the member exited, the pid was reused). A stale list is
 * reproduced exactly by a member file that names a process outside the cgroup: it must not be killed, while real
 * members are.
 */
class StaleMemberTest {

  @Test
  void killLoop_memberListNamesAProcessOutsideTheCgroup_itSurvives(@TempDir Path tmp) throws Exception {
    Process outsider = new ProcessBuilder("sleep", "60").start();
    try {
      Path dir = Files.createDirectory(tmp.resolve("sy-1-1-stale"));
      Files.writeString(dir.resolve("cgroup.procs"), outsider.pid() + "\n");
      CgroupDir.killLoop(dir);
      assertTrue(outsider.isAlive(), "a pid that is not (or no longer) a member was killed");
    } finally {
      outsider.destroyForcibly().waitFor();
    }
  }

  @Test
  void killLoop_realMember_isKilled() throws Exception {
    CgroupLayout layout = CgroupLayout.detect(java.util.Optional.empty());
    java.util.Optional<RunCgroup> cg =
        RunCgroup.create(layout, RunCgroup.newName(), dev.secureyeoman.sandbox.ResourceLimits.builder().processes(10)
            .build());
    org.junit.jupiter.api.Assumptions.assumeTrue(cg.isPresent(), "no writable cgroup here");
    try (RunCgroup c = cg.get()) {
      java.util.List<String> argv =
          new java.util.ArrayList<>(dev.secureyeoman.sandbox.internal.Launcher.prefix(Path.of("/bin/sh"),
              c.joinFiles()));
      argv.addAll(java.util.List.of("sleep", "60"));
      Process member = new ProcessBuilder(argv).start();
      Path procs = c.joinFiles().get(c.joinFiles().size() - 1).getParent();
      while (CgroupDir.members(procs).isEmpty() && member.isAlive()) {
        Thread.onSpinWait();
      }
      CgroupDir.killLoop(procs);
      member.waitFor();
      assertFalse(member.isAlive());
    }
  }
}
