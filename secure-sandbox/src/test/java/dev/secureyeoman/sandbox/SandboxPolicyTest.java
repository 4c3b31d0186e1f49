package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxPolicyTest {

  @Test
  void defaults_areTheSafeChoice() {
    SandboxPolicy p = SandboxPolicy.builder("/usr/bin/true").build();
    assertEquals(List.of("/usr/bin/true"), p.command());
    assertEquals(NetworkMode.NONE, p.network());
    assertTrue(p.seccomp());
    assertFalse(p.unixSockets());
    assertTrue(p.requireIsolation());
    assertEquals(SandboxPolicy.DEFAULT_TIMEOUT, p.timeout());
    assertEquals(SandboxPolicy.DEFAULT_OUTPUT_LIMIT, p.stdoutLimit());
    assertEquals(SandboxPolicy.DEFAULT_OUTPUT_LIMIT, p.stderrLimit());
    assertTrue(p.workspace().isEmpty());
    assertTrue(p.limits().isEmpty());
    assertEquals("sandbox", p.hostname());
    assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/tmp", "LANG", "C.UTF-8"), p.environment());
  }

  @Test
  void env_firstCallReplacesDefaultsButKeepsPath() {
    SandboxPolicy p = SandboxPolicy.builder("/usr/bin/env").env("A", "1").env("PATH", "/bin").build();
    assertEquals(Map.of("A", "1", "PATH", "/bin"), p.environment());
  }

  @Test
  void everyOption_roundTripsThroughToBuilder() {
    SandboxPolicy p =
        SandboxPolicy.builder(List.of("/usr/bin/id", "-u"))
            .workspace(Path.of("/srv/ws"))
            .readOnlyBind(Path.of("/opt/data"))
            .readOnlyBind(Path.of("/opt/a"), Path.of("/data/a"))
            .hide(Path.of("/run"))
            .network(NetworkMode.HOST)
            .allowExec(Path.of("/usr/bin/id"))
            .seccomp(false)
            .unixSockets(true)
            .limits(ResourceLimits.untrustedDefaults())
            .timeout(Duration.ofSeconds(5))
            .stdoutLimit(10)
            .stderrLimit(20)
            .requireIsolation(false)
            .hostname("job-1")
            .build();
    SandboxPolicy copy = p.toBuilder().build();
    assertEquals(p.command(), copy.command());
    assertEquals(p.workspace(), copy.workspace());
    assertEquals(p.readOnlyBinds(), copy.readOnlyBinds());
    assertEquals(List.of(Path.of("/run")), copy.hiddenPaths());
    assertEquals(NetworkMode.HOST, copy.network());
    assertEquals(p.execAllowlist(), copy.execAllowlist());
    assertFalse(copy.seccomp());
    assertTrue(copy.unixSockets());
    assertEquals(ResourceLimits.untrustedDefaults(), copy.limits());
    assertEquals(Duration.ofSeconds(5), copy.timeout());
    assertEquals(10, copy.stdoutLimit());
    assertEquals(20, copy.stderrLimit());
    assertFalse(copy.requireIsolation());
    assertEquals("job-1", copy.hostname());
    assertEquals(p.environment(), copy.environment());
    // a derived builder may set each option once more
    assertEquals(Duration.ofSeconds(9), p.toBuilder().timeout(Duration.ofSeconds(9)).build().timeout());
  }

  @Test
  void optionSetTwice_isIllegalStateNamingEarlierValue() {
    SandboxPolicy.Builder b = SandboxPolicy.builder("/bin/true").timeout(Duration.ofSeconds(3));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.timeout(Duration.ofSeconds(4)));
    assertEquals("timeout was already set to PT3S", e.getMessage());
    assertThrows(IllegalStateException.class, () -> b.network(NetworkMode.HOST).network(NetworkMode.NONE));
  }

  @Test
  void invalidValues_areRejectedNamingTheOption() {
    assertMessage("command must start", () -> SandboxPolicy.builder(List.of()));
    assertMessage("command must start", () -> SandboxPolicy.builder(""));
    assertMessage("command[1] must not contain NUL", () -> SandboxPolicy.builder("/bin/echo", "a\0b"));
    assertMessage("workspace must be an absolute path", () -> SandboxPolicy.builder("/bin/true").workspace(Path.of("rel")));
    assertMessage("hide must not be '/'", () -> SandboxPolicy.builder("/bin/true").hide(Path.of("/")));
    assertMessage("env name must match", () -> SandboxPolicy.builder("/bin/true").env("1X", "v"));
    assertMessage("env V must not contain NUL", () -> SandboxPolicy.builder("/bin/true").env("V", "\0"));
    assertMessage("timeout must be > 0", () -> SandboxPolicy.builder("/bin/true").timeout(Duration.ZERO));
    assertMessage("timeout must be > 0", () -> SandboxPolicy.builder("/bin/true").timeout(Duration.ofDays(2)));
    assertMessage("stdoutLimit must be between", () -> SandboxPolicy.builder("/bin/true").stdoutLimit(-1));
    assertMessage("stderrLimit must be between", () -> SandboxPolicy.builder("/bin/true").stderrLimit(1 << 30));
    assertMessage("hostname must be", () -> SandboxPolicy.builder("/bin/true").hostname("Bad_Name"));
    assertMessage("destination must be host:port", () -> SandboxPolicy.builder("/bin/true").allowDestination("x"));
    assertMessage(
        "destination must be host:port", () -> SandboxPolicy.builder("/bin/true").allowDestination("x:70000"));
    assertMessage(
        "allowDestination requires network ALLOWLIST",
        () -> SandboxPolicy.builder("/bin/true").allowDestination("x:1").build());
    assertMessage(
        "network ALLOWLIST requires", () -> SandboxPolicy.builder("/bin/true").network(NetworkMode.ALLOWLIST).build());
    assertMessage(
        "allowExec must include the program",
        () -> SandboxPolicy.builder("/bin/sh").allowExec(Path.of("/usr/bin/id")).build());
    assertMessage(
        "with allowExec the program must be an absolute path",
        () -> SandboxPolicy.builder("sh").allowExec(Path.of("/usr/bin/id")).build());
    assertMessage(
        "readOnlyBind.target must be an absolute path",
        () -> new SandboxPolicy.ReadOnlyBind(Path.of("/a"), Path.of("b")));
  }

  @Test
  void toString_hidesArgumentsAndEnvironmentValues() {
    String s = SandboxPolicy.builder("/bin/echo", "secret-token").env("TOKEN", "hunter2").build().toString();
    assertFalse(s.contains("secret-token"), s);
    assertFalse(s.contains("hunter2"), s);
    assertTrue(s.contains("program=/bin/echo") && s.contains("args=1"), s);
  }

  @Test
  void networkMode_parse() {
    assertEquals(NetworkMode.NONE, NetworkMode.parse(" None "));
    assertEquals(NetworkMode.HOST, NetworkMode.parse("host"));
    assertEquals(NetworkMode.ALLOWLIST, NetworkMode.parse("ALLOWLIST"));
    assertMessage("network must be one of none, host, allowlist", () -> NetworkMode.parse("bridge"));
    assertMessage("network must be one of", () -> NetworkMode.parse(null));
  }

  @Test
  void resourceLimits_validateAndExpose() {
    ResourceLimits l =
        ResourceLimits.builder().addressSpaceMiB(2).cpuSeconds(3).processes(4).openFiles(5).fileSizeBytes(6).build();
    assertEquals(2L * 1024 * 1024, l.get(ResourceLimit.ADDRESS_SPACE).getAsLong());
    assertEquals(5, l.asMap().size());
    assertTrue(ResourceLimits.none().get(ResourceLimit.CPU_SECONDS).isEmpty());
    assertEquals(l, l.toBuilder().build());
    assertEquals(l.hashCode(), l.toBuilder().build().hashCode());
    assertTrue(l.toString().startsWith("ResourceLimits{"));
    assertEquals(9L, l.toBuilder().cpuSeconds(9).build().get(ResourceLimit.CPU_SECONDS).getAsLong());
    assertMessage("limit processes must be >= 1", () -> ResourceLimits.builder().processes(0));
    assertMessage("limit address_space must be between", () -> ResourceLimits.builder().addressSpaceMiB(0));
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> ResourceLimits.builder().openFiles(1).openFiles(2));
    assertEquals("limit open_files was already set to 1", twice.getMessage());
  }

  @Test
  void seccompProfile_dockerAllowsUnixSocketsUnlessSaidOtherwise_siblingsHiddenByDefault() {
    SandboxPolicy strict = SandboxPolicy.builder("/bin/true").build();
    assertEquals(SeccompProfile.STRICT, strict.seccompProfile());
    assertFalse(strict.unixSockets());
    assertTrue(strict.hideWorkspaceSiblings());
    SandboxPolicy docker = strict.toBuilder().seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).build();
    assertTrue(docker.unixSockets(), "Docker allows AF_UNIX");
    SandboxPolicy dockerNoUnix =
        SandboxPolicy.builder("/bin/true").seccompProfile(SeccompProfile.DOCKER_COMPATIBLE).unixSockets(false).build();
    assertFalse(dockerNoUnix.unixSockets());
    assertFalse(SandboxPolicy.builder("/bin/true").hideWorkspaceSiblings(false).build().hideWorkspaceSiblings());
    assertTrue(docker.toString().contains("seccomp=DOCKER_COMPATIBLE"), docker.toString());
    assertTrue(SandboxPolicy.builder("/bin/true").seccomp(false).build().toString().contains("seccomp=off"));
    assertThrows(IllegalStateException.class,
        () -> SandboxPolicy.builder("/bin/true").seccompProfile(SeccompProfile.STRICT).seccompProfile(SeccompProfile.STRICT));
    assertThrows(IllegalStateException.class, () -> docker.toBuilder().seccompProfile(SeccompProfile.STRICT).seccompProfile(SeccompProfile.STRICT));
  }

  @Test
  void resourceLimits_newKindsValidate() {
    ResourceLimits l = ResourceLimits.builder().memoryMiB(64).tmpSizeMiB(8).cpuQuotaMillicores(500).build();
    assertEquals(64L << 20, l.get(ResourceLimit.MEMORY).getAsLong());
    assertEquals(8L << 20, l.get(ResourceLimit.TMP_SIZE).getAsLong());
    assertEquals(500, l.get(ResourceLimit.CPU_QUOTA).getAsLong());
    assertMessage("limit cpu_quota must be >= 10 millicores", () -> ResourceLimits.builder().cpuQuotaMillicores(5));
    assertMessage("limit memory must be between 1 MiB", () -> ResourceLimits.builder().memoryMiB(0));
    assertEquals(6, ResourceLimits.untrustedDefaults().asMap().size());
    assertTrue(ResourceLimits.untrustedDefaults().get(ResourceLimit.ADDRESS_SPACE).isEmpty(),
        "memory is a cgroup limit now; RLIMIT_AS would break JITs and Go for nothing");
  }

  private static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().startsWith(expectedStart), ex.getMessage());
  }
}
