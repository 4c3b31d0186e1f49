package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's view of which processes hold a uid: every {@code /proc/<pid>/status} whose real, effective, saved or
 * file-system uid is the uid. Zombies are left out (they run nothing and their parent reaps them).
 *
 * <p>The owner of {@code /proc/<pid>} is not used: a process that cleared its dumpable flag shows as root there.
 */
public final class UidProcesses {
  private UidProcesses() {}

  /**
   * Lists the live processes of a uid.
   *
   * @param proc the proc mount ({@code /proc})
   * @param uid the uid
   * @return their pids (a snapshot: a process may exit, never start, after it was taken, if the caller owns the uid)
   */
  public static List<Long> of(Path proc, int uid) {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(proc)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || name.charAt(0) < '1' || name.charAt(0) > '9') {
          continue;
        }
        if (holds(p.resolve("status"), uid)) {
          pids.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + proc + ": " + e.getMessage(), e);
    }
    return pids;
  }

  /**
   * Tells whether any live process holds the uid.
   *
   * @param uid the uid
   * @return true when at least one does
   */
  public static boolean any(int uid) {
    return !of(Path.of("/proc"), uid).isEmpty();
  }

  private static boolean holds(Path status, int uid) {
    String text;
    byte[] buf = new byte[4096];
    try (java.io.FileInputStream in = new java.io.FileInputStream(status.toFile())) {
      int n = 0;
      for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
        n += r;
      }
      text = new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return false; // exited meanwhile
    }
    boolean uidMatch = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("State:") && line.contains("Z (zombie)")) {
        return false;
      }
      if (line.startsWith("Uid:")) {
        for (String f : line.substring(4).trim().split("\\s+")) {
          if (f.equals(Integer.toUnsignedString(uid))) {
            uidMatch = true;
          }
        }
      }
    }
    return uidMatch;
  }
}
