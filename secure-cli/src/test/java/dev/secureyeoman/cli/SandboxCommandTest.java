package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SandboxCommandTest {


  static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void probeJson_listsBackends() {
    Run r = run("sandbox", "probe", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("{\"backends\":[{\"backend\":\"BWRAP\""), r.out());
    assertTrue(r.out().contains(",\"kernel\":{\"arch\":"), r.out());
    assertTrue(r.out().strip().endsWith("}}"), r.out());
  }

  @Test
  void probeText_namesBestBackend() {
    Run r = run("sandbox", "probe");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("best isolating backend: BWRAP"), r.out());
    assertTrue(r.out().contains("landlock: ABI "), r.out());
  }

  @Test
  void run_exitsWithCommandStatus_andPrintsOutput() {
    Run r = run("sandbox", "run", "--report", "--", "/bin/sh", "-c", "echo hello; echo oops >&2; exit 7");
    assertEquals(7, r.code(), r.err());
    assertEquals("hello\n", r.out());
    assertTrue(r.err().startsWith("oops\n"), r.err());
    assertTrue(r.err().contains("\"backend\":\"BWRAP\""), r.err());
  }

  @Test
  void run_timeout_exits124() {
    Run r = run("sandbox", "run", "--timeout", "1", "--", "/bin/sleep", "100");
    assertEquals(124, r.code(), r.err());
    assertTrue(r.err().contains("timeout"), r.err());
  }

  @Test
  void run_networkNone_hasOnlyLoopback_hostHasMore() {
    Run none = run("sandbox", "run", "--", "/bin/sh", "-c", "tail -n +3 /proc/net/dev | wc -l");
    assertEquals("1", none.out().strip(), none.err());
    Run host = run("sandbox", "run", "--network", "host", "--", "/bin/sh", "-c", "tail -n +3 /proc/net/dev | wc -l");
    assertTrue(Integer.parseInt(host.out().strip()) > 1, host.out());
  }

  @Test
  void run_allowExec_refusesShell() {
    Run r = run("sandbox", "run", "--allow-exec", "/usr/bin/env", "--", "/usr/bin/env", "/bin/sh", "-c", "echo PWNED");
    assertEquals(127, r.code(), r.err());
    assertTrue(!r.out().contains("PWNED"));
  }

  @Test
  void run_memoryLimit_stopsHog() {
    Run r =
        run("sandbox", "run", "--memory", "128", "--", "/usr/bin/perl", "-e", "my $x = 'a' x (512*1024*1024);");
    assertTrue(r.code() != 0 && r.err().contains("Out of memory"), r.code() + r.err());
  }

  @Test
  void usageErrors_exitTwoWithOneErrorLine() {
    for (String[] args :
        new String[][] {
          {"sandbox"},
          {"sandbox", "run"},
          {"sandbox", "run", "--network", "bridge", "--", "/bin/true"},
          {"sandbox", "run", "--timeout", "0", "--", "/bin/true"},
          {"sandbox", "run", "--allow-exec", "/usr/bin/id", "--", "/bin/sh"},
        }) {
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().startsWith("error: "), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
    }
  }

  @Test
  void refusedRun_exitsOneWithOneErrorLine() {
    Run r = run("sandbox", "run", "--workspace", "/nonexistent-dir-sy", "--", "/bin/true");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("error: workspace /nonexistent-dir-sy is not an existing directory"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }
}
