package dev.secureyeoman.sandbox.internal.bwrap;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.internal.Prlimit;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.SeccompMode;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.LaunchPlan;
import dev.secureyeoman.sandbox.internal.ThreadSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds a bubblewrap command line. The root is a tmpfs holding read-only binds of every top-level host directory
 * (recreating top-level symlinks), remounted read-only at the end, so the sandbox can have mount points such as {@code
 * /workspace} that the host does not.
 */
public final class BwrapPlanner {

  /** Directories hidden by the exec mount view. */
  static final List<String> BIN_DIRS =
      List.of(
          "/bin",
          "/sbin",
          "/usr/bin",
          "/usr/sbin",
          "/usr/local/bin",
          "/usr/local/sbin",
          "/usr/games",
          "/usr/local/games",
          "/usr/libexec");

  /**
   * Constant {@code /bin/sh} script that opens the seccomp program on fd 3 and executes bwrap. The program file is the
   * first positional parameter; bwrap and its arguments follow. Nothing from the policy is ever part of the script text.
   */
  public static final String SECCOMP_FD_SCRIPT = "f=$1; shift; exec \"$@\" 3< \"$f\"";

  private static final Set<String> ROOT_SKIP = Set.of("proc", "dev", "tmp", "workspace");

  private final Path bwrap;
  private final Path shell;
  private final Optional<Path> prlimit;
  private final Path hostRoot;
  private final Optional<Identity> identity;
  private final Optional<Path> setpriv;
  private final int hostUid;
  private final Path tempDirectory;
  private volatile Path emptyFile;

  /**
   * Creates a planner.
   *
   * @param bwrap the bwrap executable
   * @param shell {@code /bin/sh}, used only to open the seccomp program on fd 3
   * @param prlimit util-linux prlimit, when found
   * @param hostRoot the host root whose top-level entries are bound (normally {@code /})
   * @param identity host identity to switch to before bwrap (through setpriv), or empty to keep the caller's
   * @param setpriv util-linux setpriv, required when {@code identity} is present
   * @param callerUid the JVM's effective uid
   * @param tempDirectory where the empty file that hides host files is created
   */
  public BwrapPlanner(
      Path bwrap,
      Path shell,
      Optional<Path> prlimit,
      Path hostRoot,
      Optional<Identity> identity,
      Optional<Path> setpriv,
      int callerUid,
      Path tempDirectory) {
    this.tempDirectory = tempDirectory;
    if (identity.isPresent() && setpriv.isEmpty()) {
      throw new IllegalArgumentException("setpriv is required to run as " + identity.get());
    }
    this.identity = identity;
    this.setpriv = setpriv;
    this.hostUid = identity.map(Identity::uid).orElse(callerUid);
    this.bwrap = bwrap;
    this.shell = shell;
    this.prlimit = prlimit;
    this.hostRoot = hostRoot;
  }

  /**
   * Returns the bwrap executable.
   *
   * @return path
   */
  public Path bwrap() {
    return bwrap;
  }

  /**
   * Plans one run.
   *
   * @param policy the policy
   * @param seccompProgram file holding the BPF program, or empty for none
   * @param skipped backends skipped before this one
   * @param warnings warnings collected so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(
      SandboxPolicy policy, Optional<Path> seccompProgram, Map<SandboxBackend, String> skipped, List<String> warnings) {
    List<String> a = new ArrayList<>(64);
    if (seccompProgram.isPresent()) {
      a.add(shell.toString());
      a.add("-c");
      a.add(SECCOMP_FD_SCRIPT);
      a.add("sh");
      a.add(seccompProgram.get().toString());
    }
    identity.ifPresent(id -> a.addAll(id.setprivPrefix(setpriv.orElseThrow())));
    a.add(bwrap.toString());
    a.add("--unshare-all");
    EnumSet<Namespace> ns = EnumSet.allOf(Namespace.class);
    if (policy.network() == NetworkMode.HOST) {
      a.add("--share-net");
      ns.remove(Namespace.NET);
    }
    a.add("--cap-drop");
    a.add("ALL");
    a.add("--die-with-parent");
    a.add("--new-session");
    a.add("--clearenv");
    a.add("--tmpfs");
    a.add("/");
    bindRoot(a);
    add(a, "--proc", "/proc");
    add(a, "--dev", "/dev");
    add(a, "--tmpfs", "/tmp");
    for (Path hidden : policy.hiddenPaths()) {
      if (Files.isDirectory(hidden)) {
        add(a, "--tmpfs", hidden.toString());
        a.add("--remount-ro");
        a.add(hidden.toString());
      } else if (Files.exists(hidden, LinkOption.NOFOLLOW_LINKS)) {
        // bwrap binds are nodev, so /dev/null would read as EACCES: an empty regular file reads as empty
        add(a, "--ro-bind", emptyFile().toString());
        a.add(hidden.toString());
      } else {
        warnings.add("hidden path " + hidden + " does not exist on the host; nothing to hide");
      }
    }
    for (SandboxPolicy.ReadOnlyBind b : policy.readOnlyBinds()) {
      add(a, "--ro-bind", b.source().toString());
      a.add(b.target().toString());
    }
    ExecRestriction exec = ExecRestriction.NONE;
    if (!policy.execAllowlist().isEmpty()) {
      execView(a, policy);
      exec = ExecRestriction.MOUNT_VIEW;
    }
    String cwd;
    if (policy.workspace().isPresent()) {
      add(a, "--bind", policy.workspace().get().toString());
      a.add(SandboxPolicy.WORKSPACE_MOUNT_POINT);
      cwd = SandboxPolicy.WORKSPACE_MOUNT_POINT;
    } else {
      cwd = "/tmp";
    }
    add(a, "--remount-ro", "/");
    add(a, "--chdir", cwd);
    add(a, "--hostname", policy.hostname());
    for (Map.Entry<String, String> e : policy.environment().entrySet()) {
      add(a, "--setenv", e.getKey());
      a.add(e.getValue());
    }
    if (seccompProgram.isPresent()) {
      add(a, "--seccomp", "3");
    }
    a.add("--");
    ResourceLimits appliedLimits = Prlimit.wrap(a, prlimit, policy.limits());
    a.addAll(policy.command());
    SandboxReport report =
        new SandboxReport(
            SandboxBackend.BWRAP,
            hostUid,
            ns,
            true,
            true,
            true,
            seccompProgram.isPresent() ? SeccompMode.FILTER : SeccompMode.NONE,
            seccompProgram.isPresent() && !policy.unixSockets(),
            OptionalInt.empty(),
            exec,
            policy.network(),
            appliedLimits,
            cwd,
            skipped,
            warnings);
    Path dir = policy.workspace().orElse(Path.of("/"));
    return new LaunchPlan(a, dir, Map.of("PATH", "/usr/bin:/bin"), report, ThreadSetup.NONE);
  }

  private Path emptyFile() {
    Path f = emptyFile;
    if (f == null) {
      synchronized (this) {
        f = emptyFile;
        if (f == null) {
          try {
            f =
                Files.createTempFile(
                    tempDirectory,
                    "sy-empty-",
                    "",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--")));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot create an empty file in " + tempDirectory, e);
          }
          f.toFile().deleteOnExit();
          emptyFile = f;
        }
      }
    }
    return f;
  }


  /** Root binds cached per modification time of the host root (adding or removing an entry changes it). */
  private record RootBinds(java.nio.file.attribute.FileTime modified, List<String> args) {}

  private volatile RootBinds rootBinds;

  private void bindRoot(List<String> a) {
    java.nio.file.attribute.FileTime modified;
    try {
      modified = Files.getLastModifiedTime(hostRoot);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat the host root " + hostRoot, e);
    }
    RootBinds cached = rootBinds;
    if (cached == null || !cached.modified().equals(modified)) {
      List<String> args = new ArrayList<>();
      listRoot(args);
      cached = new RootBinds(modified, List.copyOf(args));
      rootBinds = cached;
    }
    a.addAll(cached.args());
  }

  private void listRoot(List<String> a) {
    List<Path> entries;
    try (Stream<Path> s = Files.list(hostRoot)) {
      entries = s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the host root " + hostRoot, e);
    }
    for (Path e : entries) {
      String name = e.getFileName().toString();
      if (ROOT_SKIP.contains(name)) {
        continue;
      }
      String inside = "/" + name;
      try {
        if (Files.isSymbolicLink(e)) {
          add(a, "--symlink", Files.readSymbolicLink(e).toString());
          a.add(inside);
        } else if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS)) {
          add(a, "--ro-bind", e.toString());
          a.add(inside);
        }
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot read host root entry " + e, ex);
      }
    }
  }

  private void execView(List<String> a, SandboxPolicy policy) {
    Set<String> hiddenDirs = new LinkedHashSet<>();
    for (String d : BIN_DIRS) {
      Path p = Path.of(d);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        hiddenDirs.add(d);
        add(a, "--tmpfs", d);
      }
    }
    List<Path> allowed = new ArrayList<>(policy.execAllowlist());
    if (!policy.limits().isEmpty() && prlimit.isPresent()) {
      allowed.add(prlimit.get());
    }
    for (Path exe : allowed) {
      Path real;
      Path dest;
      try {
        real = exe.toRealPath();
        Path parent = exe.getParent();
        dest = parent == null ? exe : parent.toRealPath().resolve(exe.getFileName());
      } catch (IOException e) {
        throw new IllegalArgumentException("allowExec entry " + exe + " does not exist on the host", e);
      }
      if (!Files.isRegularFile(real) || !Files.isExecutable(real)) {
        throw new IllegalArgumentException("allowExec entry " + exe + " is not an executable file");
      }
      add(a, "--ro-bind", real.toString());
      a.add(dest.toString());
    }
    for (String d : hiddenDirs) {
      add(a, "--remount-ro", d);
    }
  }

  private static void add(List<String> a, String option, String value) {
    a.add(option);
    a.add(value);
  }
}
