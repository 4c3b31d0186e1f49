package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.ResourceLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Applies resource limits by prefixing the command with util-linux {@code prlimit}: shared by every planner. */
public final class Prlimit {
  private Prlimit() {}

  /**
   * Appends {@code prlimit --RESOURCE=VALUE... --} to {@code argv} when there are limits and {@code prlimit} exists.
   *
   * @param argv the command line being built (appended to)
   * @param prlimit the prlimit binary, if found
   * @param limits the requested limits
   * @return the limits that will really be applied: {@code limits}, or none when prlimit is missing (so a report never
   *     claims limits that were not set)
   */
  public static ResourceLimits wrap(List<String> argv, Optional<Path> prlimit, ResourceLimits limits) {
    if (prlimit.isEmpty()) {
      return ResourceLimits.none();
    }
    if (!limits.isEmpty()) {
      argv.add(prlimit.get().toString());
      limits.asMap().forEach((r, v) -> argv.add(r.prlimitOption() + "=" + v));
      argv.add("--");
    }
    return limits;
  }
}
