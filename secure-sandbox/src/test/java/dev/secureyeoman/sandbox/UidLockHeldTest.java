package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team: a live run's uid must stay locked for every other process of the host. POSIX record locks are per process
 * and closing any descriptor of the file drops them all: re-reading the lock file through a second descriptor right
 * after taking the lock (or a second pool instance of the same JVM opening it) released the reservation, so another
 * JVM could lock the uid while the run lived (and, before the run's first process exists, even take it).
 */
class UidLockHeldTest {
  private static final int UID = 0x70000000 + 4096 + 80;
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /** Exit 0 when another process gets the fcntl record lock on the file, 1 when the kernel refuses it. */
  private static int lockFromAnotherProcess(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                PYTHON.toString(), "-c",
                "import fcntl,os,sys\n"
                    + "fd=os.open(sys.argv[1],os.O_RDWR)\n"
                    + "try:\n"
                    + "  fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB)\n"
                    + "except OSError:\n"
                    + "  sys.exit(1)\n",
                file.toString())
            .redirectErrorStream(true)
            .start();
    return p.waitFor();
  }

  @Test
  void liveRunsUidLock_cannotBeTakenByAnotherProcess_secondPoolInstanceIncluded(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " as the other process");
    Path locks = tmp.resolve("locks");
    NamespaceRunner first = NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
    NamespaceRunner second = NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
    assumeTrue(first.probe().status(SandboxBackend.BWRAP).available(), first.probe().toJson());
    Path lockFile = locks.resolve(UID + ".lock");
    String token = "uid-held-" + UUID.randomUUID();
    CompletableFuture<SandboxResult> a =
        first.runAsync(Sandboxes.sh("sleep 30 # \"$1\"", token).timeout(Duration.ofSeconds(60)).build());
    try {
      while (TeardownTest.processesWith(token).isEmpty() && !a.isDone()) {
        Thread.onSpinWait();
      }
      assertEquals(1, lockFromAnotherProcess(lockFile), "the live run's uid lock was free for another process");
      // a second pool instance of this JVM tries the uid (refused) and sweeps: neither may drop the first's lock
      try {
        second.run(Sandboxes.sh("id -u").build());
      } catch (SandboxException expected) {
        // refused for the uid (its probe launch, too, finds the pool's only uid taken)
        assertTrue(expected.getMessage().contains("is in use"), expected.getMessage());
      }
      assertEquals(1, lockFromAnotherProcess(lockFile), "a second pool instance dropped the live run's uid lock");
    } finally {
      a.cancel(true);
    }
    UidReservationTest.awaitGone(UID);
    // the legitimate path: once released, the lock is free (and the released uid is usable again)
    while (lockFromAnotherProcess(lockFile) != 0) {
      Thread.onSpinWait(); // the cancelled run's teardown releases asynchronously
    }
    NamespaceRunner third = NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(locks).build();
    SandboxResult r = third.run(Sandboxes.sh("id -u").build());
    assertEquals(Integer.toString(UID), r.stdoutText().strip(), r.toString());
  }
}
