package dev.secureyeoman.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs {@link OwnerOnlyFiles} in a child JVM started by {@link OwnerOnlyFilesTest} under {@code umask 000}. */
final class OwnerOnlyFilesChild {
  private OwnerOnlyFilesChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    OwnerOnlyFiles.createFile(dir.resolve("created.key"));
    OwnerOnlyFiles.createFileIfAbsent(dir.resolve("absent.db"));
    OwnerOnlyFiles.createDirectories(dir.resolve("outer").resolve("inner"));
    AtomicFiles.write(dir.resolve("atomic.bin"), "secret".getBytes(StandardCharsets.UTF_8));
  }
}
