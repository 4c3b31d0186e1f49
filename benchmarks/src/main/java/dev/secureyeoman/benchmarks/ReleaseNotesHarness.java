package dev.secureyeoman.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Question: same as {@link ReleaseNotesBenchmark}, measured robustly on a noisy shared machine. The two variants run
 * interleaved (JGit, git-log baseline, repeat) so load drifts hit them alike; for each it reports the median wall time
 * and the median CPU time spent (this JVM's process CPU, GC and JIT included, plus the CPU of the {@code git}
 * children, read from {@code /proc/self/stat}), because wall time on an overloaded machine mostly measures waiting.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.ReleaseNotesHarness 30}
 */
public final class ReleaseNotesHarness {
  private ReleaseNotesHarness() {}

  /**
   * Runs the harness.
   *
   * @param args optional number of measured rounds (default 30)
   * @throws Exception when a variant fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    ReleaseNotesBenchmark b = new ReleaseNotesBenchmark();
    b.setup();
    try {
      if (!b.jgitReleaseNotes().equals(b.gitLogPipedIntoParser())) {
        throw new IllegalStateException("the two variants do not produce the same Markdown");
      }
      for (int i = 0; i < 10; i++) {
        b.jgitReleaseNotes();
        b.gitLogPipedIntoParser();
      }
      long[][] wall = new long[2][rounds];
      long[][] cpu = new long[2][rounds];
      for (int i = 0; i < rounds; i++) {
        long w0 = System.nanoTime();
        long c0 = cpuNanos();
        b.jgitReleaseNotes();
        long w1 = System.nanoTime();
        long c1 = cpuNanos();
        b.gitLogPipedIntoParser();
        long w2 = System.nanoTime();
        long c2 = cpuNanos();
        wall[0][i] = w1 - w0;
        cpu[0][i] = c1 - c0;
        wall[1][i] = w2 - w1;
        cpu[1][i] = c2 - c1;
      }
      String[] names = {"jgitReleaseNotes", "gitLogPipedIntoParser"};
      for (int v = 0; v < 2; v++) {
        System.out.printf(
            "%-22s wall median %6.1f ms (p10 %6.1f, p90 %6.1f)   cpu median %6.1f ms%n",
            names[v], pct(wall[v], 50), pct(wall[v], 10), pct(wall[v], 90), pct(cpu[v], 50));
      }
      System.out.printf(
          "ratio jgit/baseline: wall %.2f, cpu %.2f%n",
          pct(wall[0], 50) / pct(wall[1], 50), pct(cpu[0], 50) / pct(cpu[1], 50));
    } finally {
      b.tearDown();
    }
  }

  private static double pct(long[] values, int p) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, s.length * p / 100)] / 1e6;
  }

  /** This JVM's CPU time plus that of its terminated, waited-for children (git), in nanoseconds. */
  private static long cpuNanos() throws IOException {
    long self = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime, cstime (fields 16 and 17)
    return self + ticks * 10_000_000L; // USER_HZ = 100 on Linux
  }
}
