package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds an unisolated launch ({@link SandboxBackend#NONE}): cleared environment, the run's cgroups and rlimits only. */
public final class DirectPlanner {
  private final Optional<Path> prlimit;
  private final Optional<Path> setpriv;
  private final Path shell;
  private final Path defaultDirectory;
  private final int callerUid;

  /**
   * Creates a planner.
   *
   * @param prlimit util-linux prlimit when found
   * @param setpriv util-linux setpriv when found (parent-death signal, identity switch)
   * @param shell {@code /bin/sh} for the launcher script that joins the run's cgroups
   * @param defaultDirectory working directory when the policy has no workspace
   * @param callerUid the JVM's effective uid
   */
  public DirectPlanner(
      Optional<Path> prlimit, Optional<Path> setpriv, Path shell, Path defaultDirectory, int callerUid) {
    this.callerUid = callerUid;
    this.prlimit = prlimit;
    this.setpriv = setpriv;
    this.shell = shell;
    this.defaultDirectory = defaultDirectory;
  }

  /**
   * Plans one run.
   *
   * @param policy the policy
   * @param setup identity and cgroups of the run
   * @param skipped backends skipped before this one
   * @param warnings warnings so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(
      SandboxPolicy policy, RunSetup setup, Map<SandboxBackend, String> skipped, List<String> warnings) {
    if (setup.identity().isPresent() && setpriv.isEmpty()) {
      throw new IllegalStateException("setpriv is required to run as " + setup.identity().get());
    }
    SandboxReport.Builder report = SandboxReport.builder(SandboxBackend.NONE);
    List<String> tail = new ArrayList<>();
    Prlimit.apply(tail, prlimit, policy.limits(), setup.containment(), false, report, warnings);
    List<String> a = new ArrayList<>();
    a.addAll(Launcher.prefix(shell, setup.containment().joinFiles()));
    if (setpriv.isPresent()) {
      a.add(setpriv.get().toString());
      a.add("--pdeathsig");
      a.add("KILL");
      setup.identity().ifPresent(id -> id.appendSetprivOptions(a));
      a.add("--");
    }
    a.addAll(tail);
    a.addAll(policy.command());
    warnings.add("NO ISOLATION: the command runs with the host's namespaces, file system and network");
    if (policy.seccomp()) {
      warnings.add("seccomp not applied by the NONE backend");
    }
    Path dir = policy.workspace().orElse(defaultDirectory);
    report
        .hostUid(setup.identity().map(Identity::uid).orElse(callerUid))
        .network(NetworkMode.HOST)
        .workingDirectory(dir.toString())
        .skippedBackends(skipped)
        .warnings(warnings);
    Path cwd = policy.workspace().isPresent() ? setup.workspaceSource().map(Path::of).orElse(dir) : dir;
    return new LaunchPlan(a, cwd, policy.environment(), report.build(), ThreadSetup.NONE);
  }
}
