package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 9: the sandbox builds a tree whose host paths exceed {@code PATH_MAX} (4096); the hand-back must still
 * return every entry to the owner (a path-based walk fails with {@code ENAMETOOLONG} and leaves them with the run's
 * uid). A tree deeper than the hand-over's bound is refused before the run with a typed error.
 */
class LongPathHandbackTest {

  private static String find(Path ws, String... predicate) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("find", ws.toString()));
    cmd.addAll(java.util.List.of(predicate));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void pathsBeyondPathMax_allHandedBackToTheOwner(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "the hand-over needs a root host");
    Path ws = Sandboxes.workspace(tmp);
    String code =
        "import os\n"
            + "n = 'd' * 200\n"
            + "for i in range(40):\n"
            + "    os.mkdir(n); os.chdir(n)\n"
            + "open('deep.txt', 'w').write('x')\n"
            + "print(len(os.getcwd()))\n";
    SandboxResult r = Sandboxes.RUNNER.run(SandboxPolicy.builder("/usr/bin/python3", "-c", code).workspace(ws).build());
    assertTrue(r.succeeded(), r + r.stderrText());
    assertTrue(Integer.parseInt(r.stdoutText().strip()) > 4096, r.stdoutText());
    assertEquals("", find(ws, "!", "-uid", Integer.toString(Sandboxes.SANDBOX_UID)),
        "entries left with the run's uid " + r.report().hostUid());
    try {
      assertEquals(1, find(ws, "-name", "deep.txt").lines().count());
    } finally {
      // JUnit's @TempDir cleanup walks by path and fails beyond PATH_MAX; rm(1) does not
      assertEquals(0, new ProcessBuilder("rm", "-rf", ws.toString()).start().waitFor());
    }
  }

  @Test
  void treeDeeperThanTheBound_refusedBeforeTheRun(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "the hand-over needs a root host");
    Path ws = Sandboxes.workspace(tmp);
    Process mk = new ProcessBuilder("/usr/bin/python3", "-c",
        "import os, sys\nos.chdir(sys.argv[1])\nfor i in range(300):\n    os.mkdir('d'); os.chdir('d')\n",
        ws.toString()).start();
    assertEquals(0, mk.waitFor());
    new ProcessBuilder("chown", "-R", Sandboxes.SANDBOX_UID + ":" + Sandboxes.SANDBOX_UID, ws.toString())
        .start().waitFor();
    SandboxException e =
        assertThrows(SandboxException.class, () -> Sandboxes.RUNNER.run(Sandboxes.sh("true").workspace(ws).build()));
    assertEquals(SandboxException.Reason.WORKSPACE, e.reason());
    assertTrue(e.getMessage().contains("deeper than 256"), e.getMessage());
    assertEquals("", find(ws, "!", "-uid", Integer.toString(Sandboxes.SANDBOX_UID)), "nothing stays handed over");
  }
}
