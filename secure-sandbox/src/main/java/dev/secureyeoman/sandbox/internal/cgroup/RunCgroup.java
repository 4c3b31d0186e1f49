package dev.secureyeoman.sandbox.internal.cgroup;

import dev.secureyeoman.sandbox.AppliedLimit;
import dev.secureyeoman.sandbox.LimitEnforcement;
import dev.secureyeoman.sandbox.ResourceLimit;
import dev.secureyeoman.sandbox.ResourceLimits;
import dev.secureyeoman.sandbox.SandboxException;
import dev.secureyeoman.sandbox.Teardown;
import dev.secureyeoman.sandbox.internal.Containment;
import dev.secureyeoman.sandbox.internal.ProcessStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroups of one run: a v2 directory (teardown by {@code cgroup.kill}, limits when the controllers are delegated)
 * and v1 directories for the limits and the teardown the v2 one cannot provide. The launcher writes its own pid to every
 * {@link #joinFiles()} before it executes the backend, so every process of the run is a member from its first fork;
 * the sandbox cannot leave (the files belong to the JVM's user and {@code /sys} is read-only inside).
 */
public final class RunCgroup implements Containment {
  private static final Logger LOG = LoggerFactory.getLogger(RunCgroup.class);
  private static final AtomicLong SEQ = new AtomicLong();
  private static final long CPU_PERIOD_US = 100_000;

  private final Path v2Dir; // null when v2 is not used
  private final Map<String, Path> v1Dirs;
  private final Teardown teardown;
  private final Path membership; // the directory whose members are the run
  private final List<AppliedLimit> applied;
  private final Map<ResourceLimit, String> unapplied;

  private RunCgroup(
      Path v2Dir,
      Map<String, Path> v1Dirs,
      Teardown teardown,
      Path membership,
      List<AppliedLimit> applied,
      Map<ResourceLimit, String> unapplied) {
    this.v2Dir = v2Dir;
    this.v1Dirs = v1Dirs;
    this.teardown = teardown;
    this.membership = membership;
    this.applied = List.copyOf(applied);
    this.unapplied = Map.copyOf(unapplied);
  }

  /**
   * A unique cgroup name for a run of this JVM: {@code sy-<pid>-<sequence>-<random>}.
   *
   * @return the name
   */
  public static String newName() {
    return CgroupLayout.PREFIX
        + ProcessHandle.current().pid()
        + "-t"
        + ProcessStart.SELF
        + "-"
        + SEQ.incrementAndGet()
        + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF);
  }

  /**
   * Creates the run's cgroups and writes the limits they enforce.
   *
   * @param layout where cgroups can be created
   * @param name a unique name ({@link #newName()})
   * @param limits the requested limits; MEMORY, PROCESSES, CPU_QUOTA and CPU_SECONDS are handled here
   * @return the cgroups, or empty when no cgroup could be created (nothing is left behind then)
   */
  public static Optional<RunCgroup> create(CgroupLayout layout, String name, ResourceLimits limits) {
    Path v2 = null;
    Map<String, Path> v1 = new LinkedHashMap<>();
    List<AppliedLimit> applied = new ArrayList<>();
    Map<ResourceLimit, String> unapplied = new EnumMap<>(ResourceLimit.class);
    try {
      if (layout.v2Parent().isPresent()) {
        Path d = layout.v2Parent().get().resolve(name);
        try {
          Files.createDirectory(d);
          v2 = d;
        } catch (IOException e) {
          LOG.debug("cannot create cgroup {}: {}", d, e.toString());
        }
      }
      OptionalLong memory = limits.get(ResourceLimit.MEMORY);
      if (memory.isPresent()) {
        long bytes = memory.getAsLong();
        if (v2 != null && layout.v2Controllers().contains("memory")) {
          CgroupDir.write(v2.resolve("memory.max"), Long.toString(bytes));
          if (Files.exists(v2.resolve("memory.swap.max"))) {
            CgroupDir.write(v2.resolve("memory.swap.max"), "0");
          }
          applied.add(new AppliedLimit(ResourceLimit.MEMORY, bytes, LimitEnforcement.CGROUP_V2));
        } else if (layout.v1Parents().containsKey("memory")) {
          Path d = v1Dir(layout, v1, "memory", name);
          CgroupDir.write(d.resolve("memory.limit_in_bytes"), Long.toString(bytes));
          if (Files.exists(d.resolve("memory.memsw.limit_in_bytes"))) {
            CgroupDir.write(d.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));
          }
          applied.add(new AppliedLimit(ResourceLimit.MEMORY, bytes, LimitEnforcement.CGROUP_V1));
        } else {
          unapplied.put(ResourceLimit.MEMORY, "no writable memory cgroup: " + layout.v2Note());
        }
      }
      OptionalLong pids = limits.get(ResourceLimit.PROCESSES);
      if (pids.isPresent()) {
        if (v2 != null && layout.v2Controllers().contains("pids")) {
          CgroupDir.write(v2.resolve("pids.max"), Long.toString(pids.getAsLong()));
          applied.add(new AppliedLimit(ResourceLimit.PROCESSES, pids.getAsLong(), LimitEnforcement.CGROUP_V2));
        } else if (layout.v1Parents().containsKey("pids")) {
          CgroupDir.write(v1Dir(layout, v1, "pids", name).resolve("pids.max"), Long.toString(pids.getAsLong()));
          applied.add(new AppliedLimit(ResourceLimit.PROCESSES, pids.getAsLong(), LimitEnforcement.CGROUP_V1));
        } else {
          unapplied.put(ResourceLimit.PROCESSES, "no writable pids cgroup: " + layout.v2Note());
        }
      }
      OptionalLong quota = limits.get(ResourceLimit.CPU_QUOTA);
      if (quota.isPresent()) {
        long us = Math.max(1000, quota.getAsLong() * CPU_PERIOD_US / 1000);
        if (v2 != null && layout.v2Controllers().contains("cpu")) {
          CgroupDir.write(v2.resolve("cpu.max"), us + " " + CPU_PERIOD_US);
          applied.add(new AppliedLimit(ResourceLimit.CPU_QUOTA, quota.getAsLong(), LimitEnforcement.CGROUP_V2));
        } else if (layout.v1Parents().containsKey("cpu")) {
          Path d = v1Dir(layout, v1, "cpu", name);
          CgroupDir.write(d.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_US));
          CgroupDir.write(d.resolve("cpu.cfs_quota_us"), Long.toString(us));
          applied.add(new AppliedLimit(ResourceLimit.CPU_QUOTA, quota.getAsLong(), LimitEnforcement.CGROUP_V1));
        } else {
          unapplied.put(ResourceLimit.CPU_QUOTA, "no writable cpu cgroup: " + layout.v2Note());
        }
      }
      OptionalLong cpu = limits.get(ResourceLimit.CPU_SECONDS);
      if (cpu.isPresent()) {
        if (v2 != null && Files.exists(v2.resolve("cpu.stat"))) {
          applied.add(new AppliedLimit(ResourceLimit.CPU_SECONDS, cpu.getAsLong(), LimitEnforcement.CGROUP_ACCOUNTING));
        } else if (layout.v1Parents().containsKey("cpuacct")) {
          v1Dir(layout, v1, "cpuacct", name);
          applied.add(new AppliedLimit(ResourceLimit.CPU_SECONDS, cpu.getAsLong(), LimitEnforcement.CGROUP_ACCOUNTING));
        }
        // otherwise RLIMIT_CPU per process is all there is; the planner reports it
      }
      Teardown teardown;
      Path membership;
      if (v2 != null && Files.exists(v2.resolve("cgroup.kill"))) {
        teardown = Teardown.CGROUP_V2_KILL;
        membership = v2;
      } else if (layout.v1Parents().containsKey("freezer")) {
        membership = v1Dir(layout, v1, "freezer", name);
        teardown = Teardown.CGROUP_V1_FREEZE_KILL;
      } else if (v2 != null) {
        teardown = Teardown.CGROUP_KILL_LOOP;
        membership = v2;
      } else if (!v1.isEmpty()) {
        teardown = Teardown.CGROUP_KILL_LOOP;
        membership = v1.values().iterator().next();
      } else if (layout.v1Parents().containsKey("pids")) {
        membership = v1Dir(layout, v1, "pids", name);
        teardown = Teardown.CGROUP_KILL_LOOP;
      } else {
        return Optional.empty();
      }
      return Optional.of(new RunCgroup(v2, v1, teardown, membership, applied, unapplied));
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot set up the run's cgroups ({}): {}", name, e.toString());
      v1.values().forEach(CgroupDir::remove);
      if (v2 != null) {
        CgroupDir.remove(v2);
      }
      return Optional.empty();
    }
  }

  private static Path v1Dir(CgroupLayout layout, Map<String, Path> v1, String controller, String name)
      throws IOException {
    Path existing = v1.get(controller);
    if (existing != null) {
      return existing;
    }
    Path d = layout.v1Parents().get(controller).resolve(name);
    // hierarchies mounted together (cpu,cpuacct) share one directory
    for (Path p : v1.values()) {
      if (p.equals(d)) {
        v1.put(controller, d);
        return d;
      }
    }
    Files.createDirectory(d);
    v1.put(controller, d);
    return d;
  }

  @Override
  public List<Path> joinFiles() {
    List<Path> files = new ArrayList<>();
    if (v2Dir != null) {
      files.add(v2Dir.resolve("cgroup.procs"));
    }
    v1Dirs.values().stream().distinct().forEach(d -> files.add(d.resolve("cgroup.procs")));
    return files;
  }

  @Override
  public Teardown teardown() {
    return teardown;
  }

  @Override
  public List<AppliedLimit> appliedLimits() {
    return applied;
  }

  @Override
  public Map<ResourceLimit, String> unappliedLimits() {
    return unapplied;
  }

  /**
   * The directories of this run (v2 first), for diagnostics and tests.
   *
   * @return the directories
   */
  public List<Path> directories() {
    List<Path> dirs = new ArrayList<>();
    if (v2Dir != null) {
      dirs.add(v2Dir);
    }
    v1Dirs.values().stream().distinct().forEach(dirs::add);
    return dirs;
  }

  @Override
  public void killAll() {
    switch (teardown) {
      case CGROUP_V2_KILL:
        if (CgroupDir.killV2(membership)) {
          return;
        }
        CgroupDir.killLoop(membership);
        return;
      case CGROUP_V1_FREEZE_KILL:
        CgroupDir.freezeAndKill(membership);
        return;
      default:
        CgroupDir.killLoop(membership);
    }
  }

  @Override
  public int ensureEmpty() throws SandboxException {
    // the backend's init dies with its monitor (parent-death signal) and takes the pid namespace with it: give the
    // kernel a moment; whatever is still there after that survived the namespace's teardown
    if (CgroupDir.awaitEmpty(membership, CgroupDir.GRACE_NANOS)) {
      return 0;
    }
    int lingering = Math.max(1, CgroupDir.members(membership).size());
    killAll();
    if (!CgroupDir.awaitEmpty(membership, CgroupDir.EMPTY_TIMEOUT_NANOS)) {
      throw new SandboxException(
          SandboxException.Reason.TEARDOWN_FAILED,
          "processes of the run are still alive after the kill: "
              + CgroupDir.members(membership)
              + " in "
              + membership);
    }
    return lingering;
  }

  @Override
  public OptionalLong cpuUsageNanos() {
    if (v2Dir != null && Files.exists(v2Dir.resolve("cpu.stat"))) {
      OptionalLong us = CgroupDir.keyedValue(v2Dir.resolve("cpu.stat"), "usage_usec");
      return us.isPresent() ? OptionalLong.of(us.getAsLong() * 1000) : us;
    }
    Path acct = v1Dirs.get("cpuacct");
    if (acct != null) {
      try {
        return OptionalLong.of(Long.parseLong(Files.readString(acct.resolve("cpuacct.usage")).strip()));
      } catch (IOException | NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.empty();
  }

  @Override
  public int oomKills() {
    if (v2Dir != null && Files.exists(v2Dir.resolve("memory.events"))) {
      return (int) CgroupDir.keyedValue(v2Dir.resolve("memory.events"), "oom_kill").orElse(0);
    }
    Path mem = v1Dirs.get("memory");
    if (mem != null) {
      return (int) CgroupDir.keyedValue(mem.resolve("memory.oom_control"), "oom_kill").orElse(0);
    }
    return 0;
  }

  @Override
  public void close() {
    for (Path d : v1Dirs.values().stream().distinct().toList()) {
      CgroupDir.remove(d);
    }
    if (v2Dir != null) {
      CgroupDir.remove(v2Dir);
    }
  }

  @Override
  public String toString() {
    return "RunCgroup{" + directories() + ", " + teardown + "}";
  }
}
