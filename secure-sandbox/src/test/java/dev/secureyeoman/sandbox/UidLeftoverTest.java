package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team (after the uid pool's fast path): a process of a pool uid whose main thread has exited while another thread
 * still runs shows as {@code Z (zombie)} in {@code /proc/<pid>/status}. It is alive (it runs code, holds files, can
 * signal and ptrace the uid's next run), so the abandoned-run sweep must kill it and the pool must not hand the uid out
 * while it lives.
 */
class UidLeftoverTest {
  private static final int UID = 0x70000000 + 4096 + 78; // outside the default pool and UidReservationTest's uid
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /** Tasks (threads) of the process that are neither zombie nor dead. */
  static List<String> liveTasks(long pid) throws IOException {
    List<String> live = new ArrayList<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) {
      return live;
    }
    try (Stream<Path> s = Files.list(tasks)) {
      for (Path t : s.toList()) {
        try {
          for (String line : Files.readAllLines(t.resolve("status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("State:") && !line.contains("Z (zombie)") && !line.contains("X (dead)")) {
              live.add(t.getFileName() + " " + line);
            }
          }
        } catch (IOException e) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return live;
  }

  private static boolean leaderIsZombie(long pid) throws IOException {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .anyMatch(l -> l.startsWith("State:") && l.contains("Z (zombie)"));
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void leftoverWhoseMainThreadExited_isKilledBeforeItsUidIsHandedOutAgain(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " to start a thread and end the main thread");
    Path locks = tmp.resolve("locks");
    Files.createDirectories(locks);
    // the record of a host JVM that died during its run (no such pid): its run's processes are abandoned
    Files.writeString(locks.resolve(UID + ".lock"), "2147480000 1 0123456789abcdef\n", StandardCharsets.US_ASCII);
    Process leftover =
        new ProcessBuilder(
                "setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", PYTHON.toString(), "-c",
                "import threading,ctypes,time\n"
                    + "threading.Thread(target=time.sleep,args=(600,)).start()\n"
                    + "ctypes.CDLL(None).pthread_exit(None)\n")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long pid = leftover.pid();
    try {
      while (!(leaderIsZombie(pid) && !liveTasks(pid).isEmpty())) {
        assertTrue(leftover.isAlive() || !liveTasks(pid).isEmpty(), "the leftover exited on its own");
        Thread.onSpinWait();
      }
      NamespaceRunner runner =
          NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
      assumeTrue(runner.probe().status(SandboxBackend.BWRAP).available(), runner.probe().toJson());
      try {
        SandboxResult r = runner.run(Sandboxes.sh("id -u").build());
        // the run got the uid: then the leftover must have been killed before
        assertEquals(List.of(), liveTasks(pid), "uid " + UID + " handed out to " + r + " while its leftover runs");
        assertEquals(Integer.toString(UID), r.stdoutText().strip(), r.toString());
      } catch (SandboxException e) {
        // refusing the uid is the other acceptable outcome
        assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason(), e.getMessage());
      }
    } finally {
      leftover.destroyForcibly();
      leftover.waitFor();
    }
  }
}
