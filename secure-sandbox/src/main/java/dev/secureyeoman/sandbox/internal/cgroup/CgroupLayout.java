package dev.secureyeoman.sandbox.internal.cgroup;

import dev.secureyeoman.sandbox.internal.ProcessStart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where this JVM may create per-run cgroups: a cgroup v2 directory (for {@code cgroup.kill} and, when the controllers
 * are delegated to it, memory/pids/cpu limits) and cgroup v1 directories per controller (hybrid and legacy hosts).
 * Parents are the JVM's own cgroups (from {@code /proc/self/cgroup}) unless the host names a delegated v2 parent.
 * Detected once per runner.
 */
public final class CgroupLayout {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupLayout.class);

  /** Controllers the runner uses. */
  public static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");

  /** v1 hierarchies the runner uses: the limit controllers, accounting and the freezer. */
  static final List<String> V1_HIERARCHIES = List.of("memory", "pids", "cpu", "cpuacct", "freezer");

  /** Name prefix of every run cgroup; followed by the JVM's pid, so a later runner can sweep a dead JVM's leftovers. */
  public static final String PREFIX = "sy-";

  /** {@code sy-<pid>-t<start time>-…}; names without the start time come from earlier versions. */
  private static final Pattern RUN_NAME = Pattern.compile("sy-(\\d+)-(?:t(\\d+)-)?.*");

  private final Optional<Path> v2Parent;
  private final Set<String> v2Controllers;
  private final String v2Note;
  private final Map<String, Path> v1Parents;

  /**
   * Creates a layout (tests build variants to exercise the v1-only and v2-only paths on one host).
   *
   * @param v2Parent directory under which run cgroups are created in the v2 hierarchy, if writable
   * @param v2Controllers controllers the children of {@code v2Parent} get
   * @param v2Note why controllers are missing on v2, or empty
   * @param v1Parents v1 controller name to the directory under which run cgroups are created
   */
  public CgroupLayout(Optional<Path> v2Parent, Set<String> v2Controllers, String v2Note, Map<String, Path> v1Parents) {
    this.v2Parent = v2Parent;
    this.v2Controllers = Set.copyOf(v2Controllers);
    this.v2Note = v2Note;
    this.v1Parents = Collections.unmodifiableMap(new LinkedHashMap<>(v1Parents));
  }

  /** No usable cgroup at all. */
  public static final CgroupLayout NONE = new CgroupLayout(Optional.empty(), Set.of(), "no cgroup v2 hierarchy", Map.of());

  /**
   * Detects the layout of the running JVM.
   *
   * @param delegatedV2Parent a v2 directory the host delegated for sandboxes (controllers enabled in its {@code
   *     cgroup.subtree_control}, no processes of its own), or empty to use the JVM's own v2 cgroup
   * @return the layout (possibly {@link #NONE})
   */
  public static CgroupLayout detect(Optional<Path> delegatedV2Parent) {
    try {
      return detect(
          Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8),
          Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8),
          delegatedV2Parent);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cgroup detection failed", e);
      return NONE;
    }
  }

  static CgroupLayout detect(List<String> mountinfo, List<String> procSelfCgroup, Optional<Path> delegatedV2Parent) {
    Map<String, String> ownPaths = new LinkedHashMap<>(); // "" for v2, controller name for v1
    for (String line : procSelfCgroup) {
      String[] f = line.split(":", 3);
      if (f.length != 3) {
        continue;
      }
      if (f[0].equals("0") && f[1].isEmpty()) {
        ownPaths.put("", f[2]);
      } else {
        for (String c : f[1].split(",")) {
          ownPaths.put(c, f[2]);
        }
      }
    }
    Path v2Mount = null;
    String v2Root = null;
    Map<String, Path> v1Mounts = new LinkedHashMap<>();
    Map<String, String> v1Roots = new LinkedHashMap<>();
    for (String line : mountinfo) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3) {
        continue;
      }
      String root = unescape(pre[3]);
      Path mountPoint = Path.of(unescape(pre[4]));
      if (post[0].equals("cgroup2") && v2Mount == null) {
        v2Mount = mountPoint;
        v2Root = root;
      } else if (post[0].equals("cgroup")) {
        for (String opt : post[2].split(",")) {
          if (V1_HIERARCHIES.contains(opt) && !v1Mounts.containsKey(opt)) {
            v1Mounts.put(opt, mountPoint);
            v1Roots.put(opt, root);
          }
        }
      }
    }
    Optional<Path> v2Parent = Optional.empty();
    Set<String> v2Controllers = Set.of();
    String note = "no cgroup v2 hierarchy is mounted";
    if (delegatedV2Parent.isPresent()) {
      v2Parent = delegatedV2Parent.filter(Files::isWritable);
      note = v2Parent.isPresent() ? "" : "the delegated cgroup " + delegatedV2Parent.get() + " is not writable";
    } else if (v2Mount != null && ownPaths.containsKey("")) {
      v2Parent = resolve(v2Mount, v2Root, ownPaths.get("")).filter(Files::isWritable);
      note = v2Parent.isPresent() ? "" : "the JVM's cgroup v2 directory is not writable";
    }
    if (v2Parent.isPresent()) {
      v2Controllers = enableControllers(v2Parent.get());
      List<String> missing = new ArrayList<>(CONTROLLERS);
      missing.removeAll(v2Controllers);
      if (!missing.isEmpty()) {
        note =
            "cgroup v2 controllers "
                + missing
                + " are not delegated to "
                + v2Parent.get()
                + " (a v2 parent needs them in cgroup.subtree_control and no processes of its own: run the JVM in a"
                + " leaf cgroup and pass its parent to NamespaceRunner.builder().cgroupParent)";
      }
    }
    Map<String, Path> v1Parents = new LinkedHashMap<>();
    for (Map.Entry<String, Path> m : v1Mounts.entrySet()) {
      String own = ownPaths.get(m.getKey());
      if (own != null) {
        resolve(m.getValue(), v1Roots.get(m.getKey()), own)
            .filter(Files::isWritable)
            .ifPresent(p -> v1Parents.put(m.getKey(), p));
      }
    }
    return new CgroupLayout(v2Parent, v2Controllers, note, v1Parents);
  }

  /** Enables the runner's controllers for the children of a v2 directory where possible; returns those available. */
  private static Set<String> enableControllers(Path parent) {
    Set<String> enabled = new LinkedHashSet<>(words(parent.resolve("cgroup.subtree_control")));
    Set<String> offered = new LinkedHashSet<>(words(parent.resolve("cgroup.controllers")));
    for (String c : CONTROLLERS) {
      if (!enabled.contains(c) && offered.contains(c)) {
        try {
          Files.writeString(parent.resolve("cgroup.subtree_control"), "+" + c);
          enabled.add(c);
        } catch (IOException e) {
          // EBUSY: the parent has processes of its own (the no-internal-process rule); reported as not delegated
          LOG.debug("cannot enable {} in {}: {}", c, parent, e.toString());
        }
      }
    }
    enabled.retainAll(CONTROLLERS);
    return enabled;
  }

  private static List<String> words(Path file) {
    try {
      String s = Files.readString(file).strip();
      return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Optional<Path> resolve(Path mount, String mountRoot, String cgroupPath) {
    String rel;
    if (mountRoot.equals("/")) {
      rel = cgroupPath;
    } else if (cgroupPath.equals(mountRoot) || cgroupPath.startsWith(mountRoot + "/")) {
      rel = cgroupPath.substring(mountRoot.length());
    } else {
      return Optional.empty();
    }
    Path p = mount;
    for (String part : rel.split("/")) {
      if (!part.isEmpty()) {
        p = p.resolve(part);
      }
    }
    return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
  }

  /** Octal escapes of {@code /proc/self/mountinfo} ({@code \040} for a space). */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * The v2 directory under which run cgroups are created.
   *
   * @return the parent, empty when v2 cannot be used
   */
  public Optional<Path> v2Parent() {
    return v2Parent;
  }

  /**
   * Controllers run cgroups get on v2.
   *
   * @return a subset of {@link #CONTROLLERS}
   */
  public Set<String> v2Controllers() {
    return v2Controllers;
  }

  /**
   * Why controllers are missing on v2.
   *
   * @return the note, empty when every controller is available
   */
  public String v2Note() {
    return v2Note;
  }

  /**
   * v1 parent directories by controller.
   *
   * @return controller to directory
   */
  public Map<String, Path> v1Parents() {
    return v1Parents;
  }

  /**
   * Kills what is left in run cgroups of JVMs that no longer exist (a JVM killed with SIGKILL cannot clean up) and
   * removes them. Cgroups of live JVMs, including this one, are never touched.
   *
   * @return how many cgroup directories were removed
   */
  public int sweepStale() {
    int removed = 0;
    List<Path> parents = new ArrayList<>();
    v2Parent.ifPresent(parents::add);
    parents.addAll(v1Parents.values());
    for (Path parent : parents) {
      List<Path> children;
      try (Stream<Path> s = Files.list(parent)) {
        children = s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList();
      } catch (IOException e) {
        continue;
      }
      for (Path child : children) {
        Matcher m = RUN_NAME.matcher(child.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid;
        long start;
        try {
          pid = Long.parseLong(m.group(1));
          start = m.group(2) == null ? -1 : Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
          continue;
        }
        // the pid alone is not the JVM: with pid_max 32768 a dead JVM's pid is soon another process's, which kept
        // the dead JVM's cgroups forever; its start time tells them apart (and a zombie JVM runs nothing)
        if (start >= 0 ? ProcessStart.alive(pid, start) : ProcessHandle.of(pid).isPresent()) {
          continue;
        }
        if (CgroupDir.killAndRemove(child)) {
          removed++;
        }
      }
    }
    if (removed > 0) {
      LOG.warn("removed {} cgroups left behind by sandbox runs of JVMs that no longer exist", removed);
    }
    return removed;
  }

  @Override
  public String toString() {
    return "CgroupLayout{v2=" + v2Parent.map(Path::toString).orElse("-") + " " + v2Controllers + ", v1=" + v1Parents + "}";
  }
}
