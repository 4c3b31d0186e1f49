package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.internal.SysvShm;
import dev.secureyeoman.testkit.internal.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A JVM that exits without closing its servers stops them in its shutdown hook. A JVM that is SIGKILLed runs no cleanup: its servers must still die (parent-death signal) and the next JVM must
 * remove what it left (directories, PostgreSQL's SysV segment) — and nothing of a live JVM.
 */
class CrashSweepTest {
  @Test
  void jvmExit_serversNeverClosed_shutdownHookStopsThemAndDeletesDirectories() throws Exception {
    Path base = Leftovers.privateBase();
    try {
      ChildJvm.Result r =
          ChildJvm.builder(ChildMain.class)
              .args("forget")
              .jvmOptions("-D" + WorkDirs.BASE_PROPERTY + "=" + base)
              .run(Duration.ofSeconds(120));
      assertEquals(0, r.exitCode(), r.stderr());
      MatchResult m = Pattern.compile("forgot redis=(\\d+) (\\S+) pg=(\\d+) (\\S+)").matcher(r.stdout()).results().findFirst().orElseThrow();
      Leftovers.assertGone(List.of(Long.parseLong(m.group(1)), Long.parseLong(m.group(3))));
      assertFalse(Files.exists(Path.of(m.group(2))));
      assertFalse(Files.exists(Path.of(m.group(4))));
      assertEquals(List.of(), Leftovers.testkitDirs(base), "the template directory too");
    } finally {
      WorkDirs.deleteTree(base);
    }
  }

  @Test
  void sweepStale_afterTestJvmKilled_serversDeadAndEverythingRemoved() throws Exception {
    Path base = Leftovers.privateBase();
    Path mine = WorkDirs.create(base, "mine"); // a live JVM's directory: never swept
    try (ChildJvm child =
        ChildJvm.builder(ChildMain.class)
            .args("servers")
            .jvmOptions("-D" + WorkDirs.BASE_PROPERTY + "=" + base)
            .start()) {
      MatchResult redis = child.awaitStdout(Pattern.compile("redis=(\\d+) (\\S+)"), Duration.ofSeconds(60));
      MatchResult pg = child.awaitStdout(Pattern.compile("pg=(\\d+) (\\S+) (\\d+) (\\d+)"), Duration.ofSeconds(120));
      long redisPid = Long.parseLong(redis.group(1));
      long postmaster = Long.parseLong(pg.group(1));
      List<Long> postgresTree = Leftovers.tree(postmaster);
      SysvShm.Segment segment = new SysvShm.Segment(Long.parseLong(pg.group(3)), Integer.parseInt(pg.group(4)));

      child.kill(); // SIGKILL: no shutdown hook runs in the child

      Leftovers.assertGone(List.of(redisPid));
      Leftovers.assertGone(postgresTree);
      assertTrue(Files.isDirectory(Path.of(redis.group(2))), "left behind by the killed JVM");
      assertTrue(Files.isDirectory(Path.of(pg.group(2))));
      assertTrue(SysvShm.attachCount(segment).isPresent(), "left behind by the killed postmaster");

      List<Path> swept = WorkDirs.sweepStale(base);

      assertTrue(swept.contains(Path.of(redis.group(2))), swept.toString());
      assertTrue(swept.contains(Path.of(pg.group(2))), swept.toString());
      assertFalse(Files.exists(Path.of(pg.group(2))));
      assertTrue(SysvShm.attachCount(segment).isEmpty(), "segment removed");
      assertTrue(Files.isDirectory(mine), "a live JVM's directory is left alone");
      assertEquals(List.of(mine), Leftovers.testkitDirs(base));
    } finally {
      WorkDirs.deleteTree(base);
    }
  }
}
