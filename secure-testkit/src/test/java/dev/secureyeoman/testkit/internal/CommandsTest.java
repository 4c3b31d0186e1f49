package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
  @Test
  void run_stdinAndEnvironment_passedThrough() {
    Commands.Result r =
        Commands.run(
            List.of("sh", "-c", "cat; echo \"$TESTKIT_X\"; exit 3"),
            Duration.ofSeconds(30),
            "in\n".getBytes(StandardCharsets.UTF_8),
            b -> b.environment().put("TESTKIT_X", "x1"));
    assertEquals(3, r.exitCode());
    assertEquals("in\nx1\n", r.output());
  }

  @Test
  void check_nonZeroExit_failsWithWhatAndOutput() {
    List<String> argv = List.of("sh", "-c", "echo boom >&2; exit 4");
    TestkitException e = assertThrows(TestkitException.class, () -> Commands.check(argv, Duration.ofSeconds(30), "exploding"));
    assertEquals(Reason.COMMAND_FAILED, e.reason());
    assertTrue(e.getMessage().startsWith("exploding failed: sh exited with 4: boom"), e.getMessage());
    assertEquals("ok\n", Commands.check(List.of("echo", "ok"), Duration.ofSeconds(30), "echo"));
  }

  @Test
  void run_pastTimeout_killedAndTimeout() {
    long started = System.nanoTime();
    TestkitException e =
        assertThrows(TestkitException.class, () -> Commands.run(List.of("sleep", "600"), Duration.ofMillis(100)));
    assertEquals(Reason.TIMEOUT, e.reason());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(60)) < 0);
  }

  @Test
  void run_missingProgram_commandFailed() {
    TestkitException e =
        assertThrows(TestkitException.class, () -> Commands.run(List.of("/nonexistent/prog"), Duration.ofSeconds(5)));
    assertEquals(Reason.COMMAND_FAILED, e.reason());
  }

  @Test
  void tail_longText_keepsTheEnd() {
    String text = "x".repeat(5000) + "END";
    String tail = Text.tail(text);
    assertTrue(tail.endsWith("END") && tail.startsWith("…") && tail.length() == Text.TAIL_CHARS + 1);
    assertEquals("short", Text.tail("  short \n"));
  }
}
