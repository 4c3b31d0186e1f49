package dev.secureyeoman.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A host JVM for {@link JvmKilledLandlockTest}: starts a Landlock-mode run (no cgroup, no pid namespace) whose command
 * double-forks a sleeper into a new session, then waits to be killed. Arguments: lock directory, uid, token, workspace.
 */
public final class JvmKilledLandlockChild {
  private JvmKilledLandlockChild() {}

  /**
   * Starts the run.
   *
   * @param args lock directory, uid, token, workspace
   * @throws Exception never expected
   */
  public static void main(String[] args) throws Exception {
    NamespaceRunner runner =
        NamespaceRunner.builder()
            .backend(SandboxBackend.UNSHARE_LANDLOCK)
            .identityPool(Integer.parseInt(args[1]), 1)
            .identityLockDirectory(Path.of(args[0]))
            .build();
    String code =
        "import os, time\n"
            + "if os.fork() == 0:\n"
            + "    os.setsid()\n"
            + "    if os.fork() == 0:\n"
            + "        null = os.open('/dev/null', os.O_RDWR)\n"
            + "        for fd in (0, 1, 2): os.dup2(null, fd)\n"
            + "        open('ready', 'w').close()\n"
            + "        time.sleep(600)\n"
            + "    os._exit(0)\n"
            + "time.sleep(600)\n";
    runner.runAsync(
        SandboxPolicy.builder("/usr/bin/python3", "-c", code, args[2])
            .allowExec(Path.of("/usr/bin/python3"))
            .workspace(Path.of(args[3]))
            .timeout(Duration.ofMinutes(10))
            .build())
        .whenComplete((r, e) -> {
          System.out.println("ENDED " + r + " " + e + (r == null ? "" : " " + r.stderrText()));
          System.out.flush();
        });
    System.out.println("STARTED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
