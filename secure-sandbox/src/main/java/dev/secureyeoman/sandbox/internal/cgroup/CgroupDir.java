package dev.secureyeoman.sandbox.internal.cgroup;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operations on one cgroup directory (v1 or v2): members, kill, wait until empty, remove. */
final class CgroupDir {
  private static final Logger LOG = LoggerFactory.getLogger(CgroupDir.class);

  /** How long the kernel gets to reap killed members before teardown is declared failed. */
  static final long EMPTY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** How long the members of a run get to exit on their own after the backend's monitor exited. */
  static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** How long an {@code rmdir} answered with {@code EBUSY} is retried (members that just exited). */
  static final long REMOVE_BUSY_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Kill rounds of the v1 loop (each reads the member list and kills it). */
  private static final int KILL_ROUNDS = 200;

  private CgroupDir() {}

  static List<Long> members(Path dir) {
    List<Long> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
        if (!line.isBlank()) {
          out.add(Long.parseLong(line.strip()));
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | NumberFormatException e) {
      LOG.debug("cannot read members of {}", dir, e);
    }
    return out;
  }

  /** v2 {@code cgroup.events populated}, or a non-empty member list on v1. */
  static boolean populated(Path dir) {
    Path events = dir.resolve("cgroup.events");
    if (Files.exists(events)) {
      return keyedValue(events, "populated").orElse(0) != 0;
    }
    return !members(dir).isEmpty();
  }

  /** A {@code key value} line of a flat-keyed cgroup file. */
  static OptionalLong keyedValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        int sp = line.indexOf(' ');
        if (sp > 0 && line.substring(0, sp).equals(key)) {
          return OptionalLong.of(Long.parseLong(line.substring(sp + 1).strip()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("cannot read {} from {}", key, file, e);
    }
    return OptionalLong.empty();
  }

  static void write(Path file, String value) throws IOException {
    Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
  }

  /** {@code cgroup.kill} when the kernel has it (v2, 5.14+); returns whether it was written. */
  static boolean killV2(Path dir) {
    Path kill = dir.resolve("cgroup.kill");
    if (!Files.exists(kill)) {
      return false;
    }
    try {
      write(kill, "1");
      return true;
    } catch (IOException e) {
      LOG.warn("cgroup.kill of {} failed: {}", dir, e.toString());
      return false;
    }
  }

  /** Freezes a v1 freezer cgroup, kills every member, thaws it (the kills are delivered on thaw). */
  static void freezeAndKill(Path dir) {
    Path state = dir.resolve("freezer.state");
    try {
      write(state, "FROZEN");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      String s;
      long park = 50_000;
      while (!(s = Files.readString(state, StandardCharsets.US_ASCII).strip()).equals("FROZEN")
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(park);
        park = Math.min(park * 2, 5_000_000);
      }
      if (!s.equals("FROZEN")) {
        LOG.warn("freezer {} stayed {}; killing without a freeze", dir, s);
      }
      killMembers(dir);
    } catch (IOException e) {
      LOG.warn("freezing {} failed: {}", dir, e.toString());
      killLoop(dir);
    } finally {
      try {
        write(state, "THAWED");
      } catch (IOException e) {
        LOG.warn("thawing {} failed: {}", dir, e.toString());
      }
    }
  }

  /** Kills the members until none is left or the rounds run out. */
  static void killLoop(Path dir) {
    for (int round = 0; round < KILL_ROUNDS; round++) {
      if (killMembers(dir) == 0) {
        return;
      }
    }
  }

  /**
   * Kills the listed members without trusting the list: a pid read from {@code cgroup.procs} may name another process
   * by the time it is signalled. Each pid is pinned with a pidfd first; only when the pinned process is then still in
   * this cgroup ({@code /proc/<pid>/cgroup} names it) is the signal sent, through the pidfd.
   */
  private static int killMembers(Path dir) {
    List<Long> pids = members(dir);
    long self = ProcessHandle.current().pid();
    LinuxNative nat = nativeOrNull();
    for (long pid : pids) {
      if (pid == self) {
        continue;
      }
      if (nat == null) {
        if (isMember(pid, dir)) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // no pidfd: best effort
        }
        continue;
      }
      int fd;
      try {
        fd = nat.pidfdOpen(pid);
      } catch (ErrnoException e) {
        continue; // gone
      }
      try {
        if (isMember(pid, dir)) {
          nat.pidfdSendSignal(fd, 9);
        }
      } catch (ErrnoException e) {
        LOG.debug("member {} of {} exited before the kill", pid, dir);
      } finally {
        nat.close(fd);
      }
    }
    return pids.size();
  }

  private static @Nullable LinuxNative nativeOrNull() {
    try {
      return JnaLinuxNative.load();
    } catch (UnsupportedOperationException | LinkageError e) {
      return null;
    }
  }

  /** Whether the process's own {@code /proc/<pid>/cgroup} places it in the (uniquely named) cgroup {@code dir}. */
  static boolean isMember(long pid, Path dir) {
    String name = "/" + dir.getFileName();
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"), StandardCharsets.US_ASCII)) {
        if (line.endsWith(name) || line.contains(name + "/")) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /**
   * Waits until the cgroup has no member.
   *
   * @return whether it became empty before the deadline
   */
  static boolean awaitEmpty(Path dir, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    long park = 20_000;
    while (populated(dir)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      LockSupport.parkNanos(park);
      park = Math.min(park * 2, 2_000_000);
    }
    return true;
  }

  static boolean remove(Path dir) {
    return remove(dir, REMOVE_BUSY_NANOS);
  }

  /**
   * Removes an empty cgroup directory, retrying while the kernel still answers {@code EBUSY}: on recent kernels (seen
   * on 6.18) a task that has exited — gone from {@code cgroup.procs}, {@code populated 0} — is unlinked from its cgroup
   * only after its final context switch, so an {@code rmdir} right after the last member died can fail briefly.
   *
   * @param dir the cgroup directory
   * @param busyNanos how long {@code EBUSY} is retried
   * @return whether the directory is gone
   */
  static boolean remove(Path dir, long busyNanos) {
    long deadline = System.nanoTime() + busyNanos;
    long park = 50_000;
    while (true) {
      try {
        Files.deleteIfExists(dir);
        return true;
      } catch (FileSystemException e) {
        boolean busy = e.getReason() != null && e.getReason().contains("busy");
        if (!busy || System.nanoTime() >= deadline) {
          LOG.warn("cannot remove cgroup {}: {}", dir, e.toString());
          return false;
        }
        LockSupport.parkNanos(park);
        park = Math.min(park * 2, 20_000_000);
      } catch (IOException e) {
        LOG.warn("cannot remove cgroup {}: {}", dir, e.toString());
        return false;
      }
    }
  }

  /** Sweep of a dead JVM's run cgroup: kill what is left, wait, remove. */
  static boolean killAndRemove(Path dir) {
    if (populated(dir)) {
      LOG.warn("processes of a dead JVM's sandbox run are still alive in {}; killing them", dir);
      if (!killV2(dir)) {
        if (Files.exists(dir.resolve("freezer.state"))) {
          freezeAndKill(dir);
        } else {
          killLoop(dir);
        }
      }
      if (!awaitEmpty(dir, EMPTY_TIMEOUT_NANOS)) {
        return false;
      }
    }
    return remove(dir);
  }
}
