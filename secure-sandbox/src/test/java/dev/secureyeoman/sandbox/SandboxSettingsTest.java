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
    SandboxResult r = SandboxSettings.runnerBuilder(cfg).build().run(p);
    assertEquals(SandboxBackend.BWRAP, r.report().backend());
    assertTrue(r.succeeded());
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
