package dev.secureyeoman.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.SandboxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uid pool across pool instances and processes, and the workspace hand-over's link handling. */
class IdentityPoolTest {

  @Test
  void acquire_distinctUids_exhaustion_release(@TempDir Path locks) throws Exception {
    IdentityPool pool = new IdentityPool(200_000, 2, locks.resolve("uids"));
    IdentityPool.Lease a = pool.acquire();
    IdentityPool.Lease b = pool.acquire();
    assertNotEquals(a.identity().uid(), b.identity().uid());
    assertEquals(a.identity().uid(), a.identity().gid());
    assertTrue(pool.contains(a.identity().uid()) && !pool.contains(199_999) && !pool.contains(200_002));
    SandboxException e = assertThrows(SandboxException.class, pool::acquire);
    assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason());
    assertTrue(e.getMessage().contains("200000..200001 is in use"), e.getMessage());
    // a second pool instance over the same directory (another runner of this JVM) sees the same uids taken
    assertThrows(SandboxException.class, () -> new IdentityPool(200_000, 2, locks.resolve("uids")).acquire());
    a.close();
    a.close();
    IdentityPool.Lease c = pool.acquire();
    assertEquals(a.identity(), c.identity());
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(locks.resolve("uids"))));
    b.close();
    c.close();
  }

  @Test
  void uidLockedByAnotherProcess_isSkipped(@TempDir Path locks) throws Exception {
    Files.createDirectories(locks);
    Path lockFile = locks.resolve("300000.lock");
    // another process holding the uid's record lock (what every JVM's FileChannel.tryLock takes)
    Process holder = new ProcessBuilder("/usr/bin/python3", "-c",
        "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('held', flush=True);"
            + " sys.stdin.read()", lockFile.toString()).start();
    try {
      assertEquals("held", new String(holder.getInputStream().readNBytes(4)));
      IdentityPool pool = new IdentityPool(300_000, 2, locks);
      for (int i = 0; i < 5; i++) {
        try (IdentityPool.Lease l = pool.acquire()) {
          assertEquals(300_001, l.identity().uid());
        }
      }
    } finally {
      holder.destroyForcibly().waitFor();
    }
    // the kernel released the dead process's lock
    IdentityPool pool = new IdentityPool(300_000, 1, locks);
    try (IdentityPool.Lease l = pool.acquire()) {
      assertEquals(300_000, l.identity().uid());
    }
  }

  @Test
  void invalidRanges_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> new IdentityPool(999, 1, Path.of("/tmp")));
    assertThrows(IllegalArgumentException.class, () -> new IdentityPool(1000, 0, Path.of("/tmp")));
    assertThrows(IllegalArgumentException.class, () -> new IdentityPool(Integer.MAX_VALUE - 1, 5, Path.of("/tmp")));
    assertThrows(IllegalArgumentException.class, () -> new IdentityPool(1000, 1, Path.of("rel")));
    assertTrue(new IdentityPool(1000, 3, Path.of("/x")).toString().contains("1000..1002"));
  }

  @Test
  void handover_symlinksAreNotFollowed_workspaceSymlinkRefused(@TempDir Path tmp) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")));
    Path ws = Files.createDirectory(tmp.resolve("ws"));
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "host file");
    Path link = Files.createSymbolicLink(ws.resolve("link"), outside);
    Identity run = new Identity(400_000, 400_000);
    IntPredicate pool = uid -> uid >= 400_000 && uid < 400_010;
    try (WorkspaceHandover h = WorkspaceHandover.give(ws, run, pool)) {
      assertEquals(400_000, (int) Files.getAttribute(ws, "unix:uid"));
      assertEquals(400_000, (int) Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS));
      assertEquals(0, (int) Files.getAttribute(outside, "unix:uid"), "the link's target is not handed over");
      assertTrue(h.warnings().isEmpty());
      SandboxException busy = assertThrows(SandboxException.class, () -> WorkspaceHandover.give(ws, run, uid -> false));
      assertEquals(SandboxException.Reason.WORKSPACE, busy.reason());
    }
    assertEquals(0, (int) Files.getAttribute(ws, "unix:uid"));
    assertEquals(0, (int) Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    Path wsLink = Files.createSymbolicLink(tmp.resolve("ws-link"), ws);
    SandboxException e = assertThrows(SandboxException.class, () -> WorkspaceHandover.give(wsLink, run, pool));
    assertTrue(e.getMessage().contains("symlinks are refused"), e.getMessage());
    assertFalse(Set.of().contains(e.reason()));
  }

  @Test
  void sweepAbandoned_recordInAnotherFormat_reapedAndCleared_liveOwnerLeftAlone(@TempDir Path locks) throws Exception {
    Path dir = locks.resolve("uids");
    IdentityPool pool = new IdentityPool(300_000, 3, dir);
    pool.acquire().close(); // creates the directory (0700)
    Files.writeString(dir.resolve("300000.lock"), "31531 b8a5398268f94aca\n"); // another version's record
    long self = ProcessHandle.current().pid();
    String start = Files.readString(Path.of("/proc", Long.toString(self), "stat"));
    String[] f = start.substring(start.lastIndexOf(')') + 2).split(" ");
    Files.writeString(dir.resolve("300001.lock"), self + " " + f[19] + " 0123abcd\n"); // this JVM: alive
    java.util.List<Integer> reaped = new java.util.ArrayList<>();
    pool.sweepAbandoned(uid -> {
      reaped.add(uid);
      return 0;
    });
    assertEquals(java.util.List.of(300_000), reaped, "only the unreadable record's uid is reaped");
    assertEquals(0, Files.size(dir.resolve("300000.lock")), "its record is cleared");
    assertTrue(Files.size(dir.resolve("300001.lock")) > 0, "a live owner's record stays");
  }

  /** A sleeping process with the uid (as set by setpriv's option), returned once the kernel shows it (no shell: dash drops an effective uid that differs from the real one). */
  private static Process runAs(String setprivUid, int uid) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/setpriv", setprivUid + "=" + uid, "--regid=" + uid, "--clear-groups", "--",
        "/usr/bin/sleep", "60").start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    while (p.isAlive()) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("Uid:") && line.substring(4).trim().split("\\s+")[1].equals(Integer.toString(uid))) {
          return p;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("setpriv " + setprivUid + " failed: exit " + p.exitValue());
  }

  @Test
  void cleanRelease_liveProcessOfTheUid_isStillRefused_thenFreeAgain(@TempDir Path locks) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")));
    int uid = 0x70000000 + 4096 + 91; // outside the default pool
    IdentityPool pool = new IdentityPool(uid, 1, locks.resolve("uids"));
    pool.acquire().close(); // a clean release: the lock file exists and is empty
    assertEquals(0, Files.size(locks.resolve("uids").resolve(uid + ".lock")));
    // a process of the uid that no lock of this directory accounts for (another lock directory, a lost lock)
    Process stranger = runAs("--reuid", uid);
    try {
      SandboxException e = assertThrows(SandboxException.class, pool::acquire);
      assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason());
      assertTrue(e.getMessage().contains("still has processes"), e.getMessage());
      assertEquals(0, Files.size(locks.resolve("uids").resolve(uid + ".lock")), "the clean record is restored");
    } finally {
      stranger.destroyForcibly().waitFor();
    }
    try (IdentityPool.Lease l = pool.acquire()) {
      assertEquals(uid, l.identity().uid());
    }
  }

  @Test
  void recordNotClean_effectiveUidOnlyProcess_isFoundByTheFullScan(@TempDir Path locks) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")));
    int uid = 0x70000000 + 4096 + 92;
    Path dir = locks.resolve("uids");
    IdentityPool pool = new IdentityPool(uid, 1, dir);
    pool.acquire().close();
    Files.writeString(dir.resolve(uid + ".lock"), "1 1 00\n"); // a record nobody released cleanly
    // real uid root, effective uid the pool uid: getpriority(PRIO_USER) does not see it, the /proc scan does
    Process stranger = runAs("--euid", uid);
    try {
      long scans = IdentityPool.FULL_SCANS.get();
      SandboxException e = assertThrows(SandboxException.class, pool::acquire);
      assertEquals(SandboxException.Reason.IDENTITY_UNAVAILABLE, e.reason(), e.getMessage());
      assertTrue(IdentityPool.FULL_SCANS.get() > scans);
    } finally {
      stranger.destroyForcibly().waitFor();
    }
  }

  @Test
  void cleanRelease_reuseNeedsNoProcScan_newLockFileDoes(@TempDir Path locks) throws Exception {
    IdentityPool pool = new IdentityPool(0x70000000 + 4096 + 93, 1, locks.resolve("uids"));
    long scans = IdentityPool.FULL_SCANS.get();
    pool.acquire().close(); // a new lock file: nothing proves the uid was released cleanly
    assertEquals(scans + 1, IdentityPool.FULL_SCANS.get());
    pool.acquire().close();
    assertEquals(scans + 1, IdentityPool.FULL_SCANS.get(), "a clean release is re-used after one getpriority call");
  }
}
