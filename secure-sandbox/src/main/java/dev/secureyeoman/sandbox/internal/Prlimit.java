package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.LimitEnforcement;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxReport;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the requested limits into what every planner applies: the cgroup limits the run's {@link Containment}
 * enforces, {@code prlimit --RESOURCE=VALUE --} in front of the command for the rlimits, the tmpfs size, and the report
 * entries for all of them (including the limits nothing could apply). One place, shared by the four planners.
 */
public final class Prlimit {
  private static final Map<ResourceLimit, String> OPTIONS = new EnumMap<>(ResourceLimit.class);

  static {
    OPTIONS.put(ResourceLimit.ADDRESS_SPACE, "--as");
    OPTIONS.put(ResourceLimit.CPU_SECONDS, "--cpu");
    OPTIONS.put(ResourceLimit.PROCESSES, "--nproc");
    OPTIONS.put(ResourceLimit.OPEN_FILES, "--nofile");
    OPTIONS.put(ResourceLimit.FILE_SIZE, "--fsize");
  }

  /** Why a run without any limit gets a warning. */
  public static final String NO_LIMITS_WARNING =
      "no resource limits: the command may use all of the host's memory, processes and CPU until the timeout"
          + " (ResourceLimits.untrustedDefaults() is a starting point)";

  private Prlimit() {}

  /**
   * Tells whether util-linux {@code prlimit} is needed for these limits.
   *
   * @param limits the requested limits
   * @param containment the run's cgroups
   * @return true when an rlimit must be set
   */
  public static boolean needed(ResourceLimits limits, Containment containment) {
    for (ResourceLimit r : limits.asMap().keySet()) {
      if (OPTIONS.containsKey(r)) {
        return true;
      }
    }
    return limits.get(ResourceLimit.MEMORY).isPresent()
        && containment.appliedLimits().stream().noneMatch(l -> l.limit() == ResourceLimit.MEMORY);
  }

  /**
   * Appends the {@code prlimit} prefix to {@code argv} and records every requested limit in the report: applied (and
   * how) or not applied (and why).
   *
   * @param argv the command line being built (appended to)
   * @param prlimit the prlimit binary, if found
   * @param limits the requested limits
   * @param containment the run's cgroups (limits they enforce, teardown)
   * @param tmpfsSized whether the backend sized its private tmpfs mounts with {@link ResourceLimit#TMP_SIZE}
   * @param report the report being built
   * @param warnings warnings of the run (appended to)
   */
  public static void apply(
      List<String> argv,
      Optional<Path> prlimit,
      ResourceLimits limits,
      Containment containment,
      boolean tmpfsSized,
      SandboxReport.Builder report,
      List<String> warnings) {
    report.teardown(containment.teardown());
    report.limits(containment.appliedLimits());
    Map<ResourceLimit, String> unapplied = new EnumMap<>(ResourceLimit.class);
    unapplied.putAll(containment.unappliedLimits());
    if (limits.isEmpty()) {
      warnings.add(NO_LIMITS_WARNING);
    }
    Map<ResourceLimit, Long> rlimits = new EnumMap<>(ResourceLimit.class);
    for (Map.Entry<ResourceLimit, Long> e : limits.asMap().entrySet()) {
      if (OPTIONS.containsKey(e.getKey())) {
        rlimits.put(e.getKey(), e.getValue());
      }
    }
    long memory = limits.get(ResourceLimit.MEMORY).orElse(-1);
    boolean memoryByCgroup = containment.appliedLimits().stream().anyMatch(l -> l.limit() == ResourceLimit.MEMORY);
    boolean memoryFallback = memory > 0 && !memoryByCgroup && !rlimits.containsKey(ResourceLimit.ADDRESS_SPACE);
    if (memoryFallback) {
      rlimits.put(ResourceLimit.ADDRESS_SPACE, memory);
    }
    for (Map.Entry<ResourceLimit, Long> e : rlimits.entrySet()) {
      ResourceLimit shown = memoryFallback && e.getKey() == ResourceLimit.ADDRESS_SPACE ? ResourceLimit.MEMORY : e.getKey();
      if (prlimit.isPresent()) {
        report.limits(List.of(new AppliedLimit(shown, e.getValue(), LimitEnforcement.RLIMIT)));
      } else {
        unapplied.putIfAbsent(shown, "util-linux prlimit is not on the search path");
      }
    }
    if (!rlimits.isEmpty() && prlimit.isPresent()) {
      argv.add(prlimit.get().toString());
      rlimits.forEach((r, v) -> argv.add(OPTIONS.get(r) + "=" + v));
      argv.add("--");
      if (memoryFallback) {
        warnings.add(
            "limit MEMORY applied as RLIMIT_AS per process only ("
                + unapplied.remove(ResourceLimit.MEMORY)
                + "): tmpfs pages and forked children are not bounded by it");
      }
    }
    limits.get(ResourceLimit.TMP_SIZE).ifPresent(size -> {
      if (tmpfsSized) {
        report.limits(List.of(new AppliedLimit(ResourceLimit.TMP_SIZE, size, LimitEnforcement.TMPFS_SIZE)));
      } else {
        unapplied.put(ResourceLimit.TMP_SIZE, "this backend has no private /tmp to size");
      }
    });
    report.unappliedLimits(unapplied);
    unapplied.forEach((r, why) -> warnings.add("limit " + r + " not applied: " + why));
  }
}
