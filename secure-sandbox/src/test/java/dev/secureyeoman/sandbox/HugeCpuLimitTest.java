package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Red-team: a CPU limit in seconds whose nanoseconds do not fit a long (the builder accepts it) must run with the limit
 * applied, not fail with an untyped {@code ArithmeticException("long overflow")} (the CLI printed {@code error: long
 * overflow}).
 */
class HugeCpuLimitTest {
  @Test
  void cpuSecondsBeyondLongNanos_runs_withTheLimitApplied() throws Exception {
    assumeTrue(Sandboxes.RUNNER.probe().status(SandboxBackend.BWRAP).available(), Sandboxes.RUNNER.probe().toJson());
    long seconds = Long.MAX_VALUE / 1_000; // > Long.MAX_VALUE / 1e9
    SandboxResult r =
        Sandboxes.RUNNER.run(
            Sandboxes.sh("echo ok")
                .limits(ResourceLimits.builder().cpuSeconds(seconds).build())
                .build());
    assertEquals("ok", r.stdoutText().strip(), r.toString());
    assertFalse(r.report().enforcementOf(ResourceLimit.CPU_SECONDS).isEmpty(), r.report().toJson());
  }
}
