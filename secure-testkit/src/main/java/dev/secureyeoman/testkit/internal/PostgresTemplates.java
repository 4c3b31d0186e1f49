package dev.secureyeoman.testkit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One {@code initdb} per JVM: the first PostgreSQL server initializes a template data directory, every server (the
 * first included) gets a copy of it. {@code initdb} costs seconds (it bootstraps the catalogs); copying its result
 * costs a fraction of that. Templates are deleted at JVM exit.
 */
public final class PostgresTemplates {
  /** The superuser every testkit cluster has. */
  public static final String SUPERUSER = "test";

  private static final Map<List<Object>, Path> TEMPLATES = new HashMap<>();

  private PostgresTemplates() {}

  /**
   * Copies the template for these parameters (initializing it first if needed) to {@code target}.
   *
   * @param binDir the PostgreSQL bin directory
   * @param user the user the server runs as, or null for this process's user
   * @param base where to create the template if there is none yet
   * @param target the data directory to create
   * @param timeout how long initdb or the copy may take
   */
  public static void copyTo(Path binDir, @Nullable RunAs user, Path base, Path target, Duration timeout) {
    Path template = template(binDir, user, base, timeout);
    Commands.check(
        Spawner.argv(List.of("cp", "-a", template.toString(), target.toString()), user, false),
        timeout,
        "copying the PostgreSQL template data directory");
  }

  private static synchronized Path template(Path binDir, @Nullable RunAs user, Path base, Duration timeout) {
    // one template per binaries and user, wherever the servers are: a copy across file systems is still far cheaper
    // than another initdb
    List<Object> key = List.of(binDir, user == null ? "" : user.name());
    Path existing = TEMPLATES.get(key);
    if (existing != null && Files.isRegularFile(existing.resolve("PG_VERSION"))) {
      return existing;
    }
    // none yet, or deleted under us (a cleaned-up temp directory): initialize again
    Path dir = WorkDirs.create(base, "pg-template");
    AutoCloseable deleteAtExit = () -> WorkDirs.deleteTree(dir);
    Cleanup.register(deleteAtExit);
    if (user != null) {
      WorkDirs.chown(dir, user);
    }
    Path data = dir.resolve("data");
    Commands.check(
        Spawner.argv(
            List.of(
                binDir.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                // test-only: initdb does not fsync what it wrote (the data directory is thrown away after the tests)
                "--no-sync",
                "--no-instructions"),
            user,
            false),
        timeout,
        "initdb");
    TEMPLATES.put(key, data);
    return data;
  }
}
