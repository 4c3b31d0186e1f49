package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private copies of plugin jars: the class loaders read these, never the files in the plugin directory, so replacing or
 * deleting a plugin jar cannot corrupt a loaded plugin, and the sha256 checked is the hash of the bytes loaded.
 *
 * <p>Layout: {@code <root>/run-XXXX/} per process (0700, holding an exclusive lock on {@code .lock} while it lives),
 * {@code run-XXXX/gN.jar} (created 0400) per loaded plugin generation, plus {@code run-XXXX/gN.lib/K.jar} for
 * extracted nested libraries. Few file-system operations per jar: loading cost is dominated by them. On open, run
 * directories of <em>dead</em> processes (lock obtainable) are swept; live processes' copies are never touched.
 */
final class ShadowStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShadowStore.class);
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--------");
  private static final String LOCK = ".lock";
  /** A run directory without a lock file is only swept when older than this (it may be being created). */
  private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(10);

  /**
   * Run directories of the stores open in this JVM. The sweep must never open their lock files: on Linux, closing any
   * channel to a file releases every POSIX lock this process holds on it, so merely looking would drop a live lock.
   */
  private static final Set<Path> LIVE_RUNS = ConcurrentHashMap.newKeySet();

  /** Host lock files held in this JVM (same reason: a second channel must never be opened and closed on them). */
  private static final Set<Path> HELD_HOST_LOCKS = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path runDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final AtomicLong generation = new AtomicLong();

  /**
   * A verified copy of one jar.
   *
   * @param jar the copy (read-only)
   * @param libDir where nested libraries of this generation are extracted (created on demand)
   * @param sha256 hash of the bytes copied
   * @param size bytes copied
   * @param head the first (up to) four bytes, for the zip signature check without another read
   */
  record ShadowCopy(Path jar, Path libDir, String sha256, long size, byte[] head) {}

  private ShadowStore(Path root, Path runDir, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.runDir = runDir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Default root: {@code <java.io.tmpdir>/secureyeoman-plugins-<user.name>}. */
  static Path defaultRoot() {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), "secureyeoman-plugins-" + user);
  }

  /** Creates (or checks) the private root, sweeps dead runs, and starts this process's run directory. */
  static ShadowStore open(Path root) throws PluginException {
    try {
      PosixFileAttributes rootAttrs = ensurePrivateDirectory(root);
      sweep(root);
      Path run = Files.createTempDirectory(root, "run-", PosixFilePermissions.asFileAttribute(DIR_MODE));
      if (!Files.getOwner(run, LinkOption.NOFOLLOW_LINKS).equals(rootAttrs.owner())) {
        Files.delete(run);
        throw new IOException(root + " belongs to another user");
      }
      FileChannel ch = FileChannel.open(run.resolve(LOCK), Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE));
      FileLock lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        throw new IOException("cannot lock the new run directory " + run);
      }
      LIVE_RUNS.add(run.toAbsolutePath().normalize());
      return new ShadowStore(root, run, ch, lock);
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, String.valueOf(root),
          "cannot prepare the shadow directory (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  Path runDirectory() {
    return runDir;
  }

  /**
   * Copies {@code source} into a new generation directory while hashing it; refuses symbolic links (checked and opened
   * with {@code O_NOFOLLOW}), non-regular files and files larger than {@code maxBytes} (stops reading at max + 1).
   */
  ShadowCopy copy(Path source, String jarName, long maxBytes) throws PluginException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(source, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw PluginException.forJar(Reason.NOT_A_FILE, jarName, "no such file");
    } catch (IOException e) {
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot stat (" + e.getClass().getSimpleName() + ")", e);
    }
    if (attrs.isSymbolicLink()) {
      throw PluginException.forJar(Reason.SYMLINK, jarName, "is a symbolic link (refused, not followed)");
    }
    if (!attrs.isRegularFile()) {
      throw PluginException.forJar(Reason.NOT_A_FILE, jarName, "is not a regular file");
    }
    if (attrs.size() > maxBytes) {
      throw tooLarge(jarName, maxBytes);
    }
    long g = generation.incrementAndGet();
    Path target = runDir.resolve("g" + g + ".jar");
    ShadowCopy pending = new ShadowCopy(target, runDir.resolve("g" + g + ".lib"), "", 0, new byte[0]);
    byte[] head = new byte[4];
    int headLength = 0;
    MessageDigest sha = sha256();
    long total = 0;
    // created read-only (0400) in one open(O_CREAT|O_EXCL): the descriptor is writable, the file never is
    try (InputStream in = Files.newInputStream(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Channels.newOutputStream(Files.newByteChannel(target,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(READ_ONLY)))) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) {
          throw tooLarge(jarName, maxBytes);
        }
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
        int take = Math.min(n, head.length - headLength);
        System.arraycopy(buf, 0, head, headLength, take);
        headLength += take;
      }
    } catch (PluginException e) {
      delete(pending);
      throw e;
    } catch (FileSystemException e) {
      delete(pending);
      if (String.valueOf(e.getReason()).contains("symbolic link")) {
        throw PluginException.forJar(Reason.SYMLINK, jarName, "became a symbolic link while being read (refused)");
      }
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot copy (" + e.getClass().getSimpleName() + ")", e);
    } catch (IOException e) {
      delete(pending);
      throw PluginException.forJar(Reason.IO_ERROR, jarName, "cannot copy (" + e.getClass().getSimpleName() + ")", e);
    }
    return new ShadowCopy(target, pending.libDir(), HexFormat.of().formatHex(sha.digest()), total,
        java.util.Arrays.copyOf(head, headLength));
  }

  /** Deletes one generation's copy and extracted libraries, never following links. */
  void delete(ShadowCopy copy) {
    if (!copy.jar().startsWith(runDir) || !copy.libDir().startsWith(runDir)) {
      throw new IllegalArgumentException("not a shadow path: " + copy.jar());
    }
    try {
      Files.deleteIfExists(copy.jar());
    } catch (IOException e) {
      LOG.warn("cannot delete shadow copy {} ({})", copy.jar(), e.getClass().getSimpleName());
    }
    deleteTree(copy.libDir());
  }

  @Override
  public void close() {
    deleteTree(runDir); // while still locked: no other process may sweep it half-way
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.debug("cannot release {}", runDir, e);
    }
    LIVE_RUNS.remove(runDir.toAbsolutePath().normalize());
  }

  /**
   * Takes the exclusive host lock for one plugin directory: {@code <root>/host-<hash of its real path>.lock}, held
   * until the returned handle is closed. Refused ({@link Reason#LOCKED}) while another loader, in this JVM or another
   * process of the same user, holds it.
   */
  AutoCloseable lockHost(Path pluginDirectory) throws PluginException {
    String name;
    try {
      Path real = pluginDirectory.toRealPath();
      name = "host-" + HexFormat.of().formatHex(sha256().digest(real.toString().getBytes(
          java.nio.charset.StandardCharsets.UTF_8)), 0, 16) + ".lock";
    } catch (IOException e) {
      // a missing directory is reported by scan(); lock its normalised absolute path instead
      name = "host-" + HexFormat.of().formatHex(sha256().digest(pluginDirectory.toAbsolutePath().normalize()
          .toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 16) + ".lock";
    }
    Path file = root.resolve(name).toAbsolutePath().normalize();
    if (!HELD_HOST_LOCKS.add(file)) {
      throw locked(pluginDirectory, "another plugin loader in this process");
    }
    try {
      FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE_MODE));
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      if (l == null) {
        ch.close(); // no lock of ours on this file in this JVM (checked above), so closing drops nothing
        HELD_HOST_LOCKS.remove(file);
        throw locked(pluginDirectory, "another process");
      }
      return () -> {
        try {
          l.release();
          ch.close();
        } finally {
          HELD_HOST_LOCKS.remove(file);
        }
      };
    } catch (IOException e) {
      HELD_HOST_LOCKS.remove(file);
      throw PluginException.forJar(Reason.IO_ERROR, String.valueOf(pluginDirectory),
          "cannot take the host lock (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static PluginException locked(Path dir, String holder) {
    return PluginException.forJar(Reason.LOCKED, String.valueOf(dir), "the plugin directory is in use by " + holder
        + " (one host per plugin directory; use exclusive(false) for read-only checks)");
  }

  private static PluginException tooLarge(String jarName, long maxBytes) {
    return PluginException.forJar(Reason.TOO_LARGE, jarName, "larger than " + maxBytes + " bytes");
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** Creates the root 0700, or checks that an existing one is a directory (not a link) not writable by others. */
  private static PosixFileAttributes ensurePrivateDirectory(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(root.getParent());
      try {
        Files.createDirectory(root, PosixFilePermissions.asFileAttribute(DIR_MODE));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // another process created it: checked below
      }
    }
    PosixFileAttributes a = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isDirectory()) {
      throw new IOException(root + " is not a directory (or is a symbolic link)");
    }
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(root + " is writable by group or others");
    }
    if (!p.equals(DIR_MODE)) {
      throw new IOException(root + " must be accessible by its owner only (mode 0700), is "
          + PosixFilePermissions.toString(p));
    }
    checkAncestors(root, (Integer) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    return a;
  }

  /**
   * Every directory above the root (after resolving links) must belong to root or to the root's owner and must not
   * be writable by others unless sticky (as {@code /tmp} is): otherwise someone else could rename the private root
   * away and put their own directory in its place after these checks, and substitute shadow copies.
   */
  private static void checkAncestors(Path root, int ownerUid) throws IOException {
    for (Path dir = root.toRealPath().getParent(); dir != null; dir = dir.getParent()) {
      int uid = (Integer) Files.getAttribute(dir, "unix:uid");
      int mode = (Integer) Files.getAttribute(dir, "unix:mode");
      if (uid != 0 && uid != ownerUid) {
        throw new IOException(dir + " (above " + root + ") belongs to another user");
      }
      if ((mode & 0022) != 0 && (mode & 01000) == 0) {
        throw new IOException(dir + " (above " + root + ") is writable by others without the sticky bit");
      }
    }
  }

  /** Deletes run directories whose owning process is gone (its lock can be taken). */
  private static void sweep(Path root) {
    try (DirectoryStream<Path> runs = Files.newDirectoryStream(root, "run-*")) {
      for (Path run : runs) {
        if (!Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (LIVE_RUNS.contains(run.toAbsolutePath().normalize())) {
          continue; // a live store of this JVM: never open its lock file (closing it would release the lock)
        }
        Path lockFile = run.resolve(LOCK);
        if (!Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
          FileTime mtime = Files.getLastModifiedTime(run, LinkOption.NOFOLLOW_LINKS);
          if (mtime.toInstant().isBefore(Instant.now().minus(UNLOCKED_GRACE))) {
            deleteTree(run);
          }
          continue;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          FileLock l = ch.tryLock();
          if (l != null) {
            LOG.info("removing shadow copies left by a process that exited: {}", run);
            deleteTree(run);
            l.release();
          }
        } catch (OverlappingFileLockException live) {
          // held by this JVM: a live store
        } catch (IOException e) {
          LOG.debug("cannot check {}", run, e);
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot sweep {}", root, e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      LOG.warn("cannot delete shadow copy {} ({})", dir, e.getClass().getSimpleName());
    }
  }
}
