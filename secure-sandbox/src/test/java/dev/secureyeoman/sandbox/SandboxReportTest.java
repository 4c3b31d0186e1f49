package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxReportTest {

  static SandboxReport report(List<String> warnings) {
    return SandboxReport.builder(SandboxBackend.UNSHARE_LANDLOCK)
        .hostUid(65534)
        .namespaces(EnumSet.of(Namespace.PID, Namespace.USER))
        .filesystem(true, true, true)
        .seccomp(SeccompProfile.STRICT, true)
        .landlockAbi(7)
        .execRestriction(ExecRestriction.LANDLOCK)
        .network(NetworkMode.NONE)
        .limits(List.of(
            new AppliedLimit(ResourceLimit.PROCESSES, 8, LimitEnforcement.CGROUP_V1),
            new AppliedLimit(ResourceLimit.PROCESSES, 8, LimitEnforcement.RLIMIT)))
        .unappliedLimits(Map.of(ResourceLimit.MEMORY, "no memory cgroup"))
        .teardown(Teardown.CGROUP_V2_KILL)
        .workingDirectory("/w\"s")
        .skippedBackends(Map.of(SandboxBackend.BWRAP, "bwrap not found"))
        .warnings(warnings)
        .build();
  }

  @Test
  void toJson_escapesAndOrdersEverything() {
    String json = report(List.of("quote \" backslash \\ newline \n tab \t ctrl \u0001")).toJson();
    assertEquals(
        "{\"backend\":\"UNSHARE_LANDLOCK\",\"hostUid\":65534,\"namespaces\":[\"USER\",\"PID\"],"
            + "\"capabilitiesDropped\":true,\"readOnlyRoot\":true,\"privateTmp\":true,\"seccomp\":\"FILTER\","
            + "\"seccompProfile\":\"STRICT\",\"unixSocketsDenied\":true,\"landlockAbi\":7,"
            + "\"execRestriction\":\"LANDLOCK\",\"network\":\"NONE\","
            + "\"limits\":[{\"limit\":\"PROCESSES\",\"value\":8,\"enforcedBy\":\"CGROUP_V1\"},"
            + "{\"limit\":\"PROCESSES\",\"value\":8,\"enforcedBy\":\"RLIMIT\"}],"
            + "\"unappliedLimits\":{\"MEMORY\":\"no memory cgroup\"},\"teardown\":\"CGROUP_V2_KILL\","
            + "\"workingDirectory\":\"/w\\\"s\","
            + "\"skippedBackends\":{\"BWRAP\":\"bwrap not found\"},"
            + "\"warnings\":[\"quote \\\" backslash \\\\ newline \\n tab \\t ctrl \\u0001\"]}",
        json);
  }

  @Test
  void enforcementOf_listsEveryMechanismOfALimit() {
    SandboxReport r = report(List.of());
    assertEquals(EnumSet.of(LimitEnforcement.CGROUP_V1, LimitEnforcement.RLIMIT), r.enforcementOf(ResourceLimit.PROCESSES));
    assertTrue(r.enforcementOf(ResourceLimit.MEMORY).isEmpty());
  }

  @Test
  void seccompProfile_withoutFilter_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SandboxReport(SandboxBackend.NONE, 1, Set.of(), false,
        false, false, SeccompMode.NONE, Optional.of(SeccompProfile.STRICT), false, OptionalInt.empty(),
        ExecRestriction.NONE, NetworkMode.HOST, List.of(), Map.of(), Teardown.PROCESS_TREE, "/", Map.of(), List.of()));
  }

  @Test
  void components_areImmutableCopies() {
    SandboxReport r = report(new java.util.ArrayList<>(List.of("w")));
    assertTrue(r.isolated());
    assertEquals(List.of("w"), r.warnings());
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> r.warnings().add("x"));
    SandboxResult result =
        new SandboxResult(0, false, new byte[] {'a'}, false, new byte[0], false, Duration.ZERO, r);
    byte[] out = result.stdout();
    out[0] = 'b';
    assertEquals("a", result.stdoutText());
    assertEquals("", result.stderrText());
    assertTrue(result.succeeded());
    assertFalse(new SandboxResult(0, true, new byte[0], false, new byte[0], false, Duration.ZERO, r).succeeded());
  }

  @Test
  void sandboxException_keepsCauseAndReason() {
    IllegalStateException cause = new IllegalStateException("x");
    SandboxException e = new SandboxException(SandboxException.Reason.LAUNCH_FAILED, "m", cause);
    assertEquals(cause, e.getCause());
    assertEquals(SandboxException.Reason.LAUNCH_FAILED, e.reason());
    assertEquals(SandboxException.Reason.WORKSPACE, new SandboxException(SandboxException.Reason.WORKSPACE, "w").reason());
    assertThrows(NullPointerException.class, () -> new SandboxException(null, "m"));
  }
}
