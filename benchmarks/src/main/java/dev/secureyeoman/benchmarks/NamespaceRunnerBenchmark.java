package dev.secureyeoman.benchmarks;

import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.Teardown;
import dev.secureyeoman.sandbox.internal.Containment;
import dev.secureyeoman.sandbox.internal.DefaultSeccompSupport;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.LaunchPlan;
import dev.secureyeoman.sandbox.internal.RunSetup;
import dev.secureyeoman.sandbox.internal.bwrap.BwrapPlanner;
import java.io.OutputStream;
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

/**
 * Question: what does {@link NamespaceRunner} add over launching the very same bwrap command line (launcher script,
 * seccomp program written to its standard input, unprivileged identity on a root host, read-only /proc and /dev) with a
 * bare {@link ProcessBuilder}, now that every run also takes a uid from the pool, creates, joins, checks and removes its
 * cgroups and hands its workspace over; and what does the sandbox cost over a plain spawn of {@code /bin/true}? Target:
 * runner ≤ 1.15 × bare bwrap. The {@code …UntrustedDefaults} pair compares the same with the CLI's default limits
 * (the bare variant applies the rlimits and tmpfs sizes, the runner additionally the memory and pids cgroups).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar NamespaceRunnerBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class NamespaceRunnerBenchmark {
  private NamespaceRunner runner;
  private SandboxPolicy policy;
  private SandboxPolicy limited;
  private LaunchPlan bare;
  private LaunchPlan bareLimited;

  /** Probes the runner and builds the equivalent bare bwrap command lines once. */
  @Setup
  public void setup() {
    runner = NamespaceRunner.create();
    if (runner.probe().bestIsolatingBackend().orElse(SandboxBackend.NONE) != SandboxBackend.BWRAP) {
      throw new IllegalStateException("bwrap is needed: " + runner.probe().toJson());
    }
    policy = SandboxPolicy.builder("/usr/bin/true").build();
    limited = policy.toBuilder().limits(ResourceLimits.untrustedDefaults()).build();
    int euid = Identity.currentEffectiveUid();
    BwrapPlanner planner =
        new BwrapPlanner(
            Path.of("/usr/bin/bwrap"),
            Path.of("/usr/bin/sh"),
            Optional.of(Path.of("/usr/bin/prlimit")),
            Path.of("/"),
            Optional.of(Path.of("/usr/bin/setpriv")),
            euid,
            Path.of("/tmp"));
    DefaultSeccompSupport seccomp = new DefaultSeccompSupport();
    Optional<Identity> nobody = euid == 0 ? Optional.of(new Identity(65534, 65534)) : Optional.empty();
    Containment none = Containment.none(Teardown.PID_NAMESPACE, Map.of());
    bare = planner.plan(policy, new RunSetup(nobody, none, seccomp.programFor(policy)), Map.of(), new ArrayList<>());
    bareLimited =
        planner.plan(limited, new RunSetup(nobody, none, seccomp.programFor(limited)), Map.of(), new ArrayList<>());
  }

  /** Nothing to clean up: no file is written (the seccomp program goes through a pipe). */
  public void tearDown() {}

  /**
   * Baseline: {@code /bin/true} without any sandbox.
   *
   * @return the exit status
   * @throws Exception when the spawn fails
   */
  @Benchmark
  public int plainSpawn() throws Exception {
    return spawn(List.of("/usr/bin/true"), Optional.empty());
  }

  /**
   * The runner's own bwrap command line, launched and awaited with a bare ProcessBuilder (no cgroup, no pool).
   *
   * @return the exit status
   * @throws Exception when the spawn fails
   */
  @Benchmark
  public int bareBwrap() throws Exception {
    return spawn(bare.argv(), bare.stdin());
  }

  /**
   * The full runner: policy checks, a pool uid, the run's cgroup (created, joined, checked empty, removed), dedicated
   * platform thread, output capture, report.
   *
   * @return the exit status
   * @throws Exception when the run fails
   */
  @Benchmark
  public int namespaceRunner() throws Exception {
    SandboxResult r = runner.run(policy);
    return r.exitCode();
  }

  /**
   * The bare command line with the CLI's default limits as rlimits and tmpfs sizes.
   *
   * @return the exit status
   * @throws Exception when the spawn fails
   */
  @Benchmark
  public int bareBwrapUntrustedDefaults() throws Exception {
    return spawn(bareLimited.argv(), bareLimited.stdin());
  }

  /**
   * The runner with the CLI's default limits (memory and pids cgroups on top).
   *
   * @return the exit status
   * @throws Exception when the run fails
   */
  @Benchmark
  public int namespaceRunnerUntrustedDefaults() throws Exception {
    return runner.run(limited).exitCode();
  }

  private static int spawn(List<String> argv, Optional<byte[]> stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv).directory(new java.io.File("/"));
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    if (stdin.isEmpty()) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p = pb.start();
    if (stdin.isPresent()) {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.get());
      }
    }
    p.getInputStream().readAllBytes();
    p.getErrorStream().readAllBytes();
    return p.waitFor();
  }
}
