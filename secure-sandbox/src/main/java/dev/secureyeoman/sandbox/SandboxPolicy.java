package dev.secureyeoman.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Immutable description of one sandboxed command and the isolation it asks for. Built with {@link #builder(String, String...)};
 * derive variants with {@link #toBuilder()}.
 *
 * <pre>{@code
 * SandboxPolicy policy = SandboxPolicy.builder("/usr/bin/python3", "job.py")
 *     .workspace(Path.of("/srv/jobs/42"))
 *     .limits(ResourceLimits.untrustedDefaults())
 *     .timeout(Duration.ofSeconds(20))
 *     .build();
 * }</pre>
 *
 * <p>Defaults are the safe choice: no network ({@link NetworkMode#NONE}), empty environment except {@code PATH}, {@code
 * HOME=/tmp} and {@code LANG=C.UTF-8}, seccomp default profile with {@code socket(AF_UNIX)} denied (a read-only bind does
 * not stop {@code connect()} to a host unix socket), 30 s timeout, 1 MiB of captured output per stream, and isolation
 * required.
 */
public final class SandboxPolicy {

  /** Default wall-clock timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Longest accepted wall-clock timeout. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  /** Default cap on captured bytes per output stream. */
  public static final int DEFAULT_OUTPUT_LIMIT = 1024 * 1024;

  /** Largest accepted cap on captured bytes per output stream. */
  public static final int MAX_OUTPUT_LIMIT = 64 * 1024 * 1024;

  /** Where the workspace appears inside a mount-namespace sandbox (the command's working directory). */
  public static final String WORKSPACE_MOUNT_POINT = "/workspace";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern DESTINATION = Pattern.compile("[A-Za-z0-9.-]{1,253}:[0-9]{1,5}");

  /**
   * A read-only bind mount added on top of the read-only root.
   *
   * @param source host path
   * @param target absolute path inside the sandbox
   */
  public record ReadOnlyBind(Path source, Path target) {
    /**
     * Validates the bind.
     *
     * @param source host path, absolute
     * @param target sandbox path, absolute
     */
    public ReadOnlyBind {
      requireAbsolute(source, "readOnlyBind.source");
      requireAbsolute(target, "readOnlyBind.target");
    }
  }

  private final List<String> command;
  private final @Nullable Path workspace;
  private final List<ReadOnlyBind> readOnlyBinds;
  private final List<Path> hiddenPaths;
  private final Map<String, String> environment;
  private final NetworkMode network;
  private final Set<String> allowedDestinations;
  private final List<Path> execAllowlist;
  private final boolean seccomp;
  private final SeccompProfile seccompProfile;
  private final @Nullable Boolean unixSocketsChoice; // null: the profile's default
  private final boolean hideWorkspaceSiblings;
  private final ResourceLimits limits;
  private final Duration timeout;
  private final int stdoutLimit;
  private final int stderrLimit;
  private final boolean requireIsolation;
  private final String hostname;

  private SandboxPolicy(Builder b) {
    this.command = List.copyOf(b.command);
    this.workspace = b.workspace;
    this.readOnlyBinds = List.copyOf(b.readOnlyBinds);
    this.hiddenPaths = List.copyOf(b.hiddenPaths);
    this.environment = Collections.unmodifiableMap(new TreeMap<>(b.environment));
    this.network = b.network;
    this.allowedDestinations = Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedDestinations));
    this.execAllowlist = List.copyOf(b.execAllowlist);
    this.seccomp = b.seccomp;
    this.seccompProfile = b.seccompProfile;
    this.unixSocketsChoice = b.unixSockets;
    this.hideWorkspaceSiblings = b.hideWorkspaceSiblings;
    this.limits = b.limits;
    this.timeout = b.timeout;
    this.stdoutLimit = b.stdoutLimit;
    this.stderrLimit = b.stderrLimit;
    this.requireIsolation = b.requireIsolation;
    this.hostname = b.hostname;
  }

  /**
   * Starts a builder for a command.
   *
   * @param program the program (absolute path recommended; a bare name is looked up on the sandbox's {@code PATH})
   * @param args its arguments, passed verbatim (never through a shell)
   * @return a new builder with safe defaults
   */
  public static Builder builder(String program, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(program);
    cmd.addAll(List.of(Objects.requireNonNull(args, "args")));
    return new Builder(cmd);
  }

  /**
   * Starts a builder for a command line.
   *
   * @param command program followed by its arguments
   * @return a new builder with safe defaults
   */
  public static Builder builder(List<String> command) {
    return new Builder(new ArrayList<>(Objects.requireNonNull(command, "command")));
  }

  /**
   * Returns a builder holding this policy's values; each option may be set once more on it.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the command line.
   *
   * @return program followed by arguments
   */
  public List<String> command() {
    return command;
  }

  /**
   * Returns the host directory bound read-write as the working directory.
   *
   * @return the workspace, or empty when the command gets none (it then starts in {@code /tmp})
   */
  public Optional<Path> workspace() {
    return Optional.ofNullable(workspace);
  }

  /**
   * Returns extra read-only binds.
   *
   * @return the binds in mount order
   */
  public List<ReadOnlyBind> readOnlyBinds() {
    return readOnlyBinds;
  }

  /**
   * Returns host paths hidden from the command (an empty tmpfs over a directory, {@code /dev/null} over a file).
   *
   * @return the hidden paths
   */
  public List<Path> hiddenPaths() {
    return hiddenPaths;
  }

  /**
   * Returns the complete environment of the command (nothing is inherited from the host).
   *
   * @return name to value, sorted by name
   */
  public Map<String, String> environment() {
    return environment;
  }

  /**
   * Returns the network mode.
   *
   * @return the mode
   */
  public NetworkMode network() {
    return network;
  }

  /**
   * Returns the {@code host:port} destinations for {@link NetworkMode#ALLOWLIST}.
   *
   * @return the destinations, empty for other modes
   */
  public Set<String> allowedDestinations() {
    return allowedDestinations;
  }

  /**
   * Returns the executables the command may run; empty means unrestricted.
   *
   * @return absolute paths
   */
  public List<Path> execAllowlist() {
    return execAllowlist;
  }

  /**
   * Tells whether the default seccomp profile is requested.
   *
   * @return {@code true} unless disabled
   */
  public boolean seccomp() {
    return seccomp;
  }

  /**
   * Returns the seccomp profile used when {@link #seccomp()} is on.
   *
   * @return {@link SeccompProfile#STRICT} by default
   */
  public SeccompProfile seccompProfile() {
    return seccompProfile;
  }

  /**
   * Tells whether {@code socket(AF_UNIX)} (and datagram {@code socketpair}) stay allowed under seccomp.
   *
   * @return {@code false} by default; {@code true} by default with {@link SeccompProfile#DOCKER_COMPATIBLE}
   */
  public boolean unixSockets() {
    return unixSocketsChoice != null ? unixSocketsChoice : seccompProfile == SeccompProfile.DOCKER_COMPATIBLE;
  }

  /**
   * Tells whether the workspace's parent directory is covered by an empty tmpfs inside the sandbox, so that sibling
   * workspaces of other runs are not even visible.
   *
   * @return {@code true} by default
   */
  public boolean hideWorkspaceSiblings() {
    return hideWorkspaceSiblings;
  }

  /**
   * Returns the resource limits.
   *
   * @return the limits, possibly empty
   */
  public ResourceLimits limits() {
    return limits;
  }

  /**
   * Returns the wall-clock timeout after which the whole sandbox is killed.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Returns the cap on captured standard-output bytes.
   *
   * @return bytes
   */
  public int stdoutLimit() {
    return stdoutLimit;
  }

  /**
   * Returns the cap on captured standard-error bytes.
   *
   * @return bytes
   */
  public int stderrLimit() {
    return stderrLimit;
  }

  /**
   * Tells whether the runner must refuse to run without namespace isolation.
   *
   * @return {@code true} by default
   */
  public boolean requireIsolation() {
    return requireIsolation;
  }

  /**
   * Returns the hostname inside the sandbox's UTS namespace.
   *
   * @return the hostname
   */
  public String hostname() {
    return hostname;
  }

  @Override
  public String toString() {
    // arguments and environment values may hold secrets: only the program and the shape are printed
    return "SandboxPolicy{program="
        + command.get(0)
        + ", args="
        + (command.size() - 1)
        + ", workspace="
        + workspace
        + ", network="
        + network
        + ", execAllowlist="
        + execAllowlist
        + ", seccomp="
        + (seccomp ? seccompProfile : "off")
        + ", limits="
        + limits
        + ", timeout="
        + timeout
        + ", requireIsolation="
        + requireIsolation
        + "}";
  }

  private static Path requireAbsolute(Path p, String name) {
    Objects.requireNonNull(p, name);
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException(name + " must be an absolute path, got '" + p + "'");
    }
    return p.normalize();
  }

  private static void requireNoNul(String s, String name) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(name + " must not contain NUL characters");
    }
  }

  /** Validating builder. Each scalar option may be set once; list options accumulate. */
  public static final class Builder {
    private final List<String> command;
    private @Nullable Path workspace;
    private final List<ReadOnlyBind> readOnlyBinds;
    private final List<Path> hiddenPaths;
    private final Map<String, String> environment;
    private NetworkMode network = NetworkMode.NONE;
    private final Set<String> allowedDestinations;
    private final List<Path> execAllowlist;
    private boolean seccomp = true;
    private SeccompProfile seccompProfile = SeccompProfile.STRICT;
    private @Nullable Boolean unixSockets;
    private boolean hideWorkspaceSiblings = true;
    private ResourceLimits limits = ResourceLimits.none();
    private Duration timeout = DEFAULT_TIMEOUT;
    private int stdoutLimit = DEFAULT_OUTPUT_LIMIT;
    private int stderrLimit = DEFAULT_OUTPUT_LIMIT;
    private boolean requireIsolation = true;
    private String hostname = "sandbox";
    private final Map<String, Object> setOnce = new HashMap<>();
    private boolean defaultEnvironment = true;

    private Builder(List<String> command) {
      if (command.isEmpty() || command.get(0) == null || command.get(0).isEmpty()) {
        throw new IllegalArgumentException("command must start with a non-empty program");
      }
      for (int i = 0; i < command.size(); i++) {
        String arg = Objects.requireNonNull(command.get(i), "command[" + i + "]");
        requireNoNul(arg, "command[" + i + "]");
      }
      this.command = command;
      this.readOnlyBinds = new ArrayList<>();
      this.hiddenPaths = new ArrayList<>();
      this.environment = new TreeMap<>();
      this.allowedDestinations = new LinkedHashSet<>();
      this.execAllowlist = new ArrayList<>();
      environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
      environment.put("HOME", "/tmp");
      environment.put("LANG", "C.UTF-8");
    }

    private Builder(SandboxPolicy p) {
      this.command = new ArrayList<>(p.command);
      this.workspace = p.workspace;
      this.readOnlyBinds = new ArrayList<>(p.readOnlyBinds);
      this.hiddenPaths = new ArrayList<>(p.hiddenPaths);
      this.environment = new TreeMap<>(p.environment);
      this.network = p.network;
      this.allowedDestinations = new LinkedHashSet<>(p.allowedDestinations);
      this.execAllowlist = new ArrayList<>(p.execAllowlist);
      this.seccomp = p.seccomp;
      this.seccompProfile = p.seccompProfile;
      this.unixSockets = p.unixSocketsChoice;
      this.hideWorkspaceSiblings = p.hideWorkspaceSiblings;
      this.limits = p.limits;
      this.timeout = p.timeout;
      this.stdoutLimit = p.stdoutLimit;
      this.stderrLimit = p.stderrLimit;
      this.requireIsolation = p.requireIsolation;
      this.hostname = p.hostname;
      this.defaultEnvironment = false;
    }

    private void once(String option, Object value) {
      Object earlier = setOnce.putIfAbsent(option, value);
      if (earlier != null) {
        throw new IllegalStateException(option + " was already set to " + earlier);
      }
    }

    /**
     * Binds a host directory read-write as the command's working directory ({@value #WORKSPACE_MOUNT_POINT} inside a
     * mount-namespace sandbox).
     *
     * @param dir an existing host directory, absolute
     * @return this builder
     */
    public Builder workspace(Path dir) {
      Path p = requireAbsolute(dir, "workspace");
      once("workspace", p);
      this.workspace = p;
      return this;
    }

    /**
     * Adds a read-only bind at the same path inside.
     *
     * @param hostPath absolute host path
     * @return this builder
     */
    public Builder readOnlyBind(Path hostPath) {
      return readOnlyBind(hostPath, hostPath);
    }

    /**
     * Adds a read-only bind.
     *
     * @param hostPath absolute host path
     * @param sandboxPath absolute path inside the sandbox
     * @return this builder
     */
    public Builder readOnlyBind(Path hostPath, Path sandboxPath) {
      readOnlyBinds.add(new ReadOnlyBind(hostPath.normalize(), sandboxPath.normalize()));
      return this;
    }

    /**
     * Hides a host path: a directory is covered by an empty tmpfs, a file by {@code /dev/null}.
     *
     * @param path absolute path
     * @return this builder
     */
    public Builder hide(Path path) {
      Path p = requireAbsolute(path, "hide");
      if (p.getNameCount() == 0) {
        throw new IllegalArgumentException("hide must not be '/'");
      }
      hiddenPaths.add(p);
      return this;
    }

    /**
     * Sets one environment variable. The first call on a new builder drops the defaults except {@code PATH}, so the
     * environment is exactly what the caller lists (plus {@code PATH} unless it is set here too).
     *
     * @param name variable name ({@code [A-Za-z_][A-Za-z0-9_]*})
     * @param value its value (no NUL)
     * @return this builder
     */
    public Builder env(String name, String value) {
      Objects.requireNonNull(name, "env name");
      Objects.requireNonNull(value, "env value");
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("env name must match [A-Za-z_][A-Za-z0-9_]{0,127}, got '" + name + "'");
      }
      requireNoNul(value, "env " + name);
      if (defaultEnvironment) {
        environment.keySet().retainAll(Set.of("PATH"));
        defaultEnvironment = false;
      }
      environment.put(name, value);
      return this;
    }

    /**
     * Sets the network mode.
     *
     * @param mode {@link NetworkMode#NONE} (default) or {@link NetworkMode#HOST}; {@link NetworkMode#ALLOWLIST} is
     *     accepted here but refused by the runner
     * @return this builder
     */
    public Builder network(NetworkMode mode) {
      Objects.requireNonNull(mode, "network");
      once("network", mode);
      this.network = mode;
      return this;
    }

    /**
     * Adds a {@code host:port} destination for {@link NetworkMode#ALLOWLIST}.
     *
     * @param hostAndPort for example {@code api.example.com:443}
     * @return this builder
     */
    public Builder allowDestination(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "destination");
      if (!DESTINATION.matcher(hostAndPort).matches()
          || Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1)) > 65535) {
        throw new IllegalArgumentException("destination must be host:port, got '" + hostAndPort + "'");
      }
      allowedDestinations.add(hostAndPort);
      return this;
    }

    /**
     * Restricts which executables the command may run (the command itself must be among them).
     *
     * @param executables absolute paths of executables
     * @return this builder
     */
    public Builder allowExec(Path... executables) {
      for (Path e : executables) {
        execAllowlist.add(requireAbsolute(e, "allowExec"));
      }
      return this;
    }

    /**
     * Enables or disables the default seccomp profile (enabled by default).
     *
     * @param enabled {@code false} only for commands the profile breaks
     * @return this builder
     */
    public Builder seccomp(boolean enabled) {
      once("seccomp", enabled);
      this.seccomp = enabled;
      return this;
    }

    /**
     * Chooses the seccomp profile (default {@link SeccompProfile#STRICT}).
     *
     * @param profile the profile
     * @return this builder
     */
    public Builder seccompProfile(SeccompProfile profile) {
      Objects.requireNonNull(profile, "seccompProfile");
      once("seccompProfile", profile);
      this.seccompProfile = profile;
      return this;
    }

    /**
     * Sets whether the workspace's parent directory is hidden (an empty read-only tmpfs) inside mount-namespace
     * sandboxes, so the workspaces of other runs next to this one are not visible (default {@code true}).
     *
     * @param hide {@code false} when the command needs files next to its workspace (bind them read-only instead)
     * @return this builder
     */
    public Builder hideWorkspaceSiblings(boolean hide) {
      once("hideWorkspaceSiblings", hide);
      this.hideWorkspaceSiblings = hide;
      return this;
    }

    /**
     * Allows {@code socket(AF_UNIX)} and datagram {@code socketpair} under seccomp. Off by default with the strict
     * profile, on by default with {@link SeccompProfile#DOCKER_COMPATIBLE}: a read-only bind does not stop {@code
     * connect()} or {@code sendto()} to a pathname socket of the host (a Docker, D-Bus or journald socket, for
     * example), so hide such directories when allowing it.
     *
     * @param allowed whether unix sockets may be created
     * @return this builder
     */
    public Builder unixSockets(boolean allowed) {
      once("unixSockets", allowed);
      this.unixSockets = allowed;
      return this;
    }

    /**
     * Sets the resource limits.
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(ResourceLimits limits) {
      Objects.requireNonNull(limits, "limits");
      once("limits", limits);
      this.limits = limits;
      return this;
    }

    /**
     * Sets the wall-clock timeout.
     *
     * @param timeout positive, at most {@link #MAX_TIMEOUT}
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException("timeout must be > 0 and <= PT24H, got " + timeout);
      }
      once("timeout", timeout);
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the cap on captured standard output; further output is read and discarded.
     *
     * @param bytes between 0 and {@link #MAX_OUTPUT_LIMIT}
     * @return this builder
     */
    public Builder stdoutLimit(int bytes) {
      checkLimit(bytes, "stdoutLimit");
      once("stdoutLimit", bytes);
      this.stdoutLimit = bytes;
      return this;
    }

    /**
     * Sets the cap on captured standard error; further output is read and discarded.
     *
     * @param bytes between 0 and {@link #MAX_OUTPUT_LIMIT}
     * @return this builder
     */
    public Builder stderrLimit(int bytes) {
      checkLimit(bytes, "stderrLimit");
      once("stderrLimit", bytes);
      this.stderrLimit = bytes;
      return this;
    }

    private static void checkLimit(int bytes, String name) {
      if (bytes < 0 || bytes > MAX_OUTPUT_LIMIT) {
        throw new IllegalArgumentException(name + " must be between 0 and " + MAX_OUTPUT_LIMIT + ", got " + bytes);
      }
    }

    /**
     * Sets whether the runner must refuse to run without namespace isolation (default {@code true}).
     *
     * @param required {@code false} to allow the {@link SandboxBackend#NONE} fallback with a logged warning
     * @return this builder
     */
    public Builder requireIsolation(boolean required) {
      once("requireIsolation", required);
      this.requireIsolation = required;
      return this;
    }

    /**
     * Sets the hostname inside the sandbox.
     *
     * @param name a lowercase RFC 1123 label
     * @return this builder
     */
    public Builder hostname(String name) {
      Objects.requireNonNull(name, "hostname");
      if (!HOSTNAME.matcher(name).matches()) {
        throw new IllegalArgumentException("hostname must be a lowercase RFC 1123 label, got '" + name + "'");
      }
      once("hostname", name);
      this.hostname = name;
      return this;
    }

    /**
     * Validates and builds the policy.
     *
     * @return the immutable policy
     * @throws IllegalArgumentException when options contradict each other
     */
    public SandboxPolicy build() {
      if (network != NetworkMode.ALLOWLIST && !allowedDestinations.isEmpty()) {
        throw new IllegalArgumentException("allowDestination requires network ALLOWLIST, got " + network);
      }
      if (network == NetworkMode.ALLOWLIST && allowedDestinations.isEmpty()) {
        throw new IllegalArgumentException("network ALLOWLIST requires at least one allowDestination");
      }
      if (!execAllowlist.isEmpty()) {
        String program = command.get(0);
        if (!program.startsWith("/")) {
          throw new IllegalArgumentException("with allowExec the program must be an absolute path, got '" + program + "'");
        }
        if (!execAllowlist.contains(Path.of(program).normalize())) {
          throw new IllegalArgumentException("allowExec must include the program " + program);
        }
      }
      return new SandboxPolicy(this);
    }
  }
}
