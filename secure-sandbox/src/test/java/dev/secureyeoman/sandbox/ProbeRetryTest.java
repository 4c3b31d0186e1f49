package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 6: one transient failure of a backend's probe launch used to disable the backend for the runner's
 * life (and, through the probe cache file, for 24 h in every CLI call). Successes are cached; failures are retried
 * with backoff. The failure is real: a {@code bwrap} early on the search path that fails while a flag file exists and
 * otherwise executes the real one.
 */
class ProbeRetryTest {

  private static Path flakyBwrap(Path tmp, Path flag) throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bwrap = bin.resolve("bwrap");
    Files.writeString(bwrap,
        "#!/bin/sh\nif [ -e '" + flag + "' ]; then echo 'bwrap: transient failure' >&2; exit 1; fi\n"
            + "exec /usr/bin/bwrap \"$@\"\n");
    Files.setPosixFilePermissions(bwrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private static List<Path> searchPath(Path bin) {
    return List.of(bin, Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));
  }

  @Test
  void transientBwrapFailure_retriedAfterBackoff_inTheSameRunner(@TempDir Path tmp) throws Exception {
    Path flag = Files.createFile(tmp.resolve("fail"));
    TestClock clock = TestClock.create();
    NamespaceRunner runner =
        NamespaceRunner.builder().searchPath(searchPath(flakyBwrap(tmp, flag))).clock(clock).build();
    assertFalse(runner.probe().status(SandboxBackend.BWRAP).available(), runner.probe().toJson());
    assertTrue(runner.probe().status(SandboxBackend.BWRAP).detail().contains("transient failure"));
    Files.delete(flag);
    // before the backoff the failure stands (no probe storm) …
    assertFalse(runner.probe().status(SandboxBackend.BWRAP).available());
    clock.advance(Duration.ofSeconds(5));
    // … after it the backend is probed again and used
    assertTrue(runner.probe().status(SandboxBackend.BWRAP).available(), runner.probe().toJson());
    SandboxResult r = runner.run(Sandboxes.sh("echo ok").build());
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertEquals("ok", r.stdoutText().strip());
  }

  @Test
  void transientBwrapFailure_notPinnedInTheProbeCacheFile(@TempDir Path tmp) throws Exception {
    Path flag = Files.createFile(tmp.resolve("fail"));
    Path bin = flakyBwrap(tmp, flag);
    Path cache = tmp.resolve("cache").resolve("probe.properties");
    TestClock clock = TestClock.create();
    NamespaceRunner first = NamespaceRunner.builder().searchPath(searchPath(bin)).clock(clock).probeCache(cache).build();
    assertFalse(first.probe().status(SandboxBackend.BWRAP).available());
    Files.delete(flag);
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    // the next short-lived host (a CLI call) probes again instead of reading the failure for 24 h
    NamespaceRunner next = NamespaceRunner.builder().searchPath(searchPath(bin)).clock(clock).probeCache(cache).build();
    assertTrue(next.probe().status(SandboxBackend.BWRAP).available(), next.probe().toJson());
    // and the success is cached: a third runner reads it
    NamespaceRunner third = NamespaceRunner.builder().searchPath(searchPath(bin)).clock(clock).probeCache(cache).build();
    assertTrue(third.probe().status(SandboxBackend.BWRAP).available());
  }
}
