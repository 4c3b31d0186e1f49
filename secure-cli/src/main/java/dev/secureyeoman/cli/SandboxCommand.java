package dev.secureyeoman.cli;

import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxCapabilities;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.seccomp.KernelSupport;
import dev.secureyeoman.sandbox.seccomp.SeccompProbe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code secureyeoman sandbox probe|run}: run commands in Linux namespaces (see docs/sandbox.md). */
@Command(
    name = "sandbox",
    description = "Run untrusted commands in Linux namespaces and report what the kernel applied.",
    subcommands = {SandboxCommand.Probe.class, SandboxCommand.Run.class})
public final class SandboxCommand implements Runnable {

  /** Exit status of {@code sandbox run} when the command was killed at its timeout (as coreutils timeout does). */
  public static final int EXIT_TIMEOUT = 124;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public SandboxCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (probe, run)");
  }

  /** {@code sandbox probe [--json]}. */
  @Command(name = "probe", description = "Probe the sandbox backends this host offers.")
  static final class Probe implements Callable<Integer> {
    @Option(names = "--json", description = "Print the capabilities as JSON.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      SandboxCapabilities caps = NamespaceRunner.create().probe();
      KernelSupport kernel = SeccompProbe.probe();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        String backends = caps.toJson();
        out.println(backends.substring(0, backends.length() - 1) + ",\"kernel\":" + kernel.toJson() + "}");
      } else {
        for (SandboxCapabilities.BackendStatus s : caps.backends()) {
          out.printf("%-17s %-11s %s%n", s.backend(), s.available() ? "available" : "unavailable", s.detail());
        }
        out.println("best isolating backend: " + caps.bestIsolatingBackend().map(Enum::name).orElse("none"));
        out.println(
            "seccomp filter: "
                + (caps.seccompAvailable() ? "available" : "unavailable")
                + " (arch "
                + kernel.arch()
                + ", TSYNC "
                + (kernel.tsync() ? "yes" : "no")
                + ")");
        out.println("landlock: " + (kernel.landlock() ? "ABI " + kernel.landlockAbi() : "unavailable"));
        out.println("network allowlist: refused (" + caps.networkAllowlistRefusal() + ")");
      }
      out.flush();
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code sandbox run [options] -- CMD [ARGS...]}. */
  @Command(
      name = "run",
      description = "Run CMD in the sandbox; exits with CMD's status, " + EXIT_TIMEOUT + " on timeout.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--workspace", paramLabel = "DIR", description = "Directory bound read-write; CMD starts in it.")
    Path workspace;

    @Option(names = "--network", paramLabel = "none|host", description = "Network mode (default: none).")
    String network = "none";

    @Option(names = "--allow-exec", paramLabel = "PATH", description = "Only these executables may run (repeatable).")
    List<Path> allowExec = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Wall-clock timeout (default: 30).")
    long timeoutSeconds = 30;

    @Option(names = "--memory", paramLabel = "MB", description = "Address-space limit in MiB.")
    Long memoryMb;

    @Option(names = "--report", description = "Print what the kernel applied as JSON to stderr after the run.")
    boolean report;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "Command and arguments (after --).")
    List<String> command;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SandboxException, InterruptedException {
      SandboxPolicy policy = policy();
      SandboxResult r = NamespaceRunner.create().run(policy);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      out.print(r.stdoutText());
      out.flush();
      err.print(r.stderrText());
      if (r.stdoutTruncated() || r.stderrTruncated()) {
        err.println("secureyeoman: output truncated at " + SandboxPolicy.DEFAULT_OUTPUT_LIMIT + " bytes per stream");
      }
      if (r.timedOut()) {
        err.println("secureyeoman: killed after the " + timeoutSeconds + " s timeout");
      }
      if (report) {
        err.println(r.report().toJson());
      }
      err.flush();
      return r.timedOut() ? EXIT_TIMEOUT : r.exitCode();
    }

    SandboxPolicy policy() {
      try {
        NetworkMode mode = NetworkMode.parse(network);
        if (mode == NetworkMode.ALLOWLIST) {
          throw new CliUsageException("--network must be none or host");
        }
        if (timeoutSeconds < 1) {
          throw new CliUsageException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        SandboxPolicy.Builder b =
            SandboxPolicy.builder(command).network(mode).timeout(Duration.ofSeconds(timeoutSeconds));
        if (workspace != null) {
          b.workspace(workspace.toAbsolutePath());
        }
        for (Path p : allowExec) {
          b.allowExec(p.toAbsolutePath());
        }
        if (memoryMb != null) {
          b.limits(ResourceLimits.builder().addressSpaceMiB(memoryMb).build());
        }
        return b.build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new CliUsageException(e.getMessage());
      }
    }
  }
}
