package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 10: every capability a report claims is checked against what the kernel shows from inside the run
 * (namespaces by inode, capabilities, seccomp mode, read-only root, private {@code /tmp}, AF_UNIX denial, network,
 * host uid), for each backend this host offers. A claim without enforcement fails here.
 */
class ReportHonestyTest {
  private static final String PROBE =
      String.join(
          "\n",
          "import os, socket, errno",
          "def ns(n):",
          "    return os.stat('/proc/self/ns/' + n).st_ino",
          "out = {}",
          "for n in ('user', 'pid', 'net', 'mnt', 'ipc', 'uts'):",
          "    out['ns.' + n] = ns(n)",
          "st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)",
          "out['capeff'] = st['CapEff'].strip()",
          "out['seccomp'] = st['Seccomp'].strip()",
          "out['nnp'] = st['NoNewPrivs'].strip()",
          "try:",
          "    open('/etc/sy-report-probe', 'w'); out['rootwrite'] = 'ok'",
          "except OSError as e:",
          "    out['rootwrite'] = errno.errorcode[e.errno]",
          "try:",
          "    open('/tmp/' + os.environ['MARK'], 'w').close()",
          "except OSError:",
          "    pass",
          "try:",
          "    socket.socket(socket.AF_UNIX).close(); out['unix'] = 'ok'",
          "except OSError as e:",
          "    out['unix'] = errno.errorcode[e.errno]",
          "out['ifaces'] = ','.join(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))",
          "for k, v in out.items():",
          "    print(k + '=' + str(v))");

  private static final String MARK = "sy-report-" + java.util.UUID.randomUUID();

  private static Map<String, String> parse(String s) {
    Map<String, String> m = new HashMap<>();
    s.lines().filter(l -> l.contains("=")).forEach(l -> m.put(l.substring(0, l.indexOf('=')),
        l.substring(l.indexOf('=') + 1)));
    return m;
  }

  private static String hostNs(String n) throws Exception {
    return Long.toString((Long) Files.getAttribute(Path.of("/proc/self/ns", n), "unix:ino"));
  }

  private static void check(SandboxResult r) throws Exception {
    assertTrue(r.succeeded(), r + r.stderrText());
    Map<String, String> in = parse(r.stdoutText());
    SandboxReport rep = r.report();
    String json = rep.toJson();
    Map<Namespace, String> names =
        Map.of(Namespace.USER, "user", Namespace.PID, "pid", Namespace.NET, "net", Namespace.MOUNT, "mnt",
            Namespace.IPC, "ipc", Namespace.UTS, "uts");
    for (Map.Entry<Namespace, String> e : names.entrySet()) {
      boolean claimed = rep.namespaces().contains(e.getKey());
      boolean own = !in.get("ns." + e.getValue()).equals(hostNs(e.getValue()));
      assertEquals(claimed, own, e.getKey() + " namespace: claimed " + claimed + ", seen " + own + " " + json);
    }
    if (rep.capabilitiesDropped()) {
      assertEquals("0000000000000000", in.get("capeff"), json);
    }
    assertEquals(rep.seccomp() != SeccompMode.NONE, in.get("seccomp").equals("2"), "seccomp " + json);
    if (rep.readOnlyRoot()) {
      assertTrue(Set.of("EROFS", "EACCES").contains(in.get("rootwrite")), in.get("rootwrite") + " " + json);
    }
    if (rep.privateTmp()) {
      assertTrue(!Files.exists(Path.of("/tmp", MARK)), "a file the run wrote to /tmp is on the host's /tmp " + json);
    }
    assertEquals(rep.unixSocketsDenied(), in.get("unix").equals("EPERM"), "AF_UNIX " + in.get("unix") + " " + json);
    if (rep.network() == NetworkMode.NONE && rep.namespaces().contains(Namespace.NET)) {
      assertEquals("lo", in.get("ifaces"), json);
    }
  }


  private static SandboxPolicy policy(Path ws) {
    return SandboxPolicy.builder("/usr/bin/python3", "-c", PROBE).env("MARK", MARK).workspace(ws).build();
  }

  @Test
  void bwrap_everyClaimHolds(@TempDir Path tmp) throws Exception {
    SandboxResult r = Sandboxes.RUNNER.run(policy(Sandboxes.workspace(tmp)));
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    check(r);
  }

  @Test
  void unshareMode_everyClaimHolds(@TempDir Path tmp) throws Exception {
    NamespaceRunner unshare = NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();
    SandboxResult r =
        unshare.run(policy(Sandboxes.workspace(tmp)).toBuilder().seccomp(false).build());
    check(r);
  }

  @Test
  void landlockMode_everyClaimHolds(@TempDir Path tmp) throws Exception {
    NamespaceRunner landlock = NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();
    SandboxResult r =
        landlock.run(policy(Sandboxes.workspace(tmp)).toBuilder().allowExec(Path.of("/usr/bin/python3")).build());
    assertEquals(ExecRestriction.LANDLOCK, r.report().execRestriction());
    check(r);
  }
}
