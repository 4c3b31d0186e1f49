package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team of the inline (calling-thread) supervision: a caller whose interrupt flag is already set when it calls
 * {@code run} gets {@link InterruptedException}, no process of the run survives, and the uid (a pool of one) is handed
 * back exactly once: the next run gets it.
 */
class InterruptedCallerTest {
  private static final int UID = 0x70000000 + 4096 + 79;

  @Test
  void preInterruptedCaller_getsInterruptedException_andTheUidIsReleased(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    NamespaceRunner runner =
        NamespaceRunner.builder().identityPool(UID, 1).identityLockDirectory(tmp.resolve("locks")).build();
    assumeTrue(runner.probe().status(SandboxBackend.BWRAP).available(), runner.probe().toJson());
    Thread.currentThread().interrupt();
    Exception e;
    try {
      e = assertThrows(Exception.class, () -> runner.run(Sandboxes.sh("sleep 600").build()));
    } finally {
      Thread.interrupted();
    }
    assertTrue(e instanceof InterruptedException, e.toString());
    UidReservationTest.awaitGone(UID);
    assertEquals(0, Files.size(tmp.resolve("locks").resolve(UID + ".lock")), "not a clean release");
    SandboxResult r = runner.run(Sandboxes.sh("id -u").build());
    assertEquals(Integer.toString(UID), r.stdoutText().strip(), r.toString());
  }
}
