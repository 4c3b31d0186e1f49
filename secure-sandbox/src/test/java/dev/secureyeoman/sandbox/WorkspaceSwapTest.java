package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.secureyeoman.sandbox.internal.RunnerEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 2 through the real runner: a racing host process swaps the workspace for a symlink to another
 * (world-writable) directory after the runner checked and handed it over, before the backend binds it. The backend
 * must bind the directory that was checked, never whatever the path names by then.
 */
class WorkspaceSwapTest {

  @AfterEach
  void noHook() {
    RunnerEngine.afterWorkspaceCheck = policy -> {};
  }

  private static void swapForSymlink(Path ws, Path elsewhere) {
    RunnerEngine.afterWorkspaceCheck =
        policy -> {
          try {
            Files.move(ws, ws.resolveSibling("ws.real"));
            Files.createSymbolicLink(ws, elsewhere);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
  }

  private static Path setUp(Path tmp) throws IOException {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    Path ws = Files.createDirectory(tmp.resolve("ws"));
    Files.writeString(ws.resolve("real.txt"), "the checked workspace");
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxrwxrwx")); // like /var/tmp
    Files.writeString(elsewhere.resolve("decoy.txt"), "not the workspace");
    return ws;
  }

  private static void assertBoundTheCheckedDirectory(SandboxResult r, Path tmp) throws IOException {
    assertTrue(r.succeeded(), r + r.stderrText());
    assertEquals("real.txt", r.stdoutText().strip(), r.stderrText());
    assertFalse(Files.exists(tmp.resolve("elsewhere/x")), "the run wrote into the swapped-in directory");
    assertEquals("pwned", Files.readString(tmp.resolve("ws.real/x")).strip());
    assertEquals(0, (int) Files.getAttribute(tmp.resolve("ws.real/x"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
        "handed back to the owner through the held descriptor");
  }

  @Test
  void bwrap_workspaceSwappedAfterCheck_bindsTheCheckedDirectory(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "the hand-over needs a root host");
    Path ws = setUp(tmp);
    swapForSymlink(ws, tmp.resolve("elsewhere"));
    SandboxResult r =
        Sandboxes.RUNNER.run(Sandboxes.sh("ls /workspace; echo pwned > /workspace/x").workspace(ws).build());
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertBoundTheCheckedDirectory(r, tmp);
  }

  @Test
  void unshare_workspaceSwappedAfterCheck_refusedAfterOpen_nothingWrittenElsewhere(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "the hand-over needs a root host");
    Path ws = setUp(tmp);
    swapForSymlink(ws, tmp.resolve("elsewhere"));
    NamespaceRunner unshare = NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();
    SandboxResult r =
        unshare.run(Sandboxes.sh("ls \"$1\"; echo pwned > \"$1\"/x", ws.toString()).workspace(ws).seccomp(false)
            .build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, r.report().backend());
    // the bind happens in the run's own mount namespace, so the setup opens the path there and verifies it
    assertEquals(125, r.exitCode(), r + r.stderrText());
    assertTrue(r.stderrText().contains("no longer names the directory that was checked"), r.stderrText());
    assertFalse(Files.exists(tmp.resolve("elsewhere/x")));
    assertEquals(0, (int) Files.getAttribute(tmp.resolve("ws.real"), "unix:uid"), "handed back to the owner");

    // the legitimate path: without the swap the same run works
    RunnerEngine.afterWorkspaceCheck = policy -> {};
    Path ws2 = Files.createDirectory(tmp.resolve("ws2"));
    SandboxResult ok =
        unshare.run(Sandboxes.sh("echo pwned > \"$1\"/x", ws2.toString()).workspace(ws2).seccomp(false).build());
    assertTrue(ok.succeeded(), ok + ok.stderrText());
    assertEquals("pwned", Files.readString(ws2.resolve("x")).strip());
  }
}
