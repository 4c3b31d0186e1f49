package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SandboxReportTest {

  static SandboxReport report(List<String> warnings) {
    return new SandboxReport(
        SandboxBackend.UNSHARE_LANDLOCK,
        65534,
        EnumSet.of(Namespace.PID, Namespace.USER),
        true,
        true,
        true,
        SeccompMode.FILTER,
        true,
        OptionalInt.of(7),
        ExecRestriction.LANDLOCK,
        NetworkMode.NONE,
        ResourceLimits.builder().processes(8).cpuSeconds(2).build(),
        "/w\"s",
        Map.of(SandboxBackend.BWRAP, "bwrap not found"),
        warnings);
  }

  @Test
  void toJson_escapesAndOrdersEverything() {
    String json = report(List.of("quote \" backslash \\ newline \n tab \t ctrl \u0001")).toJson();
    assertEquals(
        "{\"backend\":\"UNSHARE_LANDLOCK\",\"hostUid\":65534,\"namespaces\":[\"USER\",\"PID\"],"
            + "\"capabilitiesDropped\":true,\"readOnlyRoot\":true,\"privateTmp\":true,\"seccomp\":\"FILTER\","
            + "\"unixSocketsDenied\":true,\"landlockAbi\":7,\"execRestriction\":\"LANDLOCK\",\"network\":\"NONE\","
            + "\"limits\":{\"CPU_SECONDS\":2,\"PROCESSES\":8},\"workingDirectory\":\"/w\\\"s\","
            + "\"skippedBackends\":{\"BWRAP\":\"bwrap not found\"},"
            + "\"warnings\":[\"quote \\\" backslash \\\\ newline \\n tab \\t ctrl \\u0001\"]}",
        json);
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
  void sandboxException_keepsCause() {
    IllegalStateException cause = new IllegalStateException("x");
    assertEquals(cause, new SandboxException("m", cause).getCause());
  }
}
