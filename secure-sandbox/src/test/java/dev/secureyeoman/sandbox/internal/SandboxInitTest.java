package dev.secureyeoman.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** bwrap's status on standard error: parsed, kept out of the captured output, and never trusted for a wrong pid. */
class SandboxInitTest {
  private static final String STATUS =
      "{ \"child-pid\": 2, \"cgroup-namespace\": 4026531835, \"pid-namespace\": 1, \"uts-namespace\": 4026531838 }\n";

  private static Supervisor.Capture capture(String stderr, int limit) {
    Supervisor.Capture c =
        new Supervisor.Capture(new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)), limit, true);
    c.run();
    return c;
  }

  @Test
  void parse_readsPidAndNamespace_rejectsOtherLines() {
    assertEquals(Optional.of(new SandboxInit(2, 1)), SandboxInit.parse(STATUS));
    assertEquals(Optional.empty(), SandboxInit.parse("bwrap: Can't mkdir /x: Read-only file system\n"));
    assertEquals(Optional.empty(), SandboxInit.parse("{ \"child-pid\": 7 }\n"));
  }

  @Test
  void capture_removesStatusAndExitCode_keepsTheCommandsStderr() {
    Supervisor.Capture c = capture(STATUS + "oops\n{ \"exit-code\": 0 }\nlate\n{ \"exit-code\": 3 }\n", 1 << 20);
    assertEquals("oops\n{ \"exit-code\": 0 }\nlate\n", new String(c.bytes(), StandardCharsets.UTF_8));
    assertTrue(c.init().isPresent());
    // pid 2 is kthreadd, whose pid namespace is not inode 1: the handle refuses to treat it as the sandbox's init
    assertFalse(c.init().get().init().alive());
    c.init().get().kill();
    assertTrue(c.init().get().awaitGone(1_000_000));
    c.init().get().close();
  }

  @Test
  void capture_withoutStatus_everythingIsOutput() {
    Supervisor.Capture c = capture("bwrap: setup failed\n", 1 << 20);
    assertEquals("bwrap: setup failed\n", new String(c.bytes(), StandardCharsets.UTF_8));
    assertTrue(c.init().isEmpty());
    Supervisor.Capture unterminated = capture("partial", 1 << 20);
    assertEquals("partial", new String(unterminated.bytes(), StandardCharsets.UTF_8));
    Supervisor.Capture capped = capture(STATUS + "0123456789", 4);
    assertEquals("0123", new String(capped.bytes(), StandardCharsets.UTF_8));
    assertTrue(capped.truncated());
  }
}
