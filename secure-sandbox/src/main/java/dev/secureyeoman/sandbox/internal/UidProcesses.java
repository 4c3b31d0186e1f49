package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The kernel's view of which processes hold a uid: every {@code /proc/<pid>/status} whose real, effective, saved or
 * file-system uid is the uid. Zombies are left out (they run nothing and their parent reaps them); a process whose main
 * thread exited while another thread still runs shows as {@code Z (zombie)} too, so a zombie leader counts as live when
 * any task under {@code /proc/<pid>/task} is not a zombie.
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
        if (holds(p, uid)) {
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

  private static boolean holds(Path process, int uid) {
    String text = read(process.resolve("status"));
    if (text == null || !uidMatches(text, uid)) {
      return false;
    }
    if (!zombie(text)) {
      return true;
    }
    // the main thread exited; the process lives on while any other thread does
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(process.resolve("task"))) {
      for (Path t : tasks) {
        String task = read(t.resolve("status"));
        if (task != null && !zombie(task) && !task.contains("\nState:\tX") && uidMatches(task, uid)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false; // exited meanwhile
    }
    return false;
  }

  private static @Nullable String read(Path status) {
    byte[] buf = new byte[4096];
    try (java.io.FileInputStream in = new java.io.FileInputStream(status.toFile())) {
      int n = 0;
      for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
        n += r;
      }
      return new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null; // exited meanwhile
    }
  }

  private static boolean zombie(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("State:")) {
        return line.contains("Z (zombie)");
      }
    }
    return false;
  }

  private static boolean uidMatches(String status, int uid) {
    String wanted = Integer.toUnsignedString(uid);
    for (String line : status.split("\n")) {
      if (line.startsWith("Uid:")) {
        for (String f : line.substring(4).trim().split("\\s+")) {
          if (f.equals(wanted)) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }
}
