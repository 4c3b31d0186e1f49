package dev.secureyeoman.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: constant shell scripts with data passed as positional parameters. */
final class Sandboxes {
  private Sandboxes() {}

  static final NamespaceRunner RUNNER = NamespaceRunner.create();

  static SandboxPolicy.Builder sh(String script, String... args) {
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
    cmd.addAll(List.of(args));
    return SandboxPolicy.builder(cmd);
  }

  static final int SANDBOX_UID = 65534;

  /** A workspace the unprivileged sandbox user owns, under a searchable parent (the JVM runs as root here). */
  static Path workspace(Path tempDir) throws IOException {
    Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx--x--x"));
    Path ws = Files.createDirectory(tempDir.resolve("ws"));
    if (isRoot()) {
      Files.setAttribute(ws, "unix:uid", SANDBOX_UID);
      Files.setAttribute(ws, "unix:gid", SANDBOX_UID);
    }
    return ws;
  }

  /** Whether a uid is in the runner's default identity pool. */
  static boolean isPoolUid(int uid) {
    return uid >= 0x70000000 && uid < 0x70000000 + 4096;
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static long hostPid() {
    return ProcessHandle.current().pid();
  }
}
