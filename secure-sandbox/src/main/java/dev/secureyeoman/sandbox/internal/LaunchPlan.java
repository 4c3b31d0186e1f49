package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fully resolved process launch: argument vector (never a shell string built from input), working directory,
 * environment of the launched process, and the report of what the launch applies.
 *
 * @param argv the argument vector
 * @param directory host working directory of the launched process
 * @param environment complete environment of the launched process
 * @param report what this launch applies
 * @param threadSetup restrictions applied to the spawning thread before the start
 * @param stdin bytes written to the launched process's standard input, then closed (the seccomp program for bwrap);
 *     empty for {@code /dev/null}
 * @param bwrapStatus whether standard error starts with bwrap's JSON status (init pid and namespaces) and ends with its
 *     exit-code document, both of which the runner removes
 */
public record LaunchPlan(
    List<String> argv,
    Path directory,
    Map<String, String> environment,
    SandboxReport report,
    ThreadSetup threadSetup,
    Optional<byte[]> stdin,
    boolean bwrapStatus) {
  /**
   * Copies the components.
   *
   * @param argv argument vector
   * @param directory working directory
   * @param environment environment
   * @param report report
   * @param threadSetup thread setup
   * @param stdin standard input bytes
   * @param bwrapStatus bwrap status on stderr
   */
  public LaunchPlan {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
    java.util.Objects.requireNonNull(threadSetup, "threadSetup");
    stdin = stdin.map(byte[]::clone);
  }

  /**
   * Creates a plan whose standard input is {@code /dev/null}.
   *
   * @param argv argument vector
   * @param directory working directory
   * @param environment environment
   * @param report report
   * @param threadSetup thread setup
   */
  public LaunchPlan(
      List<String> argv, Path directory, Map<String, String> environment, SandboxReport report, ThreadSetup threadSetup) {
    this(argv, directory, environment, report, threadSetup, Optional.empty(), false);
  }
}
