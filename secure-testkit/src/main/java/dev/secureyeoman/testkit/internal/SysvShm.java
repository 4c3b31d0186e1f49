package dev.secureyeoman.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * System V shared memory segments. PostgreSQL keeps a small one as an interlock for its data directory; a clean stop
 * removes it, a SIGKILLed server leaves it behind (restarting on the same data directory removes it, deleting the
 * directory does not), so the testkit removes it itself after a kill.
 */
public final class SysvShm {
  private static final Path TABLE = Path.of("/proc/sysvipc/shm");

  private SysvShm() {}

  /**
   * A segment: its key and its id (the pair PostgreSQL records, so that a reused id is not mistaken for ours).
   *
   * @param key the IPC key
   * @param id the segment id
   */
  public record Segment(long key, int id) {}

  /**
   * The attach count of {@code segment}, empty if it does not exist.
   *
   * @param segment a segment
   * @return its number of attached processes
   */
  public static OptionalInt attachCount(Segment segment) {
    try {
      List<String> lines = Text.readProc(TABLE).lines().toList();
      // header: key shmid perms size cpid lpid nattch ...
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 6
            && f[0].equals(Long.toString(segment.key()))
            && f[1].equals(Integer.toString(segment.id()))) {
          return OptionalInt.of(Integer.parseInt(f[6]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc/sysvipc: nothing to report
    }
    return OptionalInt.empty();
  }

  /**
   * The segment a PostgreSQL data directory's {@code postmaster.pid} names (line 7: key and id), if any.
   *
   * @param dataDirectory a PostgreSQL data directory
   * @return the segment
   */
  public static Optional<Segment> postgresSegment(Path dataDirectory) {
    try {
      List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      if (lines.size() >= 7) {
        String[] f = lines.get(6).trim().split("\\s+");
        if (f.length == 2) {
          return Optional.of(new Segment(Long.parseLong(f[0]), Integer.parseInt(f[1])));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no lock file: the server never started or stopped cleanly
    }
    return Optional.empty();
  }

  /**
   * Removes {@code segment} if it still exists and nobody is attached to it any more.
   *
   * @param segment a segment
   * @return true if it was removed
   */
  public static boolean removeIfUnused(Segment segment) {
    OptionalInt attached = attachCount(segment);
    if (attached.isEmpty() || attached.getAsInt() != 0) {
      return false;
    }
    return Commands.run(List.of("ipcrm", "-m", Integer.toString(segment.id())), Duration.ofSeconds(10)).exitCode()
        == 0;
  }
}
