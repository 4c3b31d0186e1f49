package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 8: the Docker-compatible profile runs the programs the strict default breaks — a tracer, a debugger,
 * AddressSanitizer's leak checker and Python's {@code multiprocessing.Manager} — while the strict profile refuses each
 * of them (so these tests can fail). The tools come from Debian packages that {@code .ci/run} installs.
 */
class DockerCompatibleRunTest {

  @BeforeAll
  static void toolsInstalled() {
    for (String tool : List.of("/usr/bin/strace", "/usr/bin/gdb", "/usr/bin/gcc", "/usr/bin/python3")) {
      assertTrue(Files.isExecutable(Path.of(tool)), tool + " is missing: apt-get install strace gdb gcc python3");
    }
  }

  private static SandboxResult run(SeccompProfile profile, String... cmd) throws Exception {
    SandboxResult r =
        RUNNER.run(SandboxPolicy.builder(List.of(cmd)).seccompProfile(profile).timeout(Duration.ofSeconds(60)).build());
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertEquals(profile, r.report().seccompProfile().orElseThrow());
    return r;
  }

  @Test
  void strace_tracesAChild_onlyUnderDockerProfile() throws Exception {
    SandboxResult docker = run(SeccompProfile.DOCKER_COMPATIBLE, "/usr/bin/strace", "-f", "-e", "trace=write",
        "/bin/echo", "traced");
    assertEquals(0, docker.exitCode(), docker.stderrText());
    assertTrue(docker.stderrText().contains("write(1, \"traced\\n\", 7)"), docker.stderrText());

    SandboxResult strict = run(SeccompProfile.STRICT, "/usr/bin/strace", "-f", "/bin/echo", "traced");
    assertTrue(strict.stderrText().contains("Operation not permitted"), strict.stderrText());
    assertFalse(strict.stderrText().contains("write(1"), strict.stderrText());
  }

  @Test
  void gdb_runsAndDebugsAChild_onlyUnderDockerProfile() throws Exception {
    String[] gdb = {"/usr/bin/gdb", "-nx", "-batch", "-ex", "catch syscall exit_group", "-ex", "run", "-ex", "continue",
        "--args", "/bin/echo", "inferior"};
    SandboxResult docker = run(SeccompProfile.DOCKER_COMPATIBLE, gdb);
    String out = docker.stdoutText();
    assertTrue(out.contains("Catchpoint 1 (call to syscall exit_group)"), out + docker.stderrText());
    assertTrue(out.contains("inferior") && out.contains("exited normally"), out);

    SandboxResult strict = run(SeccompProfile.STRICT, gdb);
    assertFalse(strict.stdoutText().contains("Catchpoint 1 (call"), strict.stdoutText());
    assertFalse(strict.stdoutText().contains("inferior"), strict.stdoutText());
  }

  @Test
  void addressSanitizerLeakChecker_reportsTheLeak_onlyUnderDockerProfile(@TempDir Path tmp) throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path src = Files.writeString(tmp.resolve("leak.c"),
        "#include <stdlib.h>\nvoid *keep;\nint main(void) { keep = malloc(7); keep = 0; return 0; }\n");
    Process cc = new ProcessBuilder("/usr/bin/gcc", "-fsanitize=address", "-g", "-o", tmp.resolve("leak").toString(),
        src.toString()).inheritIO().start();
    assertEquals(0, cc.waitFor());
    Path bin = Path.of("/tmp/sy-leak");
    SandboxPolicy.Builder leak =
        SandboxPolicy.builder(bin.resolve("leak").toString()).readOnlyBind(tmp, bin).timeout(Duration.ofSeconds(60));
    SandboxResult docker = RUNNER.run(leak.seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).build());
    assertTrue(docker.stderrText().contains("LeakSanitizer: detected memory leaks"), docker.stderrText());

    SandboxResult strict = RUNNER.run(SandboxPolicy.builder(bin.resolve("leak").toString()).readOnlyBind(tmp, bin)
        .build());
    assertFalse(strict.stderrText().contains("detected memory leaks"), strict.stderrText());
    assertTrue(strict.stderrText().contains("LeakSanitizer has encountered a fatal error"), strict.stderrText());
  }

  @Test
  void pythonMultiprocessingManager_overAfUnix_onlyUnderDockerProfile() throws Exception {
    String manager =
        "from multiprocessing import Manager\n"
            + "with Manager() as m:\n"
            + "    d = m.dict(); d['answer'] = 42; print(d['answer'])\n";
    SandboxResult docker = run(SeccompProfile.DOCKER_COMPATIBLE, "/usr/bin/python3", "-c", manager);
    assertEquals("42", docker.stdoutText().strip(), docker.stderrText());
    assertFalse(docker.report().unixSocketsDenied());

    SandboxResult strict = run(SeccompProfile.STRICT, "/usr/bin/python3", "-c", manager);
    assertTrue(strict.stderrText().contains("PermissionError"), strict.stderrText());
  }

  @Test
  void dockerProfile_withUnixSocketsOff_refusesAfUnixAgain() throws Exception {
    SandboxResult r =
        RUNNER.run(
            SandboxPolicy.builder("/usr/bin/python3", "-c",
                    "import socket\ntry:\n    socket.socket(socket.AF_UNIX); print('CREATED')\n"
                        + "except OSError as e: print(e.strerror)")
                .seccompProfile(SeccompProfile.DOCKER_COMPATIBLE)
                .unixSockets(false)
                .build());
    assertEquals("Operation not permitted", r.stdoutText().strip(), r.stderrText());
    assertTrue(r.report().unixSocketsDenied());
  }
}
