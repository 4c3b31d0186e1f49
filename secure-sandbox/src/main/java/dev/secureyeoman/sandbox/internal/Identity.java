package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Host user and group a sandbox runs as. When the host JVM is root, every run gets an unprivileged uid of its own from
 * an {@link IdentityPool}: the kernel exempts host uid 0 from {@code RLIMIT_NPROC} even inside a user namespace (so a
 * fork bomb would exhaust the host's pids), uid 0 can read root-only host files through the read-only view, and a uid
 * shared by several runs lets them read each other's files and exhaust each other's per-user kernel quotas.
 *
 * @param uid host uid
 * @param gid host gid
 */
public record Identity(int uid, int gid) {

  /**
   * Validates the ids.
   *
   * @param uid host uid, at least 1
   * @param gid host gid, at least 1
   */
  public Identity {
    if (uid < 1 || gid < 1) {
      throw new IllegalArgumentException("runAs uid and gid must be >= 1 (not root), got " + uid + ":" + gid);
    }
  }

  /**
   * Appends {@code --reuid/--regid/--clear-groups} for setpriv.
   *
   * @param argv the argument vector being built
   */
  void appendSetprivOptions(List<String> argv) {
    argv.add("--reuid=" + uid);
    argv.add("--regid=" + gid);
    argv.add("--clear-groups");
  }

  /**
   * Builds a setpriv prefix switching to this identity.
   *
   * @param setpriv the setpriv executable
   * @return the prefix, ending with {@code --}
   */
  public List<String> setprivPrefix(Path setpriv) {
    List<String> a = new ArrayList<>();
    a.add(setpriv.toString());
    appendSetprivOptions(a);
    a.add("--");
    return a;
  }

  /**
   * Reads the effective uid of this JVM from {@code /proc/self/status}.
   *
   * @return the effective uid, or -1 when unknown
   */
  public static int currentEffectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
