package dev.secureyeoman.sandbox.internal;

import dev.secureyeoman.sandbox.SandboxException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A range of host uids (gid = uid) handed out one per run, so that runs never share an identity: a run cannot read
 * another run's 0600 files, signal its processes, or use up its per-user kernel quotas (inotify instances, user
 * namespaces, {@code RLIMIT_NPROC}).
 *
 * <p>A uid is taken by holding an exclusive record lock ({@code fcntl(F_SETLK)}, which {@link FileChannel#tryLock()}
 * takes) on {@code <lockDirectory>/<uid>.lock}, so every JVM on the host using the same lock directory takes part, and
 * the kernel releases the uid of a JVM that dies. Runs start at a random
 * uid of the range, so a uid is rarely handed out again soon after a run released it.
 */
public final class IdentityPool {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityPool.class);

  /** First uid of the default range: just above systemd's container range, unused by distributions. */
  public static final int DEFAULT_FIRST = 0x70000000;

  /** Size of the default range. */
  public static final int DEFAULT_COUNT = 4096;

  /** Default lock directory (created 0700). */
  public static final Path DEFAULT_LOCK_DIRECTORY = Path.of("/run/secureyeoman/sandbox-uids");

  private final int first;
  private final int count;
  private final Path lockDirectory;
  // record locks are per process, and closing ANY descriptor of a file drops every record lock the process holds on it:
  // no lock file this JVM holds may be opened (and closed) again, by any pool instance. Keyed by lock file path
  private static final Set<Path> HELD_IN_JVM = ConcurrentHashMap.newKeySet();
  private volatile boolean lockDirectoryReady;

  /**
   * Creates a pool.
   *
   * @param first first uid, at least 1000
   * @param count number of uids, at least 1
   * @param lockDirectory where the lock files live; created 0700 when missing
   */
  public IdentityPool(int first, int count, Path lockDirectory) {
    if (first < 1000 || count < 1 || (long) first + count - 1 > Integer.MAX_VALUE - 1) {
      throw new IllegalArgumentException(
          "identity pool must be first >= 1000, count >= 1, last uid < 2^31-1; got " + first + " + " + count);
    }
    if (!lockDirectory.isAbsolute()) {
      throw new IllegalArgumentException("identity pool lock directory must be absolute, got '" + lockDirectory + "'");
    }
    this.first = first;
    this.count = count;
    this.lockDirectory = lockDirectory;
  }

  /**
   * Tells whether a uid belongs to the range.
   *
   * @param uid a uid
   * @return whether it is in the pool
   */
  public boolean contains(int uid) {
    return uid >= first && uid - first < count;
  }

  /**
   * First uid.
   *
   * @return the uid
   */
  public int first() {
    return first;
  }

  /**
   * Number of uids.
   *
   * @return the count
   */
  public int count() {
    return count;
  }

  /**
   * Takes a free uid.
   *
   * @return the lease; close it after the run is torn down
   * @throws SandboxException with {@link SandboxException.Reason#IDENTITY_UNAVAILABLE} when every uid is taken or the
   *     lock directory is unusable
   */
  public Lease acquire() throws SandboxException {
    // lock files are interruptible channels: an interrupt would close one mid-record (ClosedByInterruptException) and
    // read as an unusable pool; the caller sees the interrupt when it next waits (the run is killed then)
    boolean interrupted = Thread.interrupted();
    try {
      return acquireUninterrupted();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Lease acquireUninterrupted() throws SandboxException {
    try {
      ensureLockDirectory();
    } catch (IOException e) {
      throw new SandboxException(
          SandboxException.Reason.IDENTITY_UNAVAILABLE,
          "cannot use the identity pool lock directory " + lockDirectory + ": " + e.getMessage(),
          e);
    }
    int start = ThreadLocalRandom.current().nextInt(count);
    int withProcesses = 0;
    for (int i = 0; i < count; i++) {
      int uid = first + (start + i) % count;
      Path path = lockDirectory.resolve(uid + ".lock");
      if (!HELD_IN_JVM.add(path)) {
        continue;
      }
      FileChannel ch = null;
      try {
        boolean created = false;
        // the file the path names before it is opened: the lock taken must be on that file (see claim)
        Object lockedKey = fileKey(path);
        try {
          ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
          ch =
              FileChannel.open(
                  path,
                  Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                  PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          created = true;
        }
        if (lockedKey == null) {
          lockedKey = fileKey(path);
        }
        FileLock lock = ch.tryLock();
        if (lock != null) {
          // an existing, empty lock file: its last holder released the uid after a confirmed teardown
          boolean cleanRelease = !created && ch.size() == 0;
          byte[] previous = cleanRelease ? new byte[0] : readAll(ch);
          if (claim(ch, path, lockedKey) && !hasProcesses(uid, cleanRelease)) {
            return new Lease(this, new Identity(uid, uid), ch, lock);
          }
          // the lock was free, yet processes of the uid live: a run whose lock was lost (lock file deleted, another
          // process using another lock directory) or leftovers of a host that died; never hand such a uid out. The
          // previous record goes back: it tells sweepAbandoned whose run this was (this JVM's record would make a
          // live run of another host look abandoned once this JVM dies)
          withProcesses++;
          // written before the rest is cut off: an interrupted write never leaves an empty (clean-looking) record
          ch.write(java.nio.ByteBuffer.wrap(previous), 0);
          ch.truncate(previous.length);
          lock.release();
        }
      } catch (OverlappingFileLockException e) {
        // held by another pool instance of this JVM
      } catch (IOException e) {
        HELD_IN_JVM.remove(path);
        close(ch);
        throw new SandboxException(
            SandboxException.Reason.IDENTITY_UNAVAILABLE, "cannot lock uid " + uid + " in " + lockDirectory + ": " + e,
            e);
      }
      close(ch);
      HELD_IN_JVM.remove(path);
    }
    throw new SandboxException(
        SandboxException.Reason.IDENTITY_UNAVAILABLE,
        "every uid of the sandbox identity pool " + first + ".." + (first + count - 1) + " is in use"
            + (withProcesses == 0
                ? ""
                : " (" + withProcesses + " of them unlocked but a uid that still has processes: a run whose lock was"
                    + " lost, or processes left by a host that died)"));
  }

  /** Number of full {@code /proc} scans {@link #acquire()} made (tests check that a clean re-use needs none). */
  static final java.util.concurrent.atomic.AtomicLong FULL_SCANS = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Whether any process holds the uid. After a clean release (an existing lock file its last holder emptied only once
   * the run's teardown was confirmed, see {@link Lease#close()}) one {@code getpriority(PRIO_USER)} call answers for
   * every process whose real uid is the uid, which is every process a runner starts ({@code setpriv} sets real,
   * effective and saved uid, and no-new-privileges keeps them). A process that holds the uid only as effective, saved
   * or file-system uid can only come from a setuid executable owned by the uid (handing a workspace back clears setuid
   * bits; a hand-back that fails keeps the record, so the next acquirer scans) or from a privileged host process. The
   * full {@code /proc} scan, which sees all four uids, runs whenever the record is not a clean release (a new lock
   * file: the old one was deleted, or another lock directory; a record left by a dead or quarantining host), when the
   * system call reports a task (possibly a zombie, which the scan ignores) and when it is unavailable.
   */
  private static boolean hasProcesses(int uid, boolean cleanRelease) {
    if (cleanRelease) {
      try {
        if (!dev.secureyeoman.sandbox.internal.nativ.JnaLinuxNative.load().anyTaskWithRealUid(uid)) {
          return false;
        }
      } catch (dev.secureyeoman.sandbox.internal.nativ.ErrnoException | RuntimeException | LinkageError e) {
        LOG.debug("getpriority(PRIO_USER, {}) unavailable, scanning /proc", uid, e);
      }
    }
    FULL_SCANS.incrementAndGet();
    return UidProcesses.any(uid);
  }

  /**
   * Writes this JVM's record into the locked file and checks that the lock path still names that file: a lock taken on
   * a file that was deleted and replaced meanwhile reserves nothing.
   */
  private static boolean claim(FileChannel ch, Path path, @Nullable Object lockedKey) throws IOException {
    byte[] record =
        (SELF + " " + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    // written before the old record is cut off: an interrupted claim never leaves an empty (clean-looking) record
    ch.write(java.nio.ByteBuffer.wrap(record), 0);
    ch.truncate(record.length);
    // never Files.readAllBytes(path) here: opening and closing another descriptor of the file drops the lock just taken
    if (!java.util.Arrays.equals(record, readAll(ch))) {
      return false;
    }
    Object named = fileKey(path);
    return named != null && named.equals(lockedKey);
  }

  /** The file identity (device and inode) the path names now (a stat, no descriptor), or null when it names nothing. */
  private static @Nullable Object fileKey(Path path) throws IOException {
    try {
      return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** The whole file, read through the locked channel (no second descriptor). */
  private static byte[] readAll(FileChannel ch) throws IOException {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
    while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
      // reads at the buffer's position
    }
    return java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  /** This JVM's pid and start time, the owner part of every record it writes. */
  private static final String SELF = ProcessHandle.current().pid() + " " + ProcessStart.SELF;

  /** Field 22 of {@code /proc/<pid>/stat} (start time in clock ticks since boot), or -1 when the process is gone. */
  static long startTime(long pid) {
    return ProcessStart.startTime(pid);
  }

  /**
   * Reaps uids whose run outlived its host: a lock file that still carries a record (a clean release empties it) while
   * nobody holds its lock, and whose recorded JVM (pid and start time) no longer exists. Every process of such a uid
   * is killed ({@code reaper}), then the record is cleared so the uid can be handed out again. A free lock whose
   * recorded owner still lives is left alone.
   *
   * @param reaper kills every process of a uid, returns how many it killed
   * @return how many processes were killed
   */
  public int sweepAbandoned(Reaper reaper) {
    if (!Files.isDirectory(lockDirectory)) {
      return 0;
    }
    int killed = 0;
    List<Path> files;
    try (java.util.stream.Stream<Path> s = Files.list(lockDirectory)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".lock")).toList();
    } catch (IOException e) {
      LOG.warn("cannot list the identity pool lock directory {}: {}", lockDirectory, e.toString());
      return 0;
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      int uid;
      try {
        uid = Integer.parseInt(name.substring(0, name.length() - ".lock".length()));
        if (!contains(uid) || Files.size(f) == 0 || !HELD_IN_JVM.add(f)) {
          continue;
        }
      } catch (NumberFormatException | IOException e) {
        continue;
      }
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock lock = ch.tryLock();
        if (lock == null) {
          continue; // a live run of another JVM
        }
        String[] rec = new String(readAll(ch), java.nio.charset.StandardCharsets.US_ASCII).trim().split(" ");
        boolean ownerGone = rec.length < 2 || !ownerAlive(rec[0], rec[1]);
        if (ownerGone) {
          int n = reaper.killAll(uid);
          if (n > 0) {
            LOG.warn("killed {} processes of sandbox uid {} left by a host process that died during its run", n, uid);
          }
          killed += n;
          ch.truncate(0);
        }
        lock.release();
      } catch (OverlappingFileLockException | IOException | NumberFormatException | SandboxException e) {
        LOG.warn("cannot sweep sandbox uid {}: {}", uid, e.toString());
      } finally {
        HELD_IN_JVM.remove(f);
      }
    }
    return killed;
  }

  /**
   * Whether the recorded owner JVM (pid and start time) still lives. A record this version cannot read (another
   * version's format) names no live owner: nobody holds its lock, so its processes are reaped like any abandoned run's.
   */
  private static boolean ownerAlive(String pid, String start) {
    try {
      return startTime(Long.parseLong(pid)) == Long.parseLong(start);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Kills every process of a uid. */
  @FunctionalInterface
  public interface Reaper {
    /**
     * Kills them.
     *
     * @param uid the uid
     * @return how many were killed
     * @throws SandboxException when some survive
     */
    int killAll(int uid) throws SandboxException;
  }

  private void ensureLockDirectory() throws IOException {
    if (lockDirectoryReady) {
      return;
    }
    if (!Files.isDirectory(lockDirectory)) {
      Files.createDirectories(
          lockDirectory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    lockDirectoryReady = true;
  }

  private static void close(@Nullable FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("closing a lock file failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "IdentityPool[" + first + ".." + (first + count - 1) + ", locks in " + lockDirectory + "]";
  }

  /** One taken uid; closing it hands the uid back. */
  public static final class Lease implements AutoCloseable {
    private final IdentityPool pool;
    private final Identity identity;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private Lease(IdentityPool pool, Identity identity, FileChannel channel, FileLock lock) {
      this.pool = pool;
      this.identity = identity;
      this.channel = channel;
      this.lock = lock;
    }

    /**
     * The identity.
     *
     * @return uid and gid
     */
    public Identity identity() {
      return identity;
    }

    /** Hands the uid back. */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      // an interrupt pending on the releasing thread (the caller's, for inline runs) would close the channel before
      // the truncate: the release would not be clean and the next acquire would pay the full scan
      boolean interrupted = Thread.interrupted();
      try {
        channel.truncate(0); // a clean release: no record, nothing for sweepAbandoned to reap
        lock.release();
      } catch (IOException e) {
        LOG.debug("releasing uid {} failed", identity.uid(), e);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      IdentityPool.close(channel);
      HELD_IN_JVM.remove(pool.lockDirectory.resolve(identity.uid() + ".lock"));
    }

    /**
     * Keeps the uid taken for the rest of this JVM's life: processes of the run may still be alive.
     */
    public void quarantine() {
      LOG.error("sandbox uid {} stays reserved: processes of its run may still be alive", identity.uid());
    }
  }
}
