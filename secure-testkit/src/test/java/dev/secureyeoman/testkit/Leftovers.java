package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.internal.Poll;
import dev.secureyeoman.testkit.internal.ProcessTrees;
import dev.secureyeoman.testkit.internal.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Assertions that the testkit left nothing behind: processes, directories. */
final class Leftovers {
  private Leftovers() {}

  /** {@code pid} and all its descendants, now. */
  static List<Long> tree(long pid) {
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    return pids;
  }

  /** Asserts that every pid is gone (re-parented orphans are reaped asynchronously: bounded wait). */
  static void assertGone(List<Long> pids) {
    Poll.until(Duration.ofSeconds(10), () -> pids.stream().allMatch(ProcessTrees::isGone));
    assertEquals(List.of(), pids.stream().filter(p -> !ProcessTrees.isGone(p)).toList(), "processes still running");
  }

  /** Processes whose working directory or command line lies in {@code dir}. */
  static List<Long> processesIn(Path dir) {
    return ProcessHandle.allProcesses()
        .map(ProcessHandle::pid)
        .filter(p -> !ProcessTrees.isGone(p) && ProcessTrees.runsIn(p, dir))
        .toList();
  }

  /** The testkit directories in {@code base}. */
  static List<Path> testkitDirs(Path base) {
    try (Stream<Path> s = Files.list(base)) {
      return s.filter(p -> p.getFileName().toString().startsWith(WorkDirs.PREFIX)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asserts that nothing of the testkit is left in {@code base}: no directory, no process working there. */
  static void assertNothingLeftIn(Path base) {
    Poll.until(Duration.ofSeconds(10), () -> processesIn(base).isEmpty());
    assertEquals(List.of(), processesIn(base), "processes still running in " + base);
    assertEquals(List.of(), testkitDirs(base), "directories left in " + base);
  }

  /**
   * A private base directory that a server running as another user (postgres) can traverse: 0711, in the default
   * base.
   */
  static Path privateBase() throws IOException {
    Path base = Files.createTempDirectory(WorkDirs.defaultBase(), "testkit-test-");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    assertTrue(Files.isDirectory(base));
    return base;
  }
}
