package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host JVM killed with SIGKILL in the middle of a run (two processes): the sandbox dies with it, no seccomp program
 * file is left behind (issue 12, item 6), and the run's cgroups are swept by the next runner of the host.
 */
class JvmKilledTest {

  @Test
  void hostJvmSigkilled_sandboxDies_noStaleFiles_cgroupsSwept(@TempDir Path helperDir) throws Exception {
    String token = "654." + (100 + (int) (Math.random() * 800));
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            JvmKilledChild.class.getName(),
            helperDir.toString(),
            token);
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<ProcessHandle> sandboxed;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.equals("STARTED")) {
        // JVM warnings, if any
      }
      sandboxed = List.of();
      while (sandboxed.isEmpty() && child.isAlive()) {
        sandboxed = TeardownTest.processesWith(token);
        Thread.onSpinWait();
      }
      assertFalse(sandboxed.isEmpty(), "the child's sandbox never started");
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no deleteOnExit
    }
    child.waitFor();
    for (ProcessHandle h : sandboxed) {
      h.onExit().get(); // dies with the JVM's spawning thread (parent-death signals)
    }
    try (Stream<Path> files = Files.list(helperDir)) {
      List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sy-seccomp")).toList();
      assertEquals(List.of(), left, "the seccomp program went through a pipe, not a file");
    }
    String prefix = "sy-" + child.pid() + "-";
    List<Path> stale = runCgroupsNamed(prefix);
    assertFalse(stale.isEmpty(), "a SIGKILLed JVM cannot remove its run's cgroups");
    // a new runner sweeps cgroups of JVMs that no longer exist: its first sweep, even when the dead JVM's pid was taken
    // by another process meanwhile (pid_max 32768 on a busy host: the cause of an earlier flaky run)
    NamespaceRunner.create().probe();
    assertEquals(List.of(), runCgroupsNamed(prefix));
  }

  private static List<Path> runCgroupsNamed(String prefix) throws Exception {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> s = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
      s.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(prefix)).forEach(found::add);
    }
    assertTrue(found.stream().allMatch(Files::isDirectory));
    return found;
  }
}
