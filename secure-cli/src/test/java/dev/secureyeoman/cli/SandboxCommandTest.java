package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SandboxCommandTest {


  static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void probeJson_listsBackends_oneKeyStyle() {
    Run r = run("sandbox", "probe", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("{\"backends\":[{\"backend\":\"BWRAP\""), r.out());
    assertTrue(r.out().contains(",\"kernel\":{\"arch\":"), r.out());
    assertTrue(r.out().strip().endsWith("}}"), r.out());
    java.util.regex.Matcher keys = java.util.regex.Pattern.compile("\"([A-Za-z_]+)\":").matcher(r.out());
    while (keys.find()) {
      assertTrue(keys.group(1).matches("[a-z][A-Za-z]*"), "camelCase key: " + keys.group(1));
    }
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
  void run_memoryLimit_stopsHog_andSaysSo() {
    Run r =
        run("sandbox", "run", "--memory", "128", "--", "/usr/bin/perl", "-e", "my $x = 'a' x (512*1024*1024);");
    assertEquals(137, r.code(), r.err());
    assertTrue(r.err().contains("the kernel's OOM killer ended"), r.err());
  }

  @Test
  void run_memoryLimit_coversTmpfs_theHogTheIssueReported() {
    // 2 GiB written to /tmp and /dev/shm under --memory 256 used to succeed (the limit was RLIMIT_AS)
    Run r =
        run("sandbox", "run", "--memory", "256", "--tmp-size", "0", "--", "/bin/sh", "-c",
            "dd if=/dev/zero of=/tmp/a bs=1M count=1024 2>/dev/null; dd if=/dev/zero of=/dev/shm/b bs=1M count=1024"
                + " 2>/dev/null; du -cm /tmp/a /dev/shm/b | tail -1");
    String total = r.out().strip();
    assertTrue(total.isEmpty() || Integer.parseInt(total.split("\\s+")[0]) < 256, r.out() + r.err());
    assertTrue(r.err().contains("OOM killer"), r.err());
  }

  @Test
  void run_defaults_areTheUntrustedDefaults_forkBombContained() {
    // the CLI used to set no limits: 3 000 processes were created. Now forks fail once the run has 128 tasks.
    String bomb =
        "import os, time\n"
            + "n = 0\n"
            + "for i in range(400):\n"
            + "    try:\n"
            + "        if os.fork() == 0:\n"
            + "            time.sleep(5); os._exit(0)\n"
            + "        n += 1\n"
            + "    except OSError:\n"
            + "        break\n"
            + "print('started', n, flush=True)\n";
    Run r = run("sandbox", "run", "--report", "--", "/usr/bin/python3", "-c", bomb);
    String json = r.err().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
    assertTrue(json.contains("{\"limit\":\"PROCESSES\",\"value\":128,"), json);
    assertTrue(json.contains("{\"limit\":\"MEMORY\",\"value\":536870912,"), json);
    assertTrue(json.contains("{\"limit\":\"TMP_SIZE\",\"value\":134217728,\"enforcedBy\":\"TMPFS_SIZE\"}"), json);
    int started = Integer.parseInt(r.out().strip().substring("started ".length()));
    assertTrue(started < 128 && started > 64, "forks stop below 128 tasks: " + started + r.err());
  }

  @Test
  void run_limitOptions_zeroTurnsOffAndWarns() {
    Run r = run("sandbox", "run", "--memory", "0", "--processes", "0", "--cpu-seconds", "0", "--tmp-size", "0",
        "--report", "--", "/bin/true");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains("\"limit\":\"MEMORY\""), r.err());
    Run bad = run("sandbox", "run", "--processes", "-1", "--", "/bin/true");
    assertEquals(2, bad.code());
    assertTrue(bad.err().startsWith("error: --processes must be 0 (no limit) or a positive number"), bad.err());
  }

  @Test
  void run_warningsGoToStderr_withoutReport() {
    // the unshare backend cannot install the seccomp layer: said on stderr without --report
    Run r = run("sandbox", "run", "--backend", "unshare", "--", "/bin/true");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().lines().anyMatch(l -> l.startsWith("secureyeoman: warning: seccomp not applied")), r.err());
    Run bwrap = run("sandbox", "run", "--", "/bin/true");
    assertFalse(bwrap.err().contains("warning"), "nothing weaker than asked under bwrap: " + bwrap.err());
    Run none = run("sandbox", "run", "--backend", "none", "--", "/bin/true");
    assertEquals(2, none.code(), none.err());
  }

  @Test
  void run_seccompProfileDocker_allowsPtrace_strictRefuses() {
    Run docker = run("sandbox", "run", "--seccomp-profile", "docker", "--", "/usr/bin/strace", "-e", "trace=none",
        "/bin/true");
    assertEquals(0, docker.code(), docker.err());
    Run strict = run("sandbox", "run", "--", "/usr/bin/strace", "-e", "trace=none", "/bin/true");
    assertTrue(strict.code() != 0 && strict.err().contains("Operation not permitted"), strict.err());
    Run bad = run("sandbox", "run", "--seccomp-profile", "podman", "--", "/bin/true");
    assertEquals(2, bad.code());
  }

  @Test
  void allowExecHelp_statesTheRealGuarantee() {
    Run r = run("sandbox", "run", "--help");
    String help = r.out().replaceAll("\\s+", " ");
    assertTrue(help.contains("Under BWRAP this is a mount view"), help);
    assertTrue(help.contains("interpreters"), help);
    assertTrue(help.contains("Landlock"), help);
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
          {"sandbox", "run", "--memory", "-5", "--", "/bin/true"},
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
