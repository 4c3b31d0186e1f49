package dev.secureyeoman.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A host JVM for {@link JvmKilledTest}: starts a long sandboxed run and then waits to be killed with SIGKILL. Arguments:
 * helper-file directory, token.
 */
public final class JvmKilledChild {
  private JvmKilledChild() {}

  /**
   * Starts the run.
   *
   * @param args directory, token
   * @throws Exception never expected
   */
  public static void main(String[] args) throws Exception {
    NamespaceRunner runner = NamespaceRunner.builder().tempDirectory(Path.of(args[0])).build();
    runner.runAsync(
        SandboxPolicy.builder("/bin/sh", "-c", "sleep \"$1\"", "sh", args[1])
            .limits(ResourceLimits.untrustedDefaults())
            .timeout(Duration.ofMinutes(10))
            .build());
    System.out.println("STARTED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
