package dev.secureyeoman.cli;

import dev.secureyeoman.sandbox.NamespaceRunner;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxCapabilities;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxResult;
import dev.secureyeoman.sandbox.SeccompProfile;
import dev.secureyeoman.sandbox.seccomp.KernelSupport;
import dev.secureyeoman.sandbox.seccomp.SeccompProbe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code secureyeoman sandbox probe|run}: run commands in Linux namespaces (see docs/sandbox.md). */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description = "Run untrusted commands in Linux namespaces and report what the kernel applied.",
    subcommands = {SandboxCommand.Probe.class, SandboxCommand.Run.class})
public final class SandboxCommand implements Runnable {

  /** Exit status of {@code sandbox run} when the command was killed at its timeout (as coreutils timeout does). */
  public static final int EXIT_TIMEOUT = 124;

  /** Environment variable naming the probe cache file, or {@code off} to probe on every call. */
  public static final String PROBE_CACHE_ENV = "SECUREYEOMAN_SANDBOX_PROBE_CACHE";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public SandboxCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (probe, run)");
  }

  /**
   * The runner of the CLI: keeps the backend probe in a per-user cache file (per boot and tool version) so that a
   * {@code sandbox run} does not pay a full probe on every call. {@value #PROBE_CACHE_ENV} names another file, or
   * {@code off}; the default is {@code $XDG_CACHE_HOME/secureyeoman/sandbox-probe.properties}, else {@code
   * ~/.cache/secureyeoman/sandbox-probe.properties}.
   */
  static NamespaceRunner runner() {
    return runner(null);
  }

  static NamespaceRunner runner(SandboxBackend backend) {
    NamespaceRunner.Builder b = NamespaceRunner.builder().backend(backend);
    String configured = System.getenv(PROBE_CACHE_ENV);
    if ("off".equals(configured)) {
      return b.build();
    }
    Path file;
    if (configured != null && !configured.isBlank()) {
      file = Path.of(configured).toAbsolutePath();
    } else {
      String xdg = System.getenv("XDG_CACHE_HOME");
      Path base =
          xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
      file = base.resolve("secureyeoman").resolve("sandbox-probe.properties");
    }
    return b.probeCache(file).build();
  }

  /** {@code sandbox probe [--json]}: always probes afresh (and refreshes the cache {@code sandbox run} uses). */
  @Command(
      name = "probe",
      mixinStandardHelpOptions = true,
      description = "Probe the sandbox backends this host offers (refreshes the probe cache).")
  static final class Probe implements Callable<Integer> {
    @Option(names = "--json", description = "Print the capabilities as JSON (camelCase keys).")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      SandboxCapabilities caps = runner().reprobe();
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
      mixinStandardHelpOptions = true,
      description = {
        "Run CMD in the sandbox; exits with CMD's status, " + EXIT_TIMEOUT + " on timeout.",
        "Limits default to 512 MiB memory, 128 processes, 60 CPU seconds, 128 MiB /tmp; 0 turns one off.",
        "What the kernel could not apply is printed as 'secureyeoman: warning:' lines on stderr."
      })
  static final class Run implements Callable<Integer> {
    @Option(names = "--workspace", paramLabel = "DIR", description = "Directory bound read-write; CMD starts in it.")
    Path workspace;

    @Option(names = "--network", paramLabel = "none|host", description = "Network mode (default: none).")
    String network = "none";

    @Option(
        names = "--allow-exec",
        paramLabel = "PATH",
        description = {
          "Only these executables may be started by name (repeatable). Under BWRAP this is a mount view: the standard"
              + " bin directories hold only these files, but interpreters, programs elsewhere (/usr/lib, the dynamic"
              + " loader) and files CMD writes or copies to /tmp or the workspace can still run. Only the Landlock"
              + " mode of UNSHARE_LANDLOCK enforces it in the kernel: execve of anything else fails with EACCES and"
              + " executable memfds are refused, but the dynamic loader of an allowed binary, run directly, can still"
              + " load another program (allow only static binaries where that matters)."
        })
    List<Path> allowExec = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Wall-clock timeout (default: 30).")
    long timeoutSeconds = 30;

    @Option(
        names = "--memory",
        paramLabel = "MB",
        description = "Memory of the whole run in MiB, tmpfs pages and children included (memory cgroup; default 512).")
    Long memoryMb;

    @Option(names = "--processes", paramLabel = "N", description = "Processes and threads (pids cgroup; default 128).")
    Long processes;

    @Option(
        names = "--cpu-seconds",
        paramLabel = "N",
        description = "CPU seconds of the whole run (cgroup accounting) and of each process (RLIMIT_CPU; default 60).")
    Long cpuSeconds;

    @Option(names = "--tmp-size", paramLabel = "MB", description = "Size of /tmp and of /dev/shm in MiB (default 128).")
    Long tmpSizeMb;

    @Option(
        names = "--seccomp-profile",
        paramLabel = "strict|docker",
        description = "strict (default) or docker: Docker's default profile (ptrace, AF_UNIX, ...) for debuggers.")
    String seccompProfile = "strict";

    @Option(names = "--report", description = "Print what the kernel applied as JSON to stderr after the run.")
    boolean report;

    @Option(
        names = "--backend",
        paramLabel = "auto|bwrap|unshare",
        description = "Force a backend instead of the strongest available one (default: auto).")
    String backend = "auto";

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "Command and arguments (after --).")
    List<String> command;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SandboxException, InterruptedException {
      SandboxPolicy policy = policy();
      SandboxBackend forced;
      try {
        forced = SandboxBackend.fromConfig(backend);
      } catch (IllegalArgumentException e) {
        throw new CliUsageException("--backend must be auto, bwrap or unshare, got '" + backend + "'");
      }
      if (forced == SandboxBackend.NONE) {
        throw new CliUsageException("--backend must be auto, bwrap or unshare, got '" + backend + "'");
      }
      SandboxResult r = runner(forced).run(policy);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      out.print(r.stdoutText());
      out.flush();
      err.print(r.stderrText());
      for (String w : r.report().warnings()) {
        err.println("secureyeoman: warning: " + SecureYeomanCli.oneLine(w));
      }
      if (r.stdoutTruncated() || r.stderrTruncated()) {
        err.println("secureyeoman: output truncated at " + SandboxPolicy.DEFAULT_OUTPUT_LIMIT + " bytes per stream");
      }
      if (r.events().oomKills() > 0) {
        err.println(
            "secureyeoman: the kernel's OOM killer ended "
                + r.events().oomKills()
                + " process(es) of the run (memory limit "
                + policy.limits().get(ResourceLimit.MEMORY).orElse(0) / (1024 * 1024)
                + " MiB)");
      }
      if (r.events().cpuTimeExceeded()) {
        err.println(
            "secureyeoman: killed after using more than "
                + policy.limits().get(ResourceLimit.CPU_SECONDS).orElse(0)
                + " CPU seconds");
      }
      if (r.events().lingeringProcessesKilled() > 0) {
        err.println(
            "secureyeoman: killed "
                + r.events().lingeringProcessesKilled()
                + " process(es) that outlived the command");
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
        SeccompProfile profile;
        switch (seccompProfile.toLowerCase(Locale.ROOT)) {
          case "strict":
            profile = SeccompProfile.STRICT;
            break;
          case "docker":
            profile = SeccompProfile.DOCKER_COMPATIBLE;
            break;
          default:
            throw new CliUsageException("--seccomp-profile must be strict or docker, got '" + seccompProfile + "'");
        }
        SandboxPolicy.Builder b =
            SandboxPolicy.builder(command)
                .network(mode)
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .seccompProfile(profile)
                .limits(limits());
        if (workspace != null) {
          b.workspace(workspace.toAbsolutePath().normalize());
        }
        for (Path p : allowExec) {
          b.allowExec(p.toAbsolutePath());
        }
        return b.build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new CliUsageException(e.getMessage());
      }
    }

    /** {@link ResourceLimits#untrustedDefaults()} with the options applied; 0 removes a limit. */
    ResourceLimits limits() {
      Map<ResourceLimit, Long> values = new java.util.EnumMap<>(ResourceLimits.untrustedDefaults().asMap());
      override(values, ResourceLimit.MEMORY, memoryMb, "--memory", 1024L * 1024);
      override(values, ResourceLimit.PROCESSES, processes, "--processes", 1);
      override(values, ResourceLimit.CPU_SECONDS, cpuSeconds, "--cpu-seconds", 1);
      override(values, ResourceLimit.TMP_SIZE, tmpSizeMb, "--tmp-size", 1024L * 1024);
      ResourceLimits.Builder b = ResourceLimits.builder();
      values.forEach(b::set);
      return b.build();
    }

    private static void override(Map<ResourceLimit, Long> values, ResourceLimit r, Long v, String option, long unit) {
      if (v == null) {
        return;
      }
      if (v < 0 || v > Long.MAX_VALUE / unit) {
        throw new CliUsageException(option + " must be 0 (no limit) or a positive number, got " + v);
      }
      if (v == 0) {
        values.remove(r);
      } else {
        values.put(r, v * unit);
      }
    }
  }
}
