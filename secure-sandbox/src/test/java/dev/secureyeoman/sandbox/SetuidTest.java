package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 8: a setuid-root binary in the workspace (owned by root, so the hand-over leaves it and its mode
 * alone) must not give the run root under any isolating backend: binds are {@code nosuid} and {@code no_new_privs} is
 * set. Control: on the host the same binary does gain euid 0 for an unprivileged caller.
 */
class SetuidTest {

  private static Path setuidRootProbe(Path ws) throws Exception {
    Path src = ws.getParent().resolve("euid.c");
    Files.writeString(src,
        "#include <stdio.h>\n#include <unistd.h>\nint main(void){printf(\"%d\\n\",(int)geteuid());return 0;}\n");
    Path bin = ws.resolve("euid");
    Process cc = new ProcessBuilder("gcc", "-o", bin.toString(), src.toString()).redirectErrorStream(true).start();
    String out = new String(cc.getInputStream().readAllBytes());
    assertEquals(0, cc.waitFor(), out);
    // owned by root: setuid root (java.nio cannot set the bit)
    assertEquals(0, new ProcessBuilder("chmod", "4755", bin.toString()).start().waitFor());
    return bin;
  }

  private static String euidAs(int uid, Path bin) throws Exception {
    Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", bin.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor();
    return out;
  }

  @Test
  void setuidRootBinaryInWorkspace_givesNoPrivilege_underEveryIsolatingBackend(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot(), "creating a setuid-root binary needs root");
    Path ws = Sandboxes.workspace(tmp);
    Path bin = setuidRootProbe(ws);
    assertEquals("0", euidAs(Sandboxes.SANDBOX_UID, bin), "control: on the host the bit works");

    SandboxResult bwrap = Sandboxes.RUNNER.run(Sandboxes.sh("./euid").workspace(ws).build());
    assertEquals(SandboxBackend.BWRAP, bwrap.report().backend());
    assertTrue(bwrap.succeeded(), bwrap + bwrap.stderrText());
    // inside bwrap's user namespace the run's host uid appears as itself (it maps only that uid)
    assertEquals(Integer.toString(bwrap.report().hostUid()), bwrap.stdoutText().strip(), "bwrap");

    NamespaceRunner unshare = NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();
    // unshare mode maps the run's uid to root inside its user namespace: the binary must run as whatever `id -u`
    // says there (a working setuid bit would switch to the file owner, host root, unmapped there)
    SandboxResult u = unshare.run(Sandboxes.sh("id -u; ./euid").workspace(ws).seccomp(false).build());
    assertTrue(u.succeeded(), u + u.stderrText());
    List<String> lines = u.stdoutText().strip().lines().toList();
    assertEquals(2, lines.size(), u.stdoutText());
    assertEquals(lines.get(0), lines.get(1), "unshare mode: " + u.report().toJson());

    SandboxResult landlock =
        unshare.run(SandboxPolicy.builder(bin.toString()).allowExec(bin).workspace(ws).build());
    assertTrue(landlock.succeeded(), landlock + landlock.stderrText());
    assertEquals(ExecRestriction.LANDLOCK, landlock.report().execRestriction());
    assertEquals(Integer.toString(landlock.report().hostUid()), landlock.stdoutText().strip(), "Landlock mode");
  }
}
