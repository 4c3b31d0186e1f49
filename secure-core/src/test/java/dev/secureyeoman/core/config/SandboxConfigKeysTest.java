package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code security.sandbox.limits}, {@code uid_range} and {@code cgroup_parent} (issue 12). */
class SandboxConfigKeysTest {
  private final EncryptedConfigLoader plain = EncryptedConfigLoader.builder().build();

  @Test
  void defaults_areTheUntrustedDefaults() throws Exception {
    SecurityConfig.Sandbox s = plain.parseSecurityConfig("security: {sandbox: {network: none}}").sandbox();
    assertEquals(new SecurityConfig.Sandbox.Limits(512, 128, 60, 128, 256, 256), s.limits());
    assertEquals(new SecurityConfig.Sandbox.UidRange(0x70000000, 4096), s.uidRange());
    assertEquals("", s.cgroupParent());
    assertEquals(SecurityConfig.defaults().sandbox(), s);
    assertEquals(
        s, new SecurityConfig.Sandbox(s.backend(), true, s.network(), Duration.ofSeconds(30)), "compatible constructor");
  }

  @Test
  void partialLimits_mergeWithDefaults_zeroAllowed() throws Exception {
    SecurityConfig.Sandbox s =
        plain.parseSecurityConfig(
                "security: {sandbox: {limits: {memory_mb: 64, processes: 0}, uid_range: {first: 200000, count: 10},"
                    + " cgroup_parent: /sys/fs/cgroup/sandboxes}}")
            .sandbox();
    assertEquals(new SecurityConfig.Sandbox.Limits(64, 0, 60, 128, 256, 256), s.limits());
    assertEquals(new SecurityConfig.Sandbox.UidRange(200000, 10), s.uidRange());
    assertEquals("/sys/fs/cgroup/sandboxes", s.cgroupParent());
  }

  @Test
  void invalidValues_namedWithTheirPath() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                plain.parseSecurityConfig(
                    "security: {sandbox: {limits: {memory_mb: -1, pids: 3}, uid_range: {first: 0, count: 0}}}"));
    String all = e.violations().toString();
    assertTrue(all.contains("security.sandbox.limits.memory_mb"), all);
    assertTrue(all.contains("security.sandbox.limits.pids"), all);
    assertTrue(all.contains("security.sandbox.uid_range.first"), all);
    assertTrue(all.contains("security.sandbox.uid_range.count"), all);
  }
}
