package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends in a loop with SIGKILL at random moments; after each kill the database must verify and
 * hold every entry whose append had returned in the child.
 */
class CrashTest {
  private static final int TRIALS = 20;

  @TempDir Path dir;

  @Test
  void sigkillAtRandomMoments_committedAppendsSurvive_andLogVerifies() throws Exception {
    Path db = dir.resolve("crash.db");
    Random random = new Random(0xC0FFEE);
    Map<Long, String> reported = new HashMap<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int trial = 0; trial < TRIALS; trial++) {
      ProcessBuilder pb =
          new ProcessBuilder(
              java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
              "-cp", System.getProperty("java.class.path"),
              CrashChild.class.getName(), db.toString(), "t" + trial);
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      // stdout goes to a file: whatever the child wrote before SIGKILL is in the kernel and survives its death
      Path outFile = dir.resolve("child-" + trial + ".out");
      pb.redirectOutput(outFile.toFile());
      Process p = pb.start();
      int killAfter = random.nextInt(400); // committed appends seen before the kill; 0 = right after it opened the DB
      try (BufferedReader r = Files.newBufferedReader(outFile, StandardCharsets.UTF_8)) {
        int seen = 0;
        boolean ready = false;
        StringBuilder partial = new StringBuilder();
        while (p.isAlive() && (!ready || seen < killAfter)) {
          int c = r.read();
          if (c < 0) {
            LockSupport.parkNanos(500_000); // poll the child's output file
            continue;
          }
          if (c != '\n') {
            partial.append((char) c);
            continue;
          }
          String line = partial.toString();
          partial.setLength(0);
          if (line.equals("READY")) {
            ready = true;
          } else if (record(line, reported)) {
            seen++;
          } else if (line.startsWith("FAIL")) {
            throw new AssertionError("child failed: " + line);
          }
        }
        p.destroyForcibly(); // SIGKILL on Linux
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(ready, "child never became ready");
      }
      for (String line : Files.readAllLines(outFile, StandardCharsets.UTF_8)) {
        record(line, reported); // every line completed before the kill
      }
      assertEquals(137, p.exitValue(), "killed by SIGKILL");
      try (AuditStore s = TestSupport.open(db)) {
        VerificationResult v = s.verify();
        assertTrue(v.valid(), "trial " + trial + ": " + v.summary());
        Map<Long, String> stored = new HashMap<>();
        long after = 0;
        while (true) {
          List<AuditEntry> page = s.query(AuditQuery.builder().afterSeq(after).limit(AuditQuery.MAX_LIMIT).build());
          if (page.isEmpty()) {
            break;
          }
          for (AuditEntry e : page) {
            stored.put(e.seq(), e.message());
          }
          after = page.get(page.size() - 1).seq();
        }
        for (Map.Entry<Long, String> e : reported.entrySet()) {
          assertEquals(e.getValue(), stored.get(e.getKey()), "trial " + trial + ": committed append seq " + e.getKey());
        }
      }
    }
    assertTrue(reported.size() > TRIALS, "children committed appends: " + reported.size());
  }

  private static boolean record(String line, Map<Long, String> reported) {
    if (!line.startsWith("OK ") || !line.endsWith(" END")) {
      return false; // a line cut off by the kill was never completely reported
    }
    String[] parts = line.split(" ");
    if (parts.length != 4) {
      return false;
    }
    reported.put(Long.parseLong(parts[1]), parts[2]);
    return true;
  }
}
