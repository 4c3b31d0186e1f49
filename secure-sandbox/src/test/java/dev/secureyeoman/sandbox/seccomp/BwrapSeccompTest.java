package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes from {@link SeccompFilter#toBpf()} are loaded by a third party, bubblewrap, and enforced. */
class BwrapSeccompTest {
  private static final Path BWRAP = Path.of("/usr/bin/bwrap");

  @TempDir Path dir;

  @Test
  void toBpf_loadedByBwrapSeccompFd_isEnforcedInTheSandboxedCommand() throws Exception {
    assumeTrue(Files.isExecutable(BWRAP), "capability probe: bubblewrap missing");
    assumeTrue(ProbeProcess.pythonAvailable(), "capability probe: /usr/bin/python3 missing");
    Path bpf = Files.write(dir.resolve("filter.bpf"), SeccompProfiles.defaultAllowListWithoutNetwork().toBpf());
    Path script = ProbeProcess.script(dir);
    // ProcessBuilder closes descriptors above 2, so the program reaches bwrap on fd 3 through a shell redirect
    String cmd = "exec " + BWRAP + " --ro-bind / / --dev /dev --proc /proc --bind \"$1\" \"$1\" --seccomp 3 "
        + ProbeProcess.PYTHON + " -I \"$2\" \"$1\" 3< \"$3\"";
    Process p = new ProcessBuilder(List.of("/bin/sh", "-c", cmd, "sh", dir.toString(), script.toString(),
        bpf.toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bwrap did not finish: " + out);
    }
    Map<String, String> r = ProbeProcess.parse(out);
    assertEquals("2", r.get("seccomp"), out);
    assertEquals("ok", r.get("file"), out);
    assertEquals("ok", r.get("thread"), out);
    assertEquals("ok", r.get("exec"), out);
    assertEquals("EPERM", r.get("socket_inet"), out);
    assertEquals("ENOSYS", r.get("clone3"), out);
    assertEquals("EPERM", r.get("mount"), out);
    assertEquals("EPERM", r.get("unshare_user"), out);
    assertEquals("EPERM", r.get("ptrace_traceme"), out);
  }
}
