package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red-team: {@code security.sandbox.limits} built in code (no bean validation) must never turn a bad value into "not
 * limited" or into another limit than the one configured. A run with such a configuration is refused before anything
 * starts; a run with sane values gets the limits the kernel enforces.
 */
class SandboxSettingsLimitsAttackTest {
  private static SecurityConfig.Sandbox config(SecurityConfig.Sandbox.Limits limits) {
    return new SecurityConfig.Sandbox(
        SecurityConfig.Sandbox.Backend.AUTO,
        true,
        SecurityConfig.Sandbox.Network.NONE,
        Duration.ofSeconds(10),
        limits,
        SecurityConfig.Sandbox.UidRange.DEFAULTS,
        "");
  }

  /** Runs /usr/bin/true with the configuration's policy; returns the result, or null when the policy was refused. */
  private static SandboxResult runOrRefused(SecurityConfig.Sandbox cfg) throws Exception {
    NamespaceRunner runner = SandboxSettings.runnerBuilder(cfg).build();
    SandboxPolicy policy;
    try {
      policy = SandboxSettings.policyBuilder(cfg, List.of("/bin/sh", "-c", "true")).build();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("security.sandbox.limits."), e.getMessage());
      return null;
    }
    return runner.run(policy);
  }

  @Test
  void negativeMemoryLimit_isRefused_notSilentlyUnlimited() throws Exception {
    SandboxResult r = runOrRefused(config(new SecurityConfig.Sandbox.Limits(-1, 16, 0, 0, 0, 0)));
    if (r != null) {
      fail("memory_mb -1 ran with memory limits " + r.report().enforcementOf(ResourceLimit.MEMORY) + ": "
          + r.report().toJson());
    }
  }

  @Test
  void fileSizeOverflowingLong_isRefused_notWrappedToAnotherLimit() throws Exception {
    // 2^44 + 1 MiB * 2^20 wraps to 1 MiB: the run would get a limit nobody configured
    SandboxResult r = runOrRefused(config(new SecurityConfig.Sandbox.Limits(0, 0, 0, 0, 0, (1L << 44) + 1)));
    if (r != null) {
      fail("file_size_mb 2^44+1 ran with " + r.report().toJson());
    }
  }

  @Test
  void saneLimits_areAppliedAsConfigured() throws Exception {
    SandboxResult r = runOrRefused(config(new SecurityConfig.Sandbox.Limits(64, 16, 0, 0, 0, 3)));
    assertTrue(r != null && r.succeeded(), String.valueOf(r));
    assertFalse(r.report().enforcementOf(ResourceLimit.MEMORY).isEmpty(), r.report().toJson());
    assertTrue(
        r.report().limits().stream()
            .anyMatch(l -> l.limit() == ResourceLimit.FILE_SIZE && l.value() == 3L * 1024 * 1024),
        r.report().toJson());
    assertEquals(0, r.exitCode());
  }
}
