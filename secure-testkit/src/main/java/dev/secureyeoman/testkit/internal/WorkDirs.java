package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The private directories servers run in: {@code <base>/secure-testkit-<kind>-<random>}, mode 0700, holding an {@code
 * owner} file that names the JVM (pid and start time) and, once a server runs, a {@code server.pid} file.
 *
 * <p>The base is {@code /dev/shm} when it is a tmpfs with at least {@value #MIN_SHM_FREE_MIB} MiB free (a data
 * directory there is created and copied several times faster than on a busy disk, and nothing is written to disk),
 * else {@code java.io.tmpdir}; the system property {@value #BASE_PROPERTY} overrides both.
 */
public final class WorkDirs {
  /** System property naming the directory servers are created in. */
  public static final String BASE_PROPERTY = "secureyeoman.testkit.dir";

  /** The prefix of every directory the testkit creates. */
  public static final String PREFIX = "secure-testkit-";

  static final long MIN_SHM_FREE_MIB = 1024;
  private static final String OWNER_FILE = "owner";
  private static final String SERVER_PID_FILE = "server.pid";
  private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

  private WorkDirs() {}

  /**
   * The default base directory (see the class comment).
   *
   * @return an existing directory
   */
  public static Path defaultBase() {
    String configured = System.getProperty(BASE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    Path shm = Path.of("/dev/shm");
    try {
      if (Files.isDirectory(shm) && Files.isWritable(shm)) {
        FileStore store = Files.getFileStore(shm);
        if ("tmpfs".equals(store.type()) && store.getUsableSpace() >= MIN_SHM_FREE_MIB << 20) {
          return shm;
        }
      }
    } catch (IOException e) {
      // fall through to the temp directory
    }
    return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
  }

  /**
   * Creates a private directory under {@code base}; the first call per base also sweeps stale ones.
   *
   * @param base the base directory
   * @param kind a short name ("pg", "redis")
   * @return the new directory
   */
  public static Path create(Path base, String kind) {
    if (SWEPT.add(base)) {
      sweepStale(base);
    }
    try {
      Files.createDirectories(base);
      Path dir =
          Files.createTempDirectory(
              base, PREFIX + kind + "-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      ProcessHandle self = ProcessHandle.current();
      Properties owner = new Properties();
      owner.setProperty("pid", Long.toString(self.pid()));
      owner.setProperty("start", self.info().startInstant().map(Instant::toString).orElse(""));
      try (var out = Files.newBufferedWriter(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8)) {
        owner.store(out, "secure-testkit: removed by its JVM, or by the next one if that JVM died");
      }
      return dir;
    } catch (IOException e) {
      throw new TestkitException(
          Reason.START_FAILED, "could not create a directory under " + base + ": " + e.getMessage(), e);
    }
  }

  /**
   * Hands {@code dir} (not its content) to {@code user}, keeping mode 0700.
   *
   * @param dir a directory from {@link #create}
   * @param user the new owner
   */
  public static void chown(Path dir, RunAs user) {
    try {
      UserPrincipal principal = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user.name());
      Files.setOwner(dir, principal);
    } catch (IOException e) {
      throw new TestkitException(
          Reason.START_FAILED, "could not give " + dir + " to user " + user.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code user} can reach {@code dir}: every ancestor must let others traverse it, or be owned by the user.
   *
   * @param dir a directory
   * @param user the user a server runs as
   */
  public static void checkTraversable(Path dir, RunAs user) {
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        boolean own = ((Integer) Files.getAttribute(p, "unix:uid")) == user.uid();
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && !own) {
          throw new TestkitException(
              Reason.START_FAILED,
              "user "
                  + user.name()
                  + " cannot reach "
                  + dir
                  + " because "
                  + p
                  + " is not traversable by others; choose another base directory (system property "
                  + BASE_PROPERTY
                  + ")");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Records the pid of the server running in {@code dir}, so that a sweep can kill it if its JVM died.
   *
   * @param dir a directory from {@link #create}
   * @param pid the server's pid
   */
  public static void recordServerPid(Path dir, long pid) {
    try {
      Files.writeString(dir.resolve(SERVER_PID_FILE), Long.toString(pid), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes {@code dir} and everything in it; a missing directory is fine.
   *
   * @param dir a directory
   */
  public static void deleteTree(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              if (e != null && !(e instanceof NoSuchFileException)) {
                throw e;
              }
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }

  /**
   * Removes the directories under {@code base} left by JVMs that are gone (killed before their cleanup ran): kills a
   * server still running in one (only if it runs in that directory: its working directory or command line), removes a PostgreSQL shared-memory
   * segment it left, deletes the directory. Directories of live JVMs, and anything without an owner file, are left alone.
   *
   * @param base a base directory
   * @return the directories removed
   */
  public static List<Path> sweepStale(Path base) {
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, PREFIX + "*")) {
      for (Path dir : entries) {
        if (Files.isDirectory(dir) && isStale(dir)) {
          cleanUpAfter(dir);
          try {
            deleteTree(dir);
            removed.add(dir);
          } catch (UncheckedIOException e) {
            // owned by someone we cannot clean up after: leave it
          }
        }
      }
    } catch (IOException e) {
      // no base directory yet: nothing to sweep
    }
    return removed;
  }

  static boolean isStale(Path dir) {
    Properties owner = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8)) {
      owner.load(in);
    } catch (IOException e) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(owner.getProperty("pid", ""));
    } catch (NumberFormatException e) {
      return false;
    }
    String start = owner.getProperty("start", "");
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    // the pid may have been reused by another process since: compare start times when both are known
    Optional<Instant> started = process.get().info().startInstant();
    return !start.isEmpty() && started.isPresent() && !started.get().toString().equals(start);
  }

  private static void cleanUpAfter(Path dir) {
    try {
      long pid = Long.parseLong(Files.readString(dir.resolve(SERVER_PID_FILE), StandardCharsets.US_ASCII).trim());
      if (!ProcessTrees.isGone(pid) && ProcessTrees.runsIn(pid, dir)) {
        ProcessHandle.of(pid).ifPresent(h -> ProcessTrees.kill(h, true, Duration.ofSeconds(10)));
      }
    } catch (IOException | NumberFormatException e) {
      // no server was started in it
    }
    SysvShm.postgresSegment(dir.resolve("data")).ifPresent(SysvShm::removeIfUnused);
  }
}
