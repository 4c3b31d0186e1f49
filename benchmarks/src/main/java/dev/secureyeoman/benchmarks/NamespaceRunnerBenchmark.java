package dev.secureyeoman.benchmarks;

import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.internal.DefaultSeccompSupport;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.bwrap.BwrapPlanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does {@link NamespaceRunner} add over launching the very same bwrap command line (seccomp program on
 * fd 3, unprivileged identity on a root host) with a bare {@link ProcessBuilder}, and what does the sandbox cost over a
 * plain spawn of {@code /bin/true}? Target: runner ≤ 1.15 × bare bwrap.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar NamespaceRunnerBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class NamespaceRunnerBenchmark {
  private NamespaceRunner runner;
  private SandboxPolicy policy;
  private List<String> bareBwrap;
  private Path program;

  /**
   * Probes the runner and builds the equivalent bare bwrap command line once.
   *
   * @throws IOException when the seccomp program cannot be written
   */
  @Setup
  public void setup() throws IOException {
    runner = NamespaceRunner.create();
    if (runner.probe().bestIsolatingBackend().orElse(SandboxBackend.NONE) != SandboxBackend.BWRAP) {
      throw new IllegalStateException("bwrap is needed: " + runner.probe().toJson());
    }
    policy = SandboxPolicy.builder("/usr/bin/true").build();
    program = Files.createTempFile("bench-seccomp", ".bpf");
    Files.write(program, new DefaultSeccompSupport().programFor(policy).orElseThrow());
    int euid = Identity.currentEffectiveUid();
    BwrapPlanner planner =
        new BwrapPlanner(
            Path.of("/usr/bin/bwrap"),
            Path.of("/usr/bin/sh"),
            Optional.of(Path.of("/usr/bin/prlimit")),
            Path.of("/"),
            euid == 0 ? Optional.of(Identity.NOBODY) : Optional.empty(),
            Optional.of(Path.of("/usr/bin/setpriv")),
            euid,
            Path.of("/tmp"));
    bareBwrap = planner.plan(policy, Optional.of(program), Map.of(), new ArrayList<>()).argv();
  }

  /**
   * Removes the seccomp program file.
   *
   * @throws IOException when it cannot be deleted
   */
  @TearDown
  public void tearDown() throws IOException {
    Files.deleteIfExists(program);
  }

  /**
   * Baseline: {@code /bin/true} without any sandbox.
   *
   * @return the exit status
   * @throws Exception when the spawn fails
   */
  @Benchmark
  public int plainSpawn() throws Exception {
    return spawn(List.of("/usr/bin/true"));
  }

  /**
   * The runner's own bwrap command line, launched and awaited with a bare ProcessBuilder.
   *
   * @return the exit status
   * @throws Exception when the spawn fails
   */
  @Benchmark
  public int bareBwrap() throws Exception {
    return spawn(bareBwrap);
  }

  /**
   * The full runner: policy checks, dedicated platform thread, output capture, report.
   *
   * @return the exit status
   * @throws Exception when the run fails
   */
  @Benchmark
  public int namespaceRunner() throws Exception {
    SandboxResult r = runner.run(policy);
    return r.exitCode();
  }

  private static int spawn(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    p.getInputStream().readAllBytes();
    p.getErrorStream().readAllBytes();
    return p.waitFor();
  }
}
