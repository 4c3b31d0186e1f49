package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds a util-linux {@code unshare} launch: new user (when {@code withUserNamespace}), pid, mount, ipc, uts and (unless
 * network HOST) net namespaces; a constant setup script makes every mount read-only, mounts a fresh {@code /tmp},
 * hides the workspace's parent directory, binds the workspace read-write at its host path (also when that path is under
 * {@code /tmp}), remounts {@code /proc} read-only, then {@code setpriv} drops every capability and sets no_new_privs
 * before the command.
 */
public final class UnsharePlanner {

  /**
   * Constant {@code /bin/sh} setup script run as the namespace's init child. The first positional parameter is the
   * {@code mount} executable; operations come as positional parameters ({@code ws DIR}, {@code hide-parent DIR}, {@code
   * tmp-size BYTES}, {@code hide-dir DIR}, {@code hide-file FILE}) terminated by {@code --}; the command follows.
   * Nothing from the policy is ever part of the script text.
   *
   * <p>The workspace is opened on fd 4 before anything is mounted and bound from {@code /proc/self/fd/4} afterwards
   * (with {@code mount -c}, so the path is not canonicalized back to the now hidden host path): a workspace under
   * {@code /tmp} or under its own hidden parent stays reachable. With {@code wsfd DIR} the launcher has opened the
   * directory the runner checked on fd 5 (in the host's mount namespace, which a bind cannot use): the script opens
   * the path again inside the namespace and refuses to go on unless both are the same directory ({@code -ef}).
   */
  /** Written by the setup script (exit 125) when the workspace path no longer names the directory the runner checked. */
  public static final String WORKSPACE_CHANGED =
      "sandbox setup: the workspace path no longer names the directory that was checked";

  public static final String SETUP_SCRIPT =
      String.join(
          "\n",
          "set -eu",
          "m=$1; shift",
          "ws=; hp=; ts=",
          "while [ \"$#\" -gt 0 ]; do",
          "  case \"$1\" in",
          "    --) shift; break;;",
          "    ws) ws=$2; exec 4< \"$2\"; shift 2;;",
          "    wsfd) ws=$2; exec 4< \"$2\"; [ /proc/self/fd/4 -ef /proc/self/fd/5 ] || { echo '"
              + WORKSPACE_CHANGED + "' >&2; exit 125; }; exec 5<&-; shift 2;;",
          "    hide-parent) hp=$2; shift 2;;",
          "    tmp-size) ts=,size=$2; shift 2;;",
          "    hide-dir) \"$m\" -t tmpfs -o nosuid,nodev,mode=0755 tmpfs \"$2\"; shift 2;;",
          "    hide-file) \"$m\" --bind -- /dev/null \"$2\"; shift 2;;",
          "    *) echo 'sandbox setup: unknown operation' >&2; exit 125;;",
          "  esac",
          "done",
          "while read -r _ _ _ _ mp _; do",
          "  case \"$mp\" in /proc|/proc/*) continue;; esac",
          "  \"$m\" -o remount,bind,ro -- \"$mp\"",
          "done < /proc/self/mountinfo",
          "\"$m\" -t tmpfs -o \"nosuid,nodev,mode=1777$ts\" tmpfs /tmp",
          "if [ -n \"$hp\" ]; then \"$m\" -t tmpfs -o nosuid,nodev,mode=0755 tmpfs \"$hp\"; fi",
          "if [ -n \"$ws\" ]; then",
          "  [ -d \"$ws\" ] || mkdir -p -- \"$ws\"",
          "  \"$m\" -c --bind /proc/self/fd/4 \"$ws\"",
          "  \"$m\" -c -o remount,bind,rw \"$ws\"",
          "  exec 4<&-",
          "fi",
          "if [ -n \"$hp\" ]; then \"$m\" -o remount,bind,ro -- \"$hp\"; fi",
          "\"$m\" -o remount,bind,ro -- /proc",
          "if [ -n \"$ws\" ]; then cd -- \"$ws\"; else cd /tmp; fi",
          "exec \"$@\"");

  private final Path unshare;
  private final Path shell;
  private final Path setpriv;
  private final Path mount;
  private final Optional<Path> prlimit;
  private final boolean withUserNamespace;
  private final int callerUid;

  /**
   * Creates a planner.
   *
   * @param unshare util-linux unshare
   * @param shell {@code /bin/sh} for the setup and launcher scripts
   * @param setpriv util-linux setpriv
   * @param mount util-linux mount
   * @param prlimit util-linux prlimit when found
   * @param withUserNamespace whether to create a user namespace (needed without CAP_SYS_ADMIN)
   * @param callerUid the JVM's effective uid
   */
  public UnsharePlanner(
      Path unshare,
      Path shell,
      Path setpriv,
      Path mount,
      Optional<Path> prlimit,
      boolean withUserNamespace,
      int callerUid) {
    this.callerUid = callerUid;
    this.mount = mount;
    this.unshare = unshare;
    this.shell = shell;
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.withUserNamespace = withUserNamespace;
  }

  /**
   * Tells why a policy cannot be enforced in unshare mode.
   *
   * @param policy the policy
   * @return the reason, or empty when it can
   */
  public static Optional<String> unsupported(SandboxPolicy policy) {
    if (!policy.execAllowlist().isEmpty()) {
      return Optional.of("cannot enforce an exec allowlist");
    }
    if (!policy.readOnlyBinds().isEmpty()) {
      return Optional.of("read-only binds need BWRAP");
    }
    return Optional.empty();
  }

  /**
   * Tells whether this variant creates a user namespace.
   *
   * @return {@code true} for the unprivileged variant
   */
  public boolean withUserNamespace() {
    return withUserNamespace;
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
    SandboxReport.Builder report = SandboxReport.builder(SandboxBackend.UNSHARE_LANDLOCK);
    List<String> tail = new ArrayList<>();
    Prlimit.apply(tail, prlimit, policy.limits(), setup.containment(), true, report, warnings);
    List<String> a = new ArrayList<>(48);
    Optional<String> wsSource = policy.workspace().isPresent() ? setup.workspaceSource() : Optional.empty();
    a.addAll(Launcher.prefix(shell, setup.containment().joinFiles(), Launcher.Fds.NONE, wsSource));
    EnumSet<Namespace> ns = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.IPC, Namespace.UTS);
    // the monitor dies with the thread that spawned it; --kill-child takes the namespace's init down with it
    a.add(setpriv.toString());
    a.add("--pdeathsig");
    a.add("KILL");
    setup.identity().ifPresent(id -> id.appendSetprivOptions(a));
    a.add("--");
    a.add(unshare.toString());
    if (withUserNamespace) {
      a.add("--user");
      a.add("--map-root-user");
      ns.add(Namespace.USER);
    }
    a.add("--pid");
    a.add("--fork");
    a.add("--kill-child");
    a.add("--mount");
    a.add("--mount-proc");
    a.add("--propagation");
    a.add("private");
    a.add("--ipc");
    a.add("--uts");
    if (policy.network() != NetworkMode.HOST) {
      a.add("--net");
      ns.add(Namespace.NET);
    }
    a.add("--");
    a.add(shell.toString());
    a.add("-c");
    a.add(SETUP_SCRIPT);
    a.add("sandbox-setup");
    a.add(mount.toString());
    if (policy.workspace().isPresent()) {
      Path ws = policy.workspace().get();
      // with a source the launcher opened fd 5 on the checked directory; the script binds that, not the path
      a.add(wsSource.isPresent() ? "wsfd" : "ws");
      a.add(ws.toString());
      Path parent = ws.getParent();
      if (policy.hideWorkspaceSiblings() && parent != null && parent.getNameCount() > 0
          && !parent.startsWith("/tmp") && !parent.startsWith("/proc")) {
        a.add("hide-parent");
        a.add(parent.toString());
      }
    }
    OptionalLong tmpSize = policy.limits().get(ResourceLimit.TMP_SIZE);
    if (tmpSize.isPresent()) {
      a.add("tmp-size");
      a.add(Long.toString(tmpSize.getAsLong()));
    }
    for (Path hidden : policy.hiddenPaths()) {
      if (Files.isDirectory(hidden)) {
        a.add("hide-dir");
        a.add(hidden.toString());
      } else if (Files.exists(hidden, LinkOption.NOFOLLOW_LINKS)) {
        a.add("hide-file");
        a.add(hidden.toString());
      } else {
        warnings.add("hidden path " + hidden + " does not exist on the host; nothing to hide");
      }
    }
    a.add("--");
    a.add(setpriv.toString());
    a.add("--no-new-privs");
    a.add("--inh-caps=-all");
    a.add("--ambient-caps=-all");
    a.add("--bounding-set=-all");
    a.add("--");
    a.addAll(tail);
    a.addAll(policy.command());
    if (policy.seccomp()) {
      warnings.add(
          "seccomp not applied: the UNSHARE_LANDLOCK backend has no hook between namespace setup and exec, and a filter"
              + " installed before unshare(1) would forbid the namespaces it creates");
    }
    String cwd = policy.workspace().map(Path::toString).orElse("/tmp");
    report
        .hostUid(setup.identity().map(Identity::uid).orElse(callerUid))
        .namespaces(ns)
        .filesystem(true, true, true)
        .network(policy.network())
        .workingDirectory(cwd)
        .skippedBackends(skipped)
        .warnings(warnings);
    return new LaunchPlan(a, Path.of("/"), policy.environment(), report.build(), ThreadSetup.NONE);
  }
}
