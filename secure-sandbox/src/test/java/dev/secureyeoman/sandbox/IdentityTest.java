package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static dev.secureyeoman.sandbox.Sandboxes.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 2: runs must not share an identity. Workspaces live under {@code /var/tmp} here, as in the report:
 * {@code /tmp} is private to each sandbox anyway, {@code /var/tmp} is visible read-only.
 */
class IdentityTest {
  private Path base;

  @BeforeEach
  void baseUnderVarTmp() throws IOException {
    assumeTrue(Sandboxes.isRoot(), "per-run identities need a root host");
    base = Files.createDirectory(Path.of("/var/tmp", "sy-identity-" + UUID.randomUUID()));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
  }

  @AfterEach
  void removeBase() throws IOException {
    if (base != null) {
      try (Stream<Path> s = Files.walk(base)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private Path dir(String... names) throws IOException {
    Path p = base;
    for (String n : names) {
      p = p.resolve(n);
      if (!Files.isDirectory(p)) {
        Files.createDirectory(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
      }
    }
    return p;
  }

  /** Run A: writes a 0600 secret into its workspace, then waits until the test creates {@code done}. */
  private static CompletableFuture<SandboxResult> runA(NamespaceRunner runner, Path ws) {
    return runner.runAsync(
        sh("umask 077; echo top-secret > secret.txt; i=0; while [ ! -e done ] && [ $i -lt 400 ]; do sleep 0.05;"
                + " i=$((i+1)); done; id -u")
            .workspace(ws)
            .timeout(Duration.ofSeconds(30))
            .build());
  }

  private static void awaitFile(Path p, CompletableFuture<?> run) {
    while (!Files.exists(p) && !run.isDone()) {
      Thread.onSpinWait();
    }
    assertTrue(Files.exists(p), "run A did not get going: " + run);
  }

  private static void finish(Path wsA, CompletableFuture<SandboxResult> a) throws Exception {
    Files.createFile(wsA.resolve("done"));
    assertTrue(a.get().succeeded(), a.get().stderrText());
  }

  @Test
  void runB_cannotReadRunA0600Workspace_duringAndAfterRunA() throws Exception {
    Path wsA = dir("jobs-a", "A");
    Path wsB = dir("jobs-b", "B");
    CompletableFuture<SandboxResult> a = runA(RUNNER, wsA);
    awaitFile(wsA.resolve("secret.txt"), a);
    String read = "cat \"$1\" 2>&1 || echo REFUSED";
    SandboxResult b = RUNNER.run(sh(read, wsA.resolve("secret.txt").toString()).workspace(wsB).build());
    finish(wsA, a);
    int uidA = Integer.parseInt(a.get().stdoutText().strip());
    assertNotEquals(uidA, b.report().hostUid(), "each run has its own uid");
    assertTrue(Sandboxes.isPoolUid(uidA) && Sandboxes.isPoolUid(b.report().hostUid()));
    assertTrue(b.stdoutText().contains("Permission denied") && b.stdoutText().contains("REFUSED"), b.stdoutText());

    // after the run the workspace is handed back to its owner (root here), still unreadable for later runs
    assertEquals(0, (int) Files.getAttribute(wsA.resolve("secret.txt"), "unix:uid"));
    assertEquals(0, (int) Files.getAttribute(wsA, "unix:uid"));
    SandboxResult later = RUNNER.run(sh(read, wsA.resolve("secret.txt").toString()).workspace(wsB).build());
    assertTrue(later.stdoutText().contains("REFUSED"), later.stdoutText());
  }

  @Test
  void sharedIdentity_runBReadsRunA_theAttackTheIssueReported() throws Exception {
    int shared = 0x6F000000 + (int) (Math.random() * 100_000);
    NamespaceRunner oneUid = NamespaceRunner.builder().runAs(shared, shared).build();
    Path wsA = dir("jobs-a", "A");
    Path wsB = dir("jobs-b", "B");
    for (Path ws : List.of(wsA, wsB)) {
      Files.setAttribute(ws, "unix:uid", shared);
      Files.setAttribute(ws, "unix:gid", shared);
    }
    CompletableFuture<SandboxResult> a = runA(oneUid, wsA);
    awaitFile(wsA.resolve("secret.txt"), a);
    SandboxResult b = oneUid.run(sh("cat \"$1\"", wsA.resolve("secret.txt").toString()).workspace(wsB).build());
    finish(wsA, a);
    assertEquals("top-secret", b.stdoutText().strip(), "with one shared uid the secret leaks: the check can fail");
  }

  @Test
  void siblingWorkspaces_areHidden_evenTheirNames() throws Exception {
    Path jobs = dir("jobs");
    Files.setPosixFilePermissions(jobs, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path wsA = dir("jobs", "A");
    Path wsB = dir("jobs", "B");
    Files.writeString(wsA.resolve("notes.txt"), "a");
    String probe = "ls -A \"$1\" | wc -l; ls \"$1/A\" 2>&1 | grep -c 'No such file'";
    SandboxResult hidden = RUNNER.run(sh(probe, jobs.toString()).workspace(wsB).build());
    assertEquals(List.of("0", "1"), hidden.stdoutText().lines().toList(), hidden.stderrText());

    SandboxResult visible =
        RUNNER.run(sh(probe, jobs.toString()).workspace(wsB).hideWorkspaceSiblings(false).build());
    assertEquals(List.of("2", "0"), visible.stdoutText().lines().toList(), visible.stderrText());
  }

  @Test
  void inotifyExhaustionInRunA_doesNotAffectRunB() throws Exception {
    assertEquals(List.of("FULL", "B-OK"), inotify(RUNNER, -1));
  }

  @Test
  void inotifyExhaustion_sharedIdentity_starvesRunB() throws Exception {
    int shared = 0x6F000000 + (int) (Math.random() * 100_000);
    // with one uid for every run, run A's instances count against run B's quota: the check above can fail
    assertEquals(
        List.of("FULL", "B-EMFILE"), inotify(NamespaceRunner.builder().runAs(shared, shared).build(), shared));
  }

  /** Run A holds every inotify instance its uid may have; run B then tries to create one. */
  private List<String> inotify(NamespaceRunner runner, int fixedUid) throws Exception {
    Path wsA = dir("inotify", "A");
    Path wsB = dir("inotify", "B");
    if (fixedUid > 0) {
      for (Path ws : List.of(wsA, wsB)) {
        // a fixed identity must own its workspace
        Files.setAttribute(ws, "unix:uid", fixedUid);
        Files.setAttribute(ws, "unix:gid", fixedUid);
      }
    }
    String hog =
        "import ctypes, os, time\n"
            + "libc = ctypes.CDLL(None, use_errno=True)\n"
            + "fds = []\n"
            + "while len(fds) < 10000:\n"
            + "    fd = libc.inotify_init1(0)\n"
            + "    if fd < 0: break\n"
            + "    fds.append(fd)\n"
            + "open('full', 'w').write(str(len(fds)))\n"
            + "for i in range(400):\n"
            + "    if os.path.exists('done'): break\n"
            + "    time.sleep(0.05)\n"
            + "print('FULL' if fds else 'NONE')\n";
    CompletableFuture<SandboxResult> a =
        runner.runAsync(
            SandboxPolicy.builder("/usr/bin/python3", "-c", hog)
                .workspace(wsA)
                .limits(ResourceLimits.builder().openFiles(10_000).build())
                .timeout(Duration.ofSeconds(30))
                .build());
    awaitFile(wsA.resolve("full"), a);
    String probe =
        "import ctypes, errno\n"
            + "libc = ctypes.CDLL(None, use_errno=True)\n"
            + "fd = libc.inotify_init1(0)\n"
            + "print('B-OK' if fd >= 0 else 'B-' + errno.errorcode[ctypes.get_errno()])\n";
    SandboxResult b = runner.run(SandboxPolicy.builder("/usr/bin/python3", "-c", probe).workspace(wsB).build());
    Files.createFile(wsA.resolve("done"));
    List<String> out = new ArrayList<>(a.get().stdoutText().lines().toList());
    out.addAll(b.stdoutText().lines().toList());
    return out;
  }

  @Test
  void concurrentRuns_getDistinctPoolUids() throws Exception {
    List<CompletableFuture<SandboxResult>> runs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      runs.add(RUNNER.runAsync(sh("id -u; id -g; sleep 0.3").build()));
    }
    Set<String> uids = new HashSet<>();
    for (CompletableFuture<SandboxResult> f : runs) {
      List<String> ids = f.get().stdoutText().lines().toList();
      assertEquals(ids.get(0), ids.get(1), "gid = uid");
      assertEquals(Integer.toString(f.get().report().hostUid()), ids.get(0));
      assertTrue(Sandboxes.isPoolUid(Integer.parseInt(ids.get(0))));
      uids.add(ids.get(0));
    }
    assertEquals(6, uids.size(), "every concurrent run has its own uid: " + uids);
  }

  @Test
  void workspace_handedToTheRunAndBack_hardLinksLeftAlone() throws Exception {
    Path ws = dir("handover", "ws");
    Files.setPosixFilePermissions(ws, PosixFilePermissions.fromString("rwx------"));
    Path input = Files.writeString(ws.resolve("input.txt"), "input");
    Files.setPosixFilePermissions(input, PosixFilePermissions.fromString("rw-------"));
    Path outside = Files.writeString(dir("handover").resolve("outside.txt"), "not yours");
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-------"));
    Files.createLink(ws.resolve("link.txt"), outside);
    SandboxResult r =
        RUNNER.run(
            sh("cat input.txt; echo; stat -c '%u %a' . input.txt; mkdir out; echo result > out/r.txt;"
                    + " cat link.txt 2>/dev/null || echo LINK-REFUSED")
                .workspace(ws)
                .build());
    int uid = r.report().hostUid();
    assertEquals(
        List.of("input", uid + " 700", uid + " 600", "LINK-REFUSED"), r.stdoutText().lines().toList(), r.stderrText());
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.contains("link.txt has several hard links")),
        r.report().warnings().toString());
    for (Path p : List.of(ws, input, ws.resolve("out"), ws.resolve("out/r.txt"), outside)) {
      assertEquals(0, (int) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p.toString());
      assertEquals(0, (int) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS), p.toString());
    }
    assertEquals("result\n", Files.readString(ws.resolve("out/r.txt")));
  }

  @Test
  void workspaceOwnedByAPoolUid_isRefusedWithAHint() throws Exception {
    Path ws = dir("stale", "ws");
    Files.setAttribute(ws, "unix:uid", 0x70000000 + 7);
    SandboxException e =
        assertThrows(SandboxException.class, () -> RUNNER.run(sh("true").workspace(ws).build()));
    assertEquals(SandboxException.Reason.WORKSPACE, e.reason());
    assertTrue(e.getMessage().contains("belongs to sandbox uid " + (0x70000000 + 7)), e.getMessage());
    assertTrue(e.getMessage().contains("chown it back to its owner"), e.getMessage());
  }
}
