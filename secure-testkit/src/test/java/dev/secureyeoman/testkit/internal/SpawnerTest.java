package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpawnerTest {
  @Test
  void startTied_fromAThreadThatEnds_childLivesOn() throws Exception {
    // the parent-death signal follows the spawning thread: spawning from this short-lived thread directly would kill
    // the child as soon as the thread ends; the dedicated spawning thread keeps it alive
    AtomicReference<Process> child = new AtomicReference<>();
    Thread shortLived =
        new Thread(
            () -> {
              try {
                child.set(Spawner.startTied(new ProcessBuilder(Spawner.argv(List.of("sleep", "600"), null, true))));
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    shortLived.start();
    shortLived.join();
    try {
      assertFalse(Poll.until(Duration.ofMillis(500), () -> !child.get().isAlive()), "still alive after its thread ended");
      assertTrue(ProcessTrees.commandLine(child.get().pid()).startsWith("sleep 600"), "setpriv exec'd the command");
    } finally {
      ProcessTrees.kill(child.get().toHandle(), false, Duration.ofSeconds(10));
    }
  }

  @Test
  void argv_userAndTied_setprivSwitchesAndSetsDeathSignal() {
    List<String> argv = Spawner.argv(List.of("postgres", "-D", "x"), new RunAs("postgres", 101, 104), true);
    assertEquals(Spawner.setpriv().orElseThrow().toString(), argv.get(0));
    assertEquals(
        List.of("--reuid=101", "--regid=104", "--clear-groups", "--pdeathsig", "KILL", "--", "postgres", "-D", "x"),
        argv.subList(1, argv.size()));
    assertEquals(List.of("cp", "a", "b"), Spawner.argv(List.of("cp", "a", "b"), null, false));
  }
}
