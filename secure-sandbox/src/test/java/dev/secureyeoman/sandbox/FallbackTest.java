package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend chain: what happens when the stronger backends are missing. */
class FallbackTest {

  @TempDir static Path bins;

  static NamespaceRunner withoutBwrap;

  @BeforeAll
  static void toolFarmWithoutBwrap() throws IOException {
    withoutBwrap = NamespaceRunner.builder().searchPath(List.of(farm("no-bwrap", "sh", "true", "unshare", "setpriv", "mount", "prlimit"))).build();
  }

  /** A directory holding symlinks to the named host tools only. */
  static Path farm(String name, String... tools) throws IOException {
    Path dir = Files.createDirectory(bins.resolve(name));
    for (String t : tools) {
      Files.createSymbolicLink(dir.resolve(t), Path.of("/usr/bin", t).toRealPath());
    }
    return dir;
  }

  @Test
  void bwrapAbsent_unshareBackendChosen_reportSaysWhy(@TempDir Path tmp) throws Exception {
    SandboxCapabilities caps = withoutBwrap.probe();
    assertFalse(caps.status(SandboxBackend.BWRAP).available());
    assertTrue(caps.status(SandboxBackend.BWRAP).detail().contains("bwrap not found"), caps.toJson());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, caps.bestIsolatingBackend().orElseThrow(), caps.toJson());

    Path ws = Sandboxes.workspace(tmp);
    String canary = "sy-canary-" + UUID.randomUUID();
    SandboxResult r =
        withoutBwrap.run(
            sh(
                "if kill -0 \"$1\" 2>/dev/null; then echo VISIBLE; else echo INVISIBLE; fi;"
                    + " tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ';"
                    + " touch \"/etc/$2\" 2>/dev/null && echo WROTE-ETC;"
                    + " echo tmp=$(ls -A /tmp | grep -cv \"^$3\\$\"); echo ok > out.txt; grep CapEff /proc/self/status",
                Long.toString(Sandboxes.hostPid()),
                canary,
                ws.getName(1).toString())
                .workspace(ws)
                .build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, r.report().backend());
    assertTrue(r.report().skippedBackends().get(SandboxBackend.BWRAP).contains("bwrap not found"));
    assertEquals(
        List.of("INVISIBLE", "lo", "tmp=0", "CapEff:\t0000000000000000"),
        r.stdoutText().lines().toList(),
        r.stderrText());
    assertFalse(Files.exists(Path.of("/etc", canary)));
    assertEquals("ok\n", Files.readString(ws.resolve("out.txt")));
    assertTrue(r.report().namespaces().containsAll(List.of(Namespace.PID, Namespace.NET, Namespace.MOUNT)));
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.startsWith("seccomp not applied")));
  }

  @Test
  void landlockMode_callerCallbacksRunOnUnrestrictedThread() throws Exception {
    SandboxPolicy p =
        SandboxPolicy.builder("/usr/bin/sleep", "0.3").allowExec(Path.of("/usr/bin/sleep")).build();
    String seccompOfCallbackThread =
        withoutBwrap
            .runAsync(p)
            .thenApply(
                r -> {
                  assertEquals(ExecRestriction.LANDLOCK, r.report().execRestriction());
                  try {
                    return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                        .filter(l -> l.startsWith("Seccomp:"))
                        .findFirst()
                        .orElseThrow();
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .get();
    assertEquals("Seccomp:\t0", seccompOfCallbackThread);
  }

  @Test
  void unshareMode_hidesPaths_hostNetworkOnRequest() throws Exception {
    SandboxResult r =
        withoutBwrap.run(
            sh("ls -A /opt | wc -l; wc -c < /etc/hostname; tail -n +3 /proc/net/dev | wc -l")
                .hide(Path.of("/opt"))
                .hide(Path.of("/etc/hostname"))
                .hide(Path.of("/nonexistent-sy"))
                .network(NetworkMode.HOST)
                .build());
    List<String> lines = r.stdoutText().lines().toList();
    assertEquals(List.of("0", "0"), lines.subList(0, 2), r.stderrText());
    assertTrue(Integer.parseInt(lines.get(2)) > 1, "host interfaces visible with HOST: " + lines);
    assertFalse(r.report().namespaces().contains(Namespace.NET));
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.contains("/nonexistent-sy")));
  }

  @Test
  void forcedUnshare_withLimits_appliesThem() throws Exception {
    NamespaceRunner forced =
        NamespaceRunner.builder()
            .searchPath(List.of(farm("forced-unshare", "sh", "true", "unshare", "setpriv", "mount", "prlimit", "bwrap")))
            .backend(SandboxBackend.UNSHARE_LANDLOCK)
            .build();
    SandboxResult r =
        forced.run(
            sh("grep 'Max open files' /proc/self/limits")
                .limits(ResourceLimits.builder().openFiles(64).build())
                .build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, r.report().backend());
    assertTrue(r.report().skippedBackends().isEmpty());
    assertTrue(r.stdoutText().matches("Max open files\\s+64\\s+64\\s+files\\s*\\n"), r.stdoutText());
    assertTrue(r.report().limits().contains(new AppliedLimit(ResourceLimit.OPEN_FILES, 64, LimitEnforcement.RLIMIT)));
  }

  @Test
  void unshareMode_workspaceUnderTmp_absolutePathsReachIt(@TempDir Path tmp) throws Exception {
    Path ws = Sandboxes.workspace(tmp); // java.io.tmpdir is /tmp here: the fresh /tmp used to hide it
    assertTrue(ws.startsWith("/tmp"), ws.toString());
    SandboxResult r =
        withoutBwrap.run(
            sh("echo absolute > \"$1/abs.txt\" && cat \"$1/abs.txt\"; pwd; echo relative > rel.txt; ls -A /tmp | wc -l",
                ws.toString())
                .workspace(ws)
                .build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, r.report().backend());
    assertEquals(List.of("absolute", ws.toString(), "1"), r.stdoutText().lines().toList(), r.stderrText());
    assertEquals("absolute\n", Files.readString(ws.resolve("abs.txt")));
    assertEquals("relative\n", Files.readString(ws.resolve("rel.txt")));
  }

  @Test
  void unshareMode_readOnlyProc_hiddenSiblings_sizedTmp() throws Exception {
    Path base = Files.createDirectory(Path.of("/var/tmp", "sy-unshare-" + UUID.randomUUID()));
    try {
      Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Path ws = Files.createDirectory(base.resolve("ws"));
      Files.writeString(base.resolve("sibling.txt"), "other run");
      SandboxResult r =
          withoutBwrap.run(
              sh("ls -A \"$1\" ; echo 0 > /proc/self/oom_score_adj 2>/dev/null || echo PROC-RO; df -k /tmp | tail -1"
                      + " | awk '{print $2}'; echo ok > out.txt", base.toString())
                  .workspace(ws)
                  .limits(ResourceLimits.builder().tmpSizeMiB(4).build())
                  .build());
      assertEquals(List.of("ws", "PROC-RO", "4096"), r.stdoutText().lines().toList(), r.stderrText());
      assertEquals("ok\n", Files.readString(ws.resolve("out.txt")));
    } finally {
      try (var s = Files.walk(base)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void unshareSetupScript_takesHostileWorkspaceNameLiterally(@TempDir Path tmp) throws Exception {
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Path ws = Files.createDirectory(tmp.resolve("w;$(echo${IFS}INJECTED>&2)`echo${IFS}INJECTED>&2`"));
    if (Sandboxes.isRoot()) {
      Files.setAttribute(ws, "unix:uid", Sandboxes.SANDBOX_UID);
      Files.setAttribute(ws, "unix:gid", Sandboxes.SANDBOX_UID);
    }
    SandboxResult r = withoutBwrap.run(SandboxPolicy.builder("/bin/pwd").workspace(ws).build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, r.report().backend());
    assertEquals(ws.toString(), r.stdoutText().strip(), r.stderrText());
    assertFalse(r.stderrText().contains("INJECTED"), r.stderrText());
  }

  @Test
  void readOnlyBindWithoutBwrap_refusedNotSilentlyDropped() {
    SandboxPolicy p = SandboxPolicy.builder("/usr/bin/true").readOnlyBind(Path.of("/opt"), Path.of("/data")).build();
    SandboxException e = assertThrows(SandboxException.class, () -> withoutBwrap.run(p));
    assertTrue(e.getMessage().contains("read-only binds need BWRAP"), e.getMessage());
    assertTrue(e.getMessage().contains("Landlock mode: hidden paths and read-only binds need a mount namespace"), e.getMessage());
  }

  @Test
  void forcedNone_withIsolationRequired_refused() {
    NamespaceRunner none = NamespaceRunner.builder().backend(SandboxBackend.NONE).build();
    SandboxException e =
        assertThrows(SandboxException.class, () -> none.run(SandboxPolicy.builder("/usr/bin/true").build()));
    assertTrue(e.getMessage().contains("requires isolation"), e.getMessage());
  }

  @Test
  void limitsWithoutPrlimit_refused() throws IOException {
    NamespaceRunner noPrlimit =
        NamespaceRunner.builder().searchPath(List.of(farm("no-prlimit", "sh", "true", "bwrap", "setpriv"))).build();
    SandboxException e =
        assertThrows(
            SandboxException.class,
            () ->
                noPrlimit.run(
                    SandboxPolicy.builder("/usr/bin/true").limits(ResourceLimits.builder().cpuSeconds(1).build()).build()));
    assertTrue(e.getMessage().contains("prlimit"), e.getMessage());
  }

  @Test
  void nothingAvailable_isolationRequired_refusedWithEveryReason() throws IOException {
    NamespaceRunner bare = NamespaceRunner.builder().searchPath(List.of(farm("bare", "sh", "true", "setpriv"))).build();
    SandboxException e =
        assertThrows(SandboxException.class, () -> bare.run(SandboxPolicy.builder("/usr/bin/true").build()));
    assertTrue(e.getMessage().startsWith("isolation required but no sandbox backend is available"), e.getMessage());
    assertTrue(e.getMessage().contains("BWRAP: bwrap not found"), e.getMessage());
    assertTrue(e.getMessage().contains("UNSHARE_LANDLOCK"), e.getMessage());
  }

  @Test
  void nothingAvailable_isolationOptional_runsUnisolatedAndSaysSo() throws Exception {
    NamespaceRunner bare =
        NamespaceRunner.builder().searchPath(List.of(farm("bare-optional", "sh", "true", "setpriv"))).build();
    SandboxResult r = bare.run(SandboxPolicy.builder("/usr/bin/id", "-u").requireIsolation(false).build());
    assertEquals(SandboxBackend.NONE, r.report().backend());
    assertFalse(r.report().isolated());
    assertTrue(r.report().namespaces().isEmpty());
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.startsWith("NO ISOLATION")));
    assertEquals(Integer.toString(r.report().hostUid()), r.stdoutText().strip());
  }

  @Test
  void forcedBackendUnavailable_isRefusedNotReplaced() throws IOException {
    NamespaceRunner forced =
        NamespaceRunner.builder()
            .searchPath(List.of(farm("forced", "sh", "true", "unshare", "setpriv", "mount")))
            .backend(SandboxBackend.BWRAP)
            .build();
    SandboxException e =
        assertThrows(SandboxException.class, () -> forced.run(SandboxPolicy.builder("/usr/bin/true").build()));
    assertTrue(e.getMessage().contains("BWRAP is not available"), e.getMessage());
  }

  @Test
  void execAllowlist_withoutBwrap_enforcedByLandlock() throws Exception {
    SandboxResult allowed =
        withoutBwrap.run(SandboxPolicy.builder("/usr/bin/id", "-u").allowExec(Path.of("/usr/bin/id")).build());
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, allowed.report().backend());
    assertEquals(ExecRestriction.LANDLOCK, allowed.report().execRestriction());
    assertTrue(allowed.report().landlockAbi().isPresent());
    assertEquals(Integer.toString(allowed.report().hostUid()), allowed.stdoutText().strip(), allowed.stderrText());

    SandboxPolicy escape = SandboxPolicy.builder("/usr/bin/env", "/bin/sh", "-c", "echo PWNED").build();
    SandboxResult refused = withoutBwrap.run(escape.toBuilder().allowExec(Path.of("/usr/bin/env")).build());
    assertFalse(refused.stdoutText().contains("PWNED"));
    assertTrue(refused.stderrText().contains("Permission denied"), refused.stderrText());
    assertEquals(126, refused.exitCode());
    // without the allowlist the shell runs: the check can fail
    assertEquals("PWNED", withoutBwrap.run(escape).stdoutText().strip());
  }

  @Test
  void networkAllowlist_isRefusedWithReason() {
    SandboxPolicy p =
        SandboxPolicy.builder("/usr/bin/true")
            .network(NetworkMode.ALLOWLIST)
            .allowDestination("example.com:443")
            .build();
    SandboxException e = assertThrows(SandboxException.class, () -> Sandboxes.RUNNER.run(p));
    assertTrue(e.getMessage().startsWith("network ALLOWLIST is not implemented"), e.getMessage());
    assertTrue(Sandboxes.RUNNER.probe().networkAllowlistRefusal().contains("proxy"));
  }

  @Test
  void unsearchableWorkspaceParent_refusedWithChmodHint(@TempDir Path tmp) throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(Sandboxes.isRoot());
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path ws = Files.createDirectory(tmp.resolve("root-owned"));
    SandboxException e =
        assertThrows(
            SandboxException.class,
            () -> Sandboxes.RUNNER.run(SandboxPolicy.builder("/usr/bin/true").workspace(ws).build()));
    assertEquals(SandboxException.Reason.WORKSPACE, e.reason());
    assertTrue(e.getMessage().contains("is not searchable by other users (chmod o+x " + tmp + ")"), e.getMessage());
  }
}
