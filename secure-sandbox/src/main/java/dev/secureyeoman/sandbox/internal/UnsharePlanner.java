package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.ExecRestriction;
import dev.secureyeoman.sandbox.Namespace;
import dev.secureyeoman.sandbox.NetworkMode;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxBackend;
import dev.secureyeoman.sandbox.SandboxPolicy;
import dev.secureyeoman.sandbox.SandboxReport;
import dev.secureyeoman.sandbox.SeccompMode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Builds a util-linux {@code unshare} launch: new user (when {@code withUserNamespace}), pid, mount, ipc, uts and (unless
 * network HOST) net namespaces; a constant setup script makes every mount read-only, binds the workspace read-write,
 * mounts a fresh {@code /tmp}, then {@code setpriv} drops every capability and sets no_new_privs before the command.
 */
public final class UnsharePlanner {

  /**
   * Constant {@code /bin/sh} setup script run as the namespace's init child. The first positional parameter is the
   * {@code mount} executable; operations come as positional parameters
   * ({@code ws DIR}, {@code hide-dir DIR}, {@code hide-file FILE}) terminated by {@code --}; the command follows. Nothing
   * from the policy is ever part of the script text.
   */
  public static final String SETUP_SCRIPT =
      String.join(
          "\n",
          "set -eu",
          "m=$1; shift",
          "ws=",
          "while [ \"$#\" -gt 0 ]; do",
          "  case \"$1\" in",
          "    --) shift; break;;",
          "    ws) ws=$2; \"$m\" --bind -- \"$2\" \"$2\"; shift 2;;",
          "    hide-dir) \"$m\" -t tmpfs -o nosuid,nodev,mode=0755 tmpfs \"$2\"; shift 2;;",
          "    hide-file) \"$m\" --bind -- /dev/null \"$2\"; shift 2;;",
          "    *) echo 'sandbox setup: unknown operation' >&2; exit 125;;",
          "  esac",
          "done",
          "while read -r _ _ _ _ mp _; do",
          "  case \"$mp\" in /proc|/proc/*) continue;; esac",
          "  if [ \"$mp\" = \"$ws\" ]; then continue; fi",
          "  \"$m\" -o remount,bind,ro -- \"$mp\"",
          "done < /proc/self/mountinfo",
          "if [ -n \"$ws\" ]; then cd -- \"$ws\"; fi",
          "\"$m\" -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp",
          "if [ -z \"$ws\" ]; then cd /tmp; fi",
          "exec \"$@\"");

  private final Path unshare;
  private final Path shell;
  private final Path setpriv;
  private final Path mount;
  private final Optional<Path> prlimit;
  private final boolean withUserNamespace;
  private final Optional<Identity> identity;
  private final int hostUid;

  /**
   * Creates a planner.
   *
   * @param unshare util-linux unshare
   * @param shell {@code /bin/sh} for the setup script
   * @param setpriv util-linux setpriv
   * @param mount util-linux mount
   * @param prlimit util-linux prlimit when found
   * @param withUserNamespace whether to create a user namespace (needed without CAP_SYS_ADMIN)
   * @param identity host identity to switch to first, or empty to keep the caller's
   * @param callerUid the JVM's effective uid
   */
  public UnsharePlanner(
      Path unshare,
      Path shell,
      Path setpriv,
      Path mount,
      Optional<Path> prlimit,
      boolean withUserNamespace,
      Optional<Identity> identity,
      int callerUid) {
    this.identity = identity;
    this.hostUid = identity.map(Identity::uid).orElse(callerUid);
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
   * @param skipped backends skipped before this one
   * @param warnings warnings so far (appended to)
   * @return the plan
   */
  public LaunchPlan plan(SandboxPolicy policy, Map<SandboxBackend, String> skipped, List<String> warnings) {
    List<String> a = new ArrayList<>(32);
    EnumSet<Namespace> ns = EnumSet.of(Namespace.PID, Namespace.MOUNT, Namespace.IPC, Namespace.UTS);
    // the monitor dies with the thread that spawned it; --kill-child takes the namespace's init down with it
    a.add(setpriv.toString());
    a.add("--pdeathsig");
    a.add("KILL");
    identity.ifPresent(id -> id.appendSetprivOptions(a));
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
      a.add("ws");
      a.add(policy.workspace().get().toString());
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
    ResourceLimits appliedLimits = Prlimit.wrap(a, prlimit, policy.limits());
    a.addAll(policy.command());
    if (policy.seccomp()) {
      warnings.add(
          "seccomp not applied: the UNSHARE_LANDLOCK backend has no hook between namespace setup and exec, and a filter"
              + " installed before unshare(1) would forbid the namespaces it creates");
    }
    String cwd = policy.workspace().map(Path::toString).orElse("/tmp");
    SandboxReport report =
        new SandboxReport(
            SandboxBackend.UNSHARE_LANDLOCK,
            hostUid,
            ns,
            true,
            true,
            true,
            SeccompMode.NONE,
            false,
            OptionalInt.empty(),
            ExecRestriction.NONE,
            policy.network(),
            appliedLimits,
            cwd,
            skipped,
            warnings);
    return new LaunchPlan(a, Path.of("/"), policy.environment(), report, ThreadSetup.NONE);
  }
}
