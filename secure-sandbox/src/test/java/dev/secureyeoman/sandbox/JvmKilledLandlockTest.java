package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secureyeoman.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 4: the host JVM is SIGKILLed during a Landlock-mode run (no cgroup, no pid namespace). A process that
 * double-forked into a new session outlives it — nothing in the kernel ties it to the dead JVM — and its uid's lock
 * was released by the JVM's death. The next runner that starts on the host reaps it before the uid is used again.
 */
class JvmKilledLandlockTest {
  private static final int UID = 0x70000000 + 4096 + 91; // outside the default pool: no other test uses it

  @Test
  void hostJvmSigkilled_landlockModeSurvivor_reapedByTheNextRunner(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run uids need a root host");
    Path locks = tmp.resolve("locks");
    Path ws = Sandboxes.workspace(tmp);
    String token = "sy-orphan-" + UUID.randomUUID();
    List<ProcessHandle> sandboxed;
    try (ChildJvm host =
        ChildJvm.builder(JvmKilledLandlockChild.class)
            .args(locks.toString(), Integer.toString(UID), token, ws.toString())
            .start()) {
      host.awaitStdout(Pattern.compile("STARTED"), Duration.ofSeconds(60));
      // the double-forked sleeper writes "ready" into the workspace once it runs in its own session
      while (!Files.exists(ws.resolve("ready")) && host.isAlive() && !host.stdout().contains("ENDED")) {
        Thread.onSpinWait();
      }
      sandboxed = TeardownTest.processesWith(token);
      assertFalse(sandboxed.isEmpty(), "the child's run never started: " + host.stdout() + host.stderr());
      ProcessHandle.of(host.pid()).orElseThrow().destroyForcibly(); // SIGKILL to the JVM alone
      ProcessHandle.of(host.pid()).ifPresent(h -> h.onExit().join());
    }
    List<ProcessHandle> orphans = TeardownTest.processesWith(token);
    try {
      assertFalse(orphans.isEmpty(), "nothing survived: the test would not show the sweep");
      assertTrue(Files.size(locks.resolve(UID + ".lock")) > 0, "the dead host's record is still in the lock file");

      NamespaceRunner next = NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
      next.probe(); // a runner starting on the host sweeps uids whose host died
      for (ProcessHandle h : orphans) {
        // bounded only so that a regression fails instead of hanging the build; the sweep kills synchronously
        h.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertEquals(List.of(), TeardownTest.processesWith(token));
      assertEquals(0, Files.size(locks.resolve(UID + ".lock")), "the record was cleared");
      // the uid serves the next run again (after its workspace is given back by its owner: the host died mid-run)
      SandboxResult r = next.run(Sandboxes.sh("id -u").build());
      assertEquals(Integer.toString(UID), r.stdoutText().strip(), r + r.stderrText());
    } finally {
      TeardownTest.processesWith(token).forEach(ProcessHandle::destroyForcibly);
    }
  }
}
