package dev.secureyeoman.integrations.media.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directories downloads are written to.
 *
 * <p>Layout: a root directory (mode {@code 0700}, owned by this user, not a symbolic link) holds one <em>run</em>
 * directory per live {@code MediaHandler} ({@code run-<random>/}, {@code 0700}) and, beside it, the run's lock file
 * ({@code run-<random>.lock}, {@code 0600}) on which the owning process holds an exclusive {@link FileLock} for its
 * whole life. Files are {@code m-<128 random bits in hex>}, created {@code 0600} with {@code CREATE_NEW} and
 * {@code NOFOLLOW_LINKS}: no platform-supplied text ever reaches a path.
 *
 * <p>Sweeping: the kernel drops a process's locks when it dies, so a run whose lock can be taken belongs to a crashed
 * process and is deleted; runs of live processes (including other handlers in this JVM) are never touched. The lock file
 * is created under a pending name, locked, and only then renamed to the run's name (the lock follows the inode); the run
 * directory is created after that and deleted before the lock file, so a sweeper never mistakes a run that is being set
 * up or torn down for a dead one. Lock files held by this JVM are never opened by its sweeper (closing any descriptor
 * of a file drops the process's POSIX locks on it).
 */
public final class MediaTempStore implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaTempStore.class);
  private static final Set<PosixFilePermission> DIR_0700 = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_0600 = PosixFilePermissions.fromString("rw-------");
  private static final Pattern RUN_DIR = Pattern.compile("run-[0-9a-f]{32}");
  private static final Pattern RUN_LOCK = Pattern.compile("run-[0-9a-f]{32}\\.lock");
  private static final Pattern MEDIA_FILE = Pattern.compile("m-[0-9a-f]{32}");
  private static final Pattern PENDING_LOCK = Pattern.compile("pending-[0-9a-f]{32}\\.lock");

  /**
   * Lock files held by this JVM. POSIX record locks belong to the process and closing <em>any</em> descriptor of a file
   * drops all of them, so the sweeper must never open a lock file that this JVM holds.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  /**
   * File keys (device and inode) of the lock files held by this JVM. A path is only one spelling of a file: a root
   * reached through a symbolic link in a parent, a bind mount or a relative path names the same lock file differently,
   * and opening it under that other name would drop this JVM's lock just the same. The sweeper compares identities.
   */
  private static final Set<Object> HELD_KEYS = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path runDir;
  private final Path lockFile;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Object lockKey;
  private final SecureRandom random;

  private MediaTempStore(
      Path root, Path runDir, Path lockFile, FileChannel lockChannel, FileLock lock, Object lockKey, SecureRandom r) {
    this.root = root;
    this.runDir = runDir;
    this.lockFile = lockFile;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.lockKey = lockKey;
    this.random = r;
  }

  /**
   * Opens (creating if needed) the root, sweeps runs of dead processes and creates this process's run directory.
   *
   * @param root the root directory
   * @param random source of file names
   * @return the store
   * @throws IOException if the root is unsafe (a link, another owner) or cannot be created
   */
  public static MediaTempStore open(Path root, SecureRandom random) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    prepareRoot(absolute);
    sweepDead(absolute);
    for (int attempt = 0; ; attempt++) {
      String name = "run-" + hex(random, 16);
      Path pending = absolute.resolve("pending-" + hex(random, 16) + ".lock");
      Path lockFile = absolute.resolve(name + ".lock");
      HELD.add(pending);
      HELD.add(lockFile);
      FileChannel channel = null;
      FileLock lock = null;
      Object heldKey = null;
      Path run = absolute.resolve(name);
      boolean ok = false;
      try {
        channel =
            FileChannel.open(
                pending,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                perms(FILE_0600));
        lock = channel.lock();
        heldKey = fileKey(pending);
        HELD_KEYS.add(heldKey);
        try {
          // the lock follows the inode: the run's name appears only once it is locked
          Files.move(pending, lockFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
          if (attempt < 3) {
            continue; // a sweeper in another process took the unlocked pending file: try again
          }
          throw e;
        }
        Files.createDirectory(run, perms(DIR_0700));
        Files.setPosixFilePermissions(run, DIR_0700); // umask can only remove bits; make it exact
        PosixFileAttributes rootAttrs =
            Files.readAttributes(absolute, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes runAttrs = Files.readAttributes(run, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!rootAttrs.owner().equals(runAttrs.owner())) {
          throw new IOException("media temp root " + absolute + " belongs to another user");
        }
        ok = true;
        return new MediaTempStore(absolute, run, lockFile, channel, lock, heldKey, random);
      } finally {
        HELD.remove(pending);
        if (!ok) {
          Files.deleteIfExists(run);
          Files.deleteIfExists(lockFile);
          Files.deleteIfExists(pending);
          if (lock != null) {
            lock.release();
          }
          if (channel != null) {
            channel.close();
          }
          HELD.remove(lockFile);
          if (heldKey != null) {
            HELD_KEYS.remove(heldKey);
          }
        }
      }
    }
  }

  private static void prepareRoot(Path root) throws IOException {
    if (Files.isSymbolicLink(root)) {
      throw new IOException("media temp root " + root + " is a symbolic link");
    }
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = root.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(root, perms(DIR_0700));
      } catch (FileAlreadyExistsException e) {
        // created concurrently by another handler: checked below
      }
    }
    PosixFileAttributes attrs = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isDirectory()) {
      throw new IOException("media temp root " + root + " is not a directory");
    }
    if (isSticky(root)) {
      // /tmp, /var/tmp, /dev/shm: never chmod a shared directory or sweep among other users' files
      throw new IOException(
          "media temp root " + root + " is a shared (sticky) directory: use a private directory below it");
    }
    if (!attrs.permissions().equals(DIR_0700)) {
      Files.setPosixFilePermissions(root, DIR_0700); // fails unless we own it
    }
  }

  private static boolean isSticky(Path dir) throws IOException {
    try {
      Object mode = Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & 01000) != 0;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return false; // no unix view: the owner and permission checks still apply
    }
  }

  /**
   * Deletes runs whose owner process is gone (its lock can be taken).
   *
   * @return how many files were deleted
   * @throws IOException if the root cannot be listed
   */
  public int sweep() throws IOException {
    return sweepDead(root);
  }

  private static int sweepDead(Path root) throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (HELD.contains(entry)) {
          continue;
        }
        if (name.endsWith(".lock") && heldByThisJvm(entry)) {
          continue; // the same lock file under another spelling of the root: opening it would drop our lock
        }
        if (PENDING_LOCK.matcher(name).matches()) {
          deleted += sweepRun(root, null, entry);
        } else if (RUN_LOCK.matcher(name).matches()) {
          deleted += sweepRun(root, name.substring(0, name.length() - ".lock".length()), entry);
        } else if (RUN_DIR.matcher(name).matches() && !Files.exists(root.resolve(name + ".lock"))) {
          deleted += deleteRunDir(entry); // lock deleted before the dir was: the owner died while closing
        }
      }
    }
    return deleted;
  }

  private static Object fileKey(Path p) throws IOException {
    Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    if (key == null) {
      throw new IOException("the file system of " + p.getParent() + " reports no file identities: cannot share a root");
    }
    return key;
  }

  private static boolean heldByThisJvm(Path lockFile) {
    try {
      return HELD_KEYS.contains(fileKey(lockFile));
    } catch (IOException e) {
      return true; // gone or unreadable: not ours to sweep now
    }
  }

  private static int sweepRun(Path root, @Nullable String run, Path lockFile) throws IOException {
    try (FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        return 0; // held by a live handler in this JVM
      }
      if (l == null) {
        return 0; // held by a live process
      }
      try {
        int n = run == null ? 0 : deleteRunDir(root.resolve(run));
        Files.deleteIfExists(lockFile);
        if (n > 0) {
          LOG.info("media temp sweeper: removed {} leftover file(s) of a dead process in {}", n, root);
        }
        return n;
      } finally {
        l.release();
      }
    } catch (NoSuchFileException e) {
      return 0; // its owner closed meanwhile
    }
  }

  private static int deleteRunDir(Path dir) throws IOException {
    int n = 0;
    // a download still running can create a file between the listing and the directory's removal: list again until
    // the directory is gone (once it is, no file can be created in it any more); bounded so a hostile writer that keeps
    // creating files cannot hold close() forever
    for (int attempt = 0; ; attempt++) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return n;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          if (Files.deleteIfExists(f)) { // deletes links themselves, never their targets
            n++;
          }
        }
      }
      try {
        Files.deleteIfExists(dir);
        return n;
      } catch (java.nio.file.DirectoryNotEmptyException raced) {
        if (attempt >= 1000) {
          throw raced;
        }
        Thread.onSpinWait();
      }
    }
  }

  /**
   * Creates a new empty file with a random name, mode {@code 0600}, and opens it for writing.
   *
   * @return the path and the open channel
   * @throws IOException if creation fails
   */
  public NewFile create() throws IOException {
    Path file = runDir.resolve("m-" + hex(random, 16));
    FileChannel ch =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS),
            perms(FILE_0600));
    return new NewFile(file, ch);
  }

  /**
   * A created file and its channel.
   *
   * @param path the path inside the run directory
   * @param channel open for reading and writing
   */
  public record NewFile(Path path, FileChannel channel) {}

  /**
   * Returns this process's run directory.
   *
   * @return the directory files are created in
   */
  public Path runDirectory() {
    return runDir;
  }

  /**
   * Returns whether {@code p} is a media file of this run (name shape and parent).
   *
   * @param p a path
   * @return whether it is ours
   */
  public boolean owns(Path p) {
    return runDir.equals(p.getParent()) && MEDIA_FILE.matcher(p.getFileName().toString()).matches();
  }

  /** Deletes every file of this run, the run directory and the lock file, then releases the lock. */
  @Override
  public void close() throws IOException {
    try {
      deleteRunDir(runDir);
      Files.deleteIfExists(lockFile);
    } finally {
      try {
        lock.release();
      } finally {
        lockChannel.close();
        HELD.remove(lockFile);
        HELD_KEYS.remove(lockKey);
      }
    }
  }

  private static String hex(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static FileAttribute<Set<PosixFilePermission>> perms(Set<PosixFilePermission> p) {
    return PosixFilePermissions.asFileAttribute(p);
  }
}
