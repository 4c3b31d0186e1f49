package dev.secureyeoman.sandbox.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel-enforced, process-wide: the JVM deny-list is applied with TSYNC inside a child JVM (never in the test runner,
 * because it cannot be undone), which then reports what still works and what its own children can do.
 */
class JvmDenyListProcessTest {
  @TempDir Path dir;

  @BeforeAll
  static void requireTsync() {
    KernelSupport k = SeccompProbe.probe();
    assumeTrue(k.seccompFilter() && k.tsync(), "capability probe: seccomp TSYNC unavailable: " + k.detail());
    assumeTrue(ProbeProcess.pythonAvailable(), "capability probe: /usr/bin/python3 missing");
  }

  private static Map<String, String> childJvm(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(JvmDenyListChild.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish:\n" + out);
    }
    Map<String, String> m = ProbeProcess.parse(out);
    m.put("_exit", String.valueOf(p.exitValue()));
    return m;
  }

  @Test
  void applyToCurrentProcess_jvmDenyList_jvmKeepsWorkingAndChildrenAreBlocked() throws Exception {
    Path script = ProbeProcess.script(dir);
    Map<String, String> r = childJvm("apply", dir.toString(), script.toString());
    assertEquals("0", r.get("_exit"), r.toString());
    assertEquals("PROCESS,2,true", r.get("applied"), r.toString());
    assertEquals("true", r.get("allThreadsFiltered"), r.toString());
    assertEquals("true", r.get("newThreadsFiltered"), r.toString());
    assertEquals("ok", r.get("threads"), r.toString());
    assertEquals("ok", r.get("gc"), r.toString());
    assertEquals("ok", r.get("spawn"), r.toString());
    assertEquals("true", r.get("done"), r.toString());
    // the JVM's children inherit the deny-list
    assertEquals("2", r.get("child.seccomp"), r.toString());
    assertEquals("1", r.get("child.nonewprivs"), r.toString());
    assertEquals("ok", r.get("child.file"), r.toString());
    assertEquals("ok", r.get("child.pipe"), r.toString());
    assertEquals("ok", r.get("child.thread"), r.toString());
    assertEquals("ok", r.get("child.exec"), r.toString());
    assertEquals("ok", r.get("child.socket_inet"), r.toString()); // a deny-list does not cut the network
    assertEquals("ENOSYS", r.get("child.clone3"), r.toString());
    assertEquals("EPERM", r.get("child.mount"), r.toString());
    assertEquals("EPERM", r.get("child.unshare_user"), r.toString());
    assertEquals("EPERM", r.get("child.ptrace_traceme"), r.toString());
  }

  @Test
  void applyToCurrentProcess_threadWithOwnFilter_tsyncRefusedAndNothingInstalled() throws Exception {
    Map<String, String> r = childJvm("tsync-conflict");
    assertEquals("0", r.get("_exit"), r.toString());
    assertEquals("refused", r.get("tsync"), r.toString());
    assertTrue(r.get("message").contains("TSYNC refused: thread"), r.toString());
    assertEquals("0", r.get("mainSeccomp"), r.toString());
  }
}
