package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 1: a run's uid stays reserved for as long as any of its processes lives, even when the record lock that
 * reserved it is lost (lock file deleted, a second process with another lock directory allocating the same range).
 * The kernel's view (processes of the uid) decides, not only the lock.
 */
class UidReservationTest {
  private static final int UID = 0x70000000 + 4096 + 77; // outside the default pool: no other test uses it

  private static NamespaceRunner runner(Path locks) {
    return NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
  }

  private static int uidOf(ProcessHandle h) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(h.pid()), "status"))) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  private static List<ProcessHandle> awaitRunning(String token, CompletableFuture<SandboxResult> run) {
    List<ProcessHandle> p = List.of();
    while (p.isEmpty() && !run.isDone()) {
      // the launcher runs as root until it executes setpriv: wait for the run's own processes
      p = TeardownTest.processesWith(token).stream().filter(h -> {
        try {
          return uidOf(h) == UID;
        } catch (Exception e) {
          return false;
        }
      }).toList();
      Thread.onSpinWait();
    }
    assertFalse(p.isEmpty(), "the first run never started: " + run);
    return p;
  }

  @Test
  void lockFileDeleted_uidOfLiveRun_isNotHandedOutAgain(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    Path locks = tmp.resolve("locks");
    NamespaceRunner first = runner(locks);
    NamespaceRunner second = runner(locks);
    assertTrue(second.probe().status(SandboxBackend.BWRAP).available(), second.probe().toJson());
    String token = "uid-lock-" + UUID.randomUUID();
    CompletableFuture<SandboxResult> a =
        first.runAsync(Sandboxes.sh("sleep 30 # \"$1\"", token).timeout(Duration.ofSeconds(60)).build());
    try {
      List<ProcessHandle> running = awaitRunning(token, a);
      assertEquals(UID, uidOf(running.get(0)));
      Files.delete(locks.resolve(UID + ".lock")); // a cleaner, an operator, a second installation …
      SandboxException e =
          assertThrows(SandboxException.class, () -> second.run(Sandboxes.sh("id -u").build()));
      assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason(), e.getMessage());
    } finally {
      a.cancel(true);
    }
    assertThrows(java.util.concurrent.CancellationException.class, a::get);
    // the legitimate path: once the first run is gone the uid is free again
    awaitGone(UID);
    SandboxResult r = second.run(Sandboxes.sh("id -u").build());
    assertEquals(Integer.toString(UID), r.stdoutText().strip(), r.toString());
  }

  @Test
  void secondProcessWithOtherLockDirectory_cannotTakeTheUidOfALiveRun(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    NamespaceRunner first = runner(tmp.resolve("locks-a"));
    NamespaceRunner second = runner(tmp.resolve("locks-b"));
    assertTrue(second.probe().status(SandboxBackend.BWRAP).available(), second.probe().toJson());
    String token = "uid-lock-" + UUID.randomUUID();
    CompletableFuture<SandboxResult> a =
        first.runAsync(Sandboxes.sh("sleep 30 # \"$1\"", token).timeout(Duration.ofSeconds(60)).build());
    try {
      awaitRunning(token, a);
      SandboxException e =
          assertThrows(SandboxException.class, () -> second.run(Sandboxes.sh("id -u").build()));
      assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason(), e.getMessage());
      assertTrue(e.getMessage().contains("still has processes"), e.getMessage());
      // the refused allocator left no record of its own: once it is gone, nobody may take the live run for abandoned
      assertEquals(0, Files.size(tmp.resolve("locks-b").resolve(UID + ".lock")));
    } finally {
      a.cancel(true);
    }
    try {
      a.get();
    } catch (java.util.concurrent.CancellationException | ExecutionException expected) {
      // cancelled
    }
    // the cancelled run's teardown completes asynchronously: leave no process of the uid to the next test
    awaitGone(UID);
  }

  /** Waits until the kernel shows no process of the uid (the cancelled run's teardown completes asynchronously). */
  static void awaitGone(int uid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      boolean any = false;
      for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
        try {
          if (uidOf(h) == uid) {
            any = true;
            break;
          }
        } catch (java.io.IOException e) {
          // exited meanwhile
        }
      }
      if (!any) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("processes of uid " + uid + " are still alive");
  }
}
