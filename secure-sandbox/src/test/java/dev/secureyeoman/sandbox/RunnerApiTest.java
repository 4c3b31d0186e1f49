package dev.secureyeoman.sandbox;

import static dev.secureyeoman.sandbox.Sandboxes.RUNNER;
import static dev.secureyeoman.sandbox.Sandboxes.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The runner's API contract: async, blocking, cancellation, concurrency, reports. */
class RunnerApiTest {

  @Test
  void probe_isCachedAndRendersJson() {
    SandboxCapabilities first = RUNNER.probe();
    assertSame(first, RUNNER.probe());
    String json = first.toJson();
    assertTrue(json.startsWith("{\"backends\":[{\"backend\":\"BWRAP\",\"available\":true"), json);
    assertTrue(json.contains("\"best\":\"BWRAP\""), json);
    assertTrue(first.status(SandboxBackend.NONE).available());
  }

  @Test
  void concurrentRuns_areIsolatedFromEachOther() throws Exception {
    List<CompletableFuture<SandboxResult>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(
          RUNNER.runAsync(
              sh("echo \"$1\" > /tmp/mine; ls /tmp | wc -l; cat /tmp/mine", Integer.toString(i)).build()));
    }
    for (int i = 0; i < runs.size(); i++) {
      assertEquals(List.of("1", Integer.toString(i)), runs.get(i).get().stdoutText().lines().toList());
    }
  }

  @Test
  void cancel_killsTheSandbox() throws Exception {
    String token = "876." + (100 + (int) (Math.random() * 800));
    CompletableFuture<SandboxResult> f = RUNNER.runAsync(sh("sleep \"$1\"", token).build());
    ProcessHandle sleeper = null;
    while (sleeper == null) {
      sleeper =
          ProcessHandle.allProcesses()
              .filter(h -> h.info().arguments().map(a -> a.length == 1 && a[0].equals(token)).orElse(false))
              .findFirst()
              .orElse(null);
      Thread.onSpinWait();
    }
    assertTrue(f.cancel(true));
    sleeper.onExit().get();
    assertFalse(sleeper.isAlive());
  }

  @Test
  void blockingRun_interrupted_killsAndRethrows() throws Exception {
    Thread caller = Thread.currentThread();
    Thread interrupter =
        new Thread(
            () -> {
              // the blocking call supervises the run on the caller's thread: it waits with the policy's timeout
              while (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait();
              }
              caller.interrupt();
            });
    interrupter.start();
    assertThrows(InterruptedException.class, () -> RUNNER.run(sh("sleep 600").build()));
    interrupter.join();
  }

  @Test
  void refusal_isFailedFutureInAsyncApi() {
    CompletableFuture<SandboxResult> f =
        RUNNER.runAsync(
            SandboxPolicy.builder("/usr/bin/true").network(NetworkMode.ALLOWLIST).allowDestination("a:1").build());
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertTrue(e.getCause() instanceof SandboxException);
  }

  @Test
  void duration_usesInjectedClock_andResultExposesReport() throws Exception {
    AtomicLong ticks = new AtomicLong();
    Clock fake =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.EPOCH.plusSeconds(7 * ticks.getAndIncrement());
          }
        };
    NamespaceRunner runner = NamespaceRunner.builder().clock(fake).tempDirectory(Path.of("/tmp")).build();
    SandboxResult r = runner.run(sh("exit 3").build());
    assertEquals(Duration.ofSeconds(7), r.duration());
    assertEquals(3, r.exitCode());
    assertFalse(r.succeeded());
    assertTrue(r.signal().isEmpty());
    assertTrue(r.toString().contains("exitCode=3"), r.toString());
    String json = r.report().toJson();
    assertTrue(json.contains("\"backend\":\"BWRAP\""), json);
    assertTrue(json.contains("\"namespaces\":[\"USER\",\"PID\",\"NET\",\"MOUNT\",\"IPC\",\"UTS\",\"CGROUP\"]"), json);
  }

  @Test
  void shellMetacharacters_arePassedVerbatim_neverInterpreted(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path canary = tmp.resolve("injected");
    List<String> hostile =
        List.of("$(touch " + canary + ")", "`touch " + canary + "`", "'; touch " + canary + "; '", "a b\nc", "--");
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/printf", "%s|"));
    cmd.addAll(hostile);
    SandboxResult r = RUNNER.run(SandboxPolicy.builder(cmd).env("X", "$(touch " + canary + ")").build());
    assertEquals(String.join("|", hostile) + "|", r.stdoutText());
    assertFalse(java.nio.file.Files.exists(canary));
  }

  @Test
  void killedBySignal_isDecoded() throws Exception {
    SandboxResult r = RUNNER.run(sh("kill -TERM $$").build());
    assertEquals(143, r.exitCode());
    assertEquals(15, r.signal().getAsInt());
  }

  @Test
  void builderMisuse_isRejected() {
    assertThrows(IllegalStateException.class, () -> NamespaceRunner.builder().clock(Clock.systemUTC()).clock(Clock.systemUTC()));
    assertThrows(IllegalArgumentException.class, () -> NamespaceRunner.builder().searchPath(List.of(Path.of("rel"))));
    assertThrows(
        IllegalStateException.class, () -> NamespaceRunner.builder().searchPath(List.of()).searchPath(List.of()));
    assertThrows(IllegalArgumentException.class, () -> NamespaceRunner.builder().tempDirectory(Path.of("rel")));
    assertThrows(
        IllegalStateException.class,
        () -> NamespaceRunner.builder().tempDirectory(Path.of("/tmp")).tempDirectory(Path.of("/tmp")));
    assertThrows(
        IllegalStateException.class,
        () -> NamespaceRunner.builder().backend(SandboxBackend.BWRAP).backend(SandboxBackend.NONE));
    assertThrows(IllegalArgumentException.class, () -> NamespaceRunner.builder().runAs(0, 0));
    assertThrows(IllegalStateException.class, () -> NamespaceRunner.builder().runAs(1000, 1000).runAs(1000, 1000));
  }
}
