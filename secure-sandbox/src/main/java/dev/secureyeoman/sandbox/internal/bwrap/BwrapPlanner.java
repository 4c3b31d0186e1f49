package dev.secureyeoman.sandbox.internal.bwrap;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.SeccompProfile;
import dev.secureyeoman.sandbox.internal.Identity;
import dev.secureyeoman.sandbox.internal.LaunchPlan;
import dev.secureyeoman.sandbox.internal.Launcher;
import dev.secureyeoman.sandbox.internal.Prlimit;
import dev.secureyeoman.sandbox.internal.RunSetup;
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
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Builds a bubblewrap command line. The root is a tmpfs holding read-only binds of every top-level host directory
 * (recreating top-level symlinks), remounted read-only at the end, so the sandbox can have mount points such as {@code
 * /workspace} that the host does not.
 *
 * <p>Beyond the namespaces: {@code /proc} is remounted read-only, so the command cannot write the sandbox init's memory
 * through {@code /proc/1/mem} (same uid, no ptrace needed) to clear its parent-death signal; {@code /dev} is read-only
 * with a separate {@code /dev/shm} tmpfs; {@code /tmp} and {@code /dev/shm} are sized with {@link
 * ResourceLimit#TMP_SIZE}; the workspace's parent directory is covered by an empty tmpfs so sibling workspaces are
 * invisible. The backend is started with {@code /} as its working directory and only {@code PATH} in its environment
 * (bwrap's own environment is readable in the sandbox as {@code /proc/1/environ}), and the seccomp program arrives on
 * standard input (see {@link Launcher}).
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

  /** Environment of the bwrap process itself (the command's environment is set with {@code --setenv}). */
  static final Map<String, String> LAUNCH_ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin");

  private static final Set<String> ROOT_SKIP = Set.of("proc", "dev", "tmp", "workspace");

  private final Path bwrap;
  private final Path shell;
  private final Optional<Path> prlimit;
  private final Path hostRoot;
  private final Optional<Path> setpriv;
  private final int callerUid;
  private final Path tempDirectory;
  private volatile @Nullable Path emptyFile;

  /**
   * Creates a planner.
   *
   * @param bwrap the bwrap executable
   * @param shell {@code /bin/sh}, used only by the constant launcher script
   * @param prlimit util-linux prlimit, when found
   * @param hostRoot the host root whose top-level entries are bound (normally {@code /})
   * @param setpriv util-linux setpriv, required to switch identities
   * @param callerUid the JVM's effective uid
   * @param tempDirectory where the empty file that hides host files is created
   */
  public BwrapPlanner(
      Path bwrap,
      Path shell,
      Optional<Path> prlimit,
      Path hostRoot,
      Optional<Path> setpriv,
      int callerUid,
      Path tempDirectory) {
    this.tempDirectory = tempDirectory;
    this.setpriv = setpriv;
    this.callerUid = callerUid;
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
   * @param setup identity, cgroups and seccomp program of the run
   * @param skipped backends skipped before this one
   * @param warnings warnings collected so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(
      SandboxPolicy policy, RunSetup setup, Map<SandboxBackend, String> skipped, List<String> warnings) {
    Optional<byte[]> program = setup.seccompProgram();
    SandboxReport.Builder report = SandboxReport.builder(SandboxBackend.BWRAP);
    List<String> tail = new ArrayList<>();
    Prlimit.apply(tail, prlimit, policy.limits(), setup.containment(), true, report, warnings);
    OptionalLong tmpSize = policy.limits().get(ResourceLimit.TMP_SIZE);

    List<String> a = new ArrayList<>(96);
    Optional<String> wsSource = policy.workspace().isPresent() ? setup.workspaceSource() : Optional.empty();
    a.addAll(Launcher.prefix(shell, setup.containment().joinFiles(),
        program.isPresent() ? Launcher.Fds.SECCOMP_AND_STATUS : Launcher.Fds.STATUS, wsSource));
    if (setup.identity().isPresent()) {
      a.addAll(setup.identity().get().setprivPrefix(setpriv.orElseThrow(
          () -> new IllegalStateException("setpriv is required to run as " + setup.identity().get()))));
    }
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
    // the init's host pid and pid namespace, written to the launcher's fd 4 (stderr) before the sandbox runs
    add(a, "--json-status-fd", "4");
    a.add("--tmpfs");
    a.add("/");
    bindRoot(a);
    add(a, "--proc", "/proc");
    if (!ptraceAllowed(policy)) {
      // /proc/1/mem of the init is writable by the same uid without ptrace; read-only /proc refuses it (EROFS)
      add(a, "--remount-ro", "/proc");
    }
    add(a, "--dev", "/dev");
    sizedTmpfs(a, "/dev/shm", tmpSize);
    add(a, "--remount-ro", "/dev");
    sizedTmpfs(a, "/tmp", tmpSize);
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
    Optional<Path> siblings = policy.workspace().flatMap(ws -> siblingsToHide(policy, ws));
    siblings.ifPresent(parent -> add(a, "--tmpfs", parent.toString()));
    for (SandboxPolicy.ReadOnlyBind b : policy.readOnlyBinds()) {
      add(a, "--ro-bind", b.source().toString());
      a.add(b.target().toString());
    }
    ExecRestriction exec = ExecRestriction.NONE;
    if (!policy.execAllowlist().isEmpty()) {
      execView(a, policy, !tail.isEmpty());
      exec = ExecRestriction.MOUNT_VIEW;
    }
    String cwd;
    if (policy.workspace().isPresent()) {
      if (wsSource.isPresent()) {
        // the directory the runner checked, opened by the launcher on fd 5 (bwrap closes it after the bind): a path
        // component swapped for a symlink since the check cannot redirect the bind
        add(a, "--bind-fd", "5");
      } else {
        add(a, "--bind", policy.workspace().get().toString());
      }
      a.add(SandboxPolicy.WORKSPACE_MOUNT_POINT);
      cwd = SandboxPolicy.WORKSPACE_MOUNT_POINT;
    } else {
      cwd = "/tmp";
    }
    siblings.ifPresent(parent -> add(a, "--remount-ro", parent.toString()));
    add(a, "--remount-ro", "/");
    add(a, "--chdir", cwd);
    add(a, "--hostname", policy.hostname());
    for (Map.Entry<String, String> e : policy.environment().entrySet()) {
      add(a, "--setenv", e.getKey());
      a.add(e.getValue());
    }
    if (program.isPresent()) {
      add(a, "--seccomp", "3");
      report.seccomp(policy.seccompProfile(), !policy.unixSockets());
    }
    a.add("--");
    a.addAll(tail);
    a.addAll(policy.command());
    report
        .hostUid(setup.identity().map(Identity::uid).orElse(callerUid))
        .namespaces(ns)
        .filesystem(true, true, true)
        .execRestriction(exec)
        .network(policy.network())
        .workingDirectory(cwd)
        .skippedBackends(skipped)
        .warnings(warnings);
    return new LaunchPlan(a, Path.of("/"), LAUNCH_ENVIRONMENT, report.build(), ThreadSetup.NONE, program, true);
  }

  /**
   * Whether the policy's seccomp layer lets the command ptrace (then a read-only {@code /proc} protects nothing and
   * would only break debuggers).
   */
  static boolean ptraceAllowed(SandboxPolicy policy) {
    return policy.seccomp() && policy.seccompProfile() == SeccompProfile.DOCKER_COMPATIBLE;
  }

  /** The workspace's parent, unless it is {@code /}, already private ({@code /tmp}) or the policy keeps it visible. */
  static Optional<Path> siblingsToHide(SandboxPolicy policy, Path ws) {
    Path parent = ws.getParent();
    if (!policy.hideWorkspaceSiblings() || parent == null || parent.getNameCount() == 0) {
      return Optional.empty();
    }
    if (ROOT_SKIP.contains(parent.getName(0).toString())) {
      return Optional.empty();
    }
    return Optional.of(parent);
  }

  private static void sizedTmpfs(List<String> a, String dir, OptionalLong size) {
    if (size.isPresent()) {
      add(a, "--size", Long.toString(size.getAsLong()));
    }
    add(a, "--tmpfs", dir);
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

  private volatile @Nullable RootBinds rootBinds;

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

  private void execView(List<String> a, SandboxPolicy policy, boolean withPrlimit) {
    Set<String> hiddenDirs = new LinkedHashSet<>();
    for (String d : BIN_DIRS) {
      Path p = Path.of(d);
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        hiddenDirs.add(d);
        add(a, "--tmpfs", d);
      }
    }
    List<Path> allowed = new ArrayList<>(policy.execAllowlist());
    if (withPrlimit) {
      allowed.add(prlimit.orElseThrow());
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
