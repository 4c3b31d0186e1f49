package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxSettingsTest {

  @Test
  void defaults_mapToSafePolicy_andRunUnderBwrap() throws Exception {
    SecurityConfig.Sandbox cfg = SecurityConfig.defaults().sandbox();
    SandboxPolicy p = SandboxSettings.policyBuilder(cfg, List.of("/usr/bin/true")).build();
    assertTrue(p.requireIsolation());
    assertEquals(NetworkMode.NONE, p.network());
    assertEquals(Duration.ofSeconds(30), p.timeout());
    assertEquals(ResourceLimits.untrustedDefaults(), p.limits(), "a config-driven host gets the safe defaults");
    SandboxResult r = SandboxSettings.runnerBuilder(cfg).build().run(p);
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertTrue(r.succeeded());
    assertTrue(r.report().enforcementOf(ResourceLimit.MEMORY).contains(LimitEnforcement.CGROUP_V1)
        || r.report().enforcementOf(ResourceLimit.MEMORY).contains(LimitEnforcement.CGROUP_V2), r.report().toJson());
    assertTrue(r.report().warnings().isEmpty(), r.report().toJson());
  }

  @Test
  void configuredLimits_zeroTurnsALimitOff_uidRangeAndCgroupParentReachTheRunner() throws Exception {
    SecurityConfig.Sandbox cfg =
        new SecurityConfig.Sandbox(
            SecurityConfig.Sandbox.Backend.AUTO,
            true,
            SecurityConfig.Sandbox.Network.NONE,
            Duration.ofSeconds(10),
            new SecurityConfig.Sandbox.Limits(64, 0, 5, 0, 100, 1),
            new SecurityConfig.Sandbox.UidRange(0x71000000, 16),
            "");
    SandboxPolicy p = SandboxSettings.policyBuilder(cfg, List.of("/usr/bin/id", "-u")).build();
    assertEquals(
        ResourceLimits.builder().memoryMiB(64).cpuSeconds(5).openFiles(100).fileSizeBytes(1024 * 1024).build(),
        p.limits());
    SandboxResult r = SandboxSettings.runnerBuilder(cfg).build().run(p);
    if (Sandboxes.isRoot()) {
      int uid = Integer.parseInt(r.stdoutText().strip());
      assertTrue(uid >= 0x71000000 && uid < 0x71000000 + 16, "uid from the configured range: " + uid);
    }
    assertEquals(ResourceLimits.none(), SandboxSettings.limits(new SecurityConfig.Sandbox.Limits(0, 0, 0, 0, 0, 0)));
  }

  @Test
  void configuredProcessLimit_isEnforcedByTheKernel_forkBombContained_jvmUnharmed() throws Exception {
    SecurityConfig.Sandbox cfg =
        new SecurityConfig.Sandbox(
            SecurityConfig.Sandbox.Backend.AUTO,
            true,
            SecurityConfig.Sandbox.Network.NONE,
            Duration.ofSeconds(5),
            new SecurityConfig.Sandbox.Limits(0, 16, 0, 0, 0, 0), // security.sandbox.limits.processes: 16
            SecurityConfig.Sandbox.UidRange.DEFAULTS,
            "");
    NamespaceRunner runner = SandboxSettings.runnerBuilder(cfg).build();
    SandboxResult r =
        runner.run(
            SandboxSettings.policyBuilder(
                    cfg,
                    List.of("/bin/sh", "-c", "i=0; while [ $i -lt 64 ]; do sleep 30 & i=$((i+1)); done; echo ALL-STARTED"))
                .build());
    // the 17th task of the run cannot be created: the shell reports the kernel's EAGAIN, the loop never finishes
    assertFalse(r.stdoutText().contains("ALL-STARTED"), r.toString());
    assertTrue(r.stderrText().contains("Cannot fork"), r.stderrText());
    assertFalse(r.report().enforcementOf(ResourceLimit.PROCESSES).isEmpty(), r.report().toJson());
    // the legitimate path: the host JVM still spawns, and a run within the limit succeeds
    assertEquals(0, new ProcessBuilder("/usr/bin/true").start().waitFor());
    SandboxResult ok =
        runner.run(SandboxSettings.policyBuilder(cfg, List.of("/bin/sh", "-c", "sleep 0 & sleep 0 & wait; echo ok")).build());
    assertEquals("ok", ok.stdoutText().strip(), ok.toString());
  }

  @Test
  void configuredCgroupParent_isUsedForTheRunsCgroups() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Sandboxes.isRoot());
    java.nio.file.Path parent =
        dev.secureyeoman.sandbox.internal.cgroup.CgroupLayout.detect(java.util.Optional.empty()).v2Parent()
            .orElseThrow().resolve("sy-test-delegated-" + ProcessHandle.current().pid());
    java.nio.file.Files.createDirectory(parent);
    try {
      SecurityConfig.Sandbox cfg =
          new SecurityConfig.Sandbox(SecurityConfig.Sandbox.Backend.AUTO, true, SecurityConfig.Sandbox.Network.NONE,
              Duration.ofSeconds(10), SecurityConfig.Sandbox.Limits.DEFAULTS, SecurityConfig.Sandbox.UidRange.DEFAULTS,
              parent.toString());
      SandboxResult r =
          SandboxSettings.runnerBuilder(cfg).build().run(
              SandboxSettings.policyBuilder(cfg, List.of("/bin/cat", "/proc/self/cgroup")).build());
      assertTrue(r.stdoutText().contains("0::/"), r.stdoutText());
      assertEquals(Teardown.CGROUP_V2_KILL, r.report().teardown());
      try (var children = java.nio.file.Files.list(parent)) {
        assertEquals(0, children.filter(java.nio.file.Files::isDirectory).count(), "the run's cgroup was removed");
      }
    } finally {
      java.nio.file.Files.delete(parent);
    }
  }

  @Test
  void backendsAndNetwork_map() {
    assertNull(SandboxSettings.backend(SecurityConfig.Sandbox.Backend.AUTO));
    assertEquals(SandboxBackend.BWRAP, SandboxSettings.backend(SecurityConfig.Sandbox.Backend.BWRAP));
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, SandboxSettings.backend(SecurityConfig.Sandbox.Backend.UNSHARE));
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, SandboxSettings.backend(SecurityConfig.Sandbox.Backend.LANDLOCK));
    assertEquals(SandboxBackend.NONE, SandboxSettings.backend(SecurityConfig.Sandbox.Backend.NONE));
    SecurityConfig.Sandbox host =
        new SecurityConfig.Sandbox(
            SecurityConfig.Sandbox.Backend.NONE, false, SecurityConfig.Sandbox.Network.HOST, Duration.ofSeconds(5));
    SandboxPolicy p = SandboxSettings.policyBuilder(host, List.of("/usr/bin/true")).build();
    assertEquals(NetworkMode.HOST, p.network());
    assertFalse(p.requireIsolation());
    assertEquals(Duration.ofSeconds(5), p.timeout());
  }

  @Test
  void configuredNone_withIsolationRequired_isRefused() {
    SecurityConfig.Sandbox none =
        new SecurityConfig.Sandbox(
            SecurityConfig.Sandbox.Backend.NONE, true, SecurityConfig.Sandbox.Network.NONE, Duration.ofSeconds(5));
    NamespaceRunner runner = SandboxSettings.runnerBuilder(none).build();
    assertThrows(
        SandboxException.class,
        () -> runner.run(SandboxSettings.policyBuilder(none, List.of("/usr/bin/true")).build()));
  }
}
