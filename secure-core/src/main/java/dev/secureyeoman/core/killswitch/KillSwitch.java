package dev.secureyeoman.core.killswitch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.OwnerOnlyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persisted, audited kill switch that pauses all bot activity — the SDK's form of the guide's
 * {@code SET PAUSE:ALL}.
 *
 * <pre>{@code
 * KillSwitch ks = KillSwitch.builder(dataDir.resolve("kill-switch.json"))
 *     .listener(change -> audit.append(...))        // runs BEFORE the change is written; throwing vetoes it
 *     .build();
 * if (ks.isEngaged()) { refuse the bot action }      // cheap: one stat(2), a re-read only when the file changed
 * ks.engage("user-42", "spam wave");                  // audited, then written atomically
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 *
 * <ul>
 *   <li><b>Persisted and shared.</b> The state is one small JSON file written with {@link AtomicFiles} (temp + fsync +
 *       rename, mode {@code 0600}): it survives restarts and crashes, and a reader never sees a partial write. Every
 *       {@link #state()} checks the file's identity (inode, size, mtime) and re-reads it when it changed, so a change
 *       made by another process is seen by the next check — there is no cache that never refreshes.
 *   <li><b>Serialized writers.</b> Changes take an exclusive {@link java.nio.channels.FileLock} on a sibling {@code .lock} file (and a
 *       lock shared by every instance over the same file in this JVM, so two instances never collide on the file
 *       lock), re-read the current state under it and write only if the state actually changes.
 *   <li><b>Coherent instances.</b> Instances over one file agree: a write bumps a per-file counter shared in the JVM
 *       that invalidates every instance's cache, and a file changed within the last two seconds is re-read on each
 *       check (a rewrite can keep inode, size and coarse mtime), so other processes' changes are not missed either.
 *   <li><b>Audit first.</b> The {@link KillSwitchListener} sees each change before it is written; if it fails, nothing
 *       is written and {@link KillSwitchException.Reason#LISTENER_FAILED} is thrown.
 *   <li><b>Fail closed.</b> {@link #isEngaged()} answers {@code true} when the file exists but cannot be read or parsed
 *       (bots stay paused until an operator fixes or rewrites it); {@link #state()} throws instead.
 * </ul>
 *
 * <p><b>Non-goals.</b> Integrity against someone who can write the file's directory (they can delete it: a missing
 * file means "never set", i.e. released — keep the directory owner-only), and stopping work that already started
 * before the switch was engaged: callers check at each step.
 *
 * <p>Thread-safe.
 */
public final class KillSwitch {
  private static final Logger LOG = LoggerFactory.getLogger(KillSwitch.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_FILE_BYTES = 16 * 1024;

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final KillSwitchListener listener;
  /**
   * One lock and one change counter per state file, shared by every instance in this JVM: a {@link FileLock} cannot be
   * taken twice in one JVM ({@link java.nio.channels.OverlappingFileLockException}), and a counter bumped by each write
   * keeps every instance's cache coherent even when a rewrite leaves inode, size and mtime unchanged.
   */
  private static final ConcurrentHashMap<Path, Shared> SHARED = new ConcurrentHashMap<>();

  /** A file written less than this long ago is re-read on every check (its mtime may not show the next change). */
  private static final long RACY_MILLIS = 2_000;

  private final Shared shared;
  private final Object cacheLock = new Object();
  private Object cachedKey;
  private KillSwitchState cached;

  private KillSwitch(Builder b) {
    this.file = canonical(b.file.toAbsolutePath().normalize());
    this.shared = SHARED.computeIfAbsent(file, k -> new Shared());
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.clock = b.clock;
    this.listener = b.listener;
  }

  /**
   * Starts a builder.
   *
   * @param file the state file (its directory must exist; keep it owner-only)
   * @return a builder
   */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /**
   * The state file.
   *
   * @return the absolute path
   */
  public Path file() {
    return file;
  }

  /**
   * The current state, re-read from the file whenever it changed since the last read.
   *
   * @return the state ({@link KillSwitchState#NEVER_SET} when the file does not exist)
   * @throws KillSwitchException if the file exists but cannot be read or parsed
   */
  public KillSwitchState state() throws KillSwitchException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return KillSwitchState.NEVER_SET;
    } catch (IOException e) {
      throw new KillSwitchException(KillSwitchException.Reason.UNREADABLE, "cannot read " + file, e);
    }
    Object key = java.util.List.of(identity(attrs), shared.generation.get());
    synchronized (cacheLock) {
      if (key.equals(cachedKey)) {
        return cached;
      }
    }
    KillSwitchState s = read();
    // "racily clean": a file modified within the timestamp granularity of now could change again without its
    // identity changing (same inode reused, same size, same coarse mtime); keep re-reading it until it is older
    boolean racy = Math.abs(System.currentTimeMillis() - attrs.lastModifiedTime().toMillis()) < RACY_MILLIS;
    synchronized (cacheLock) {
      cachedKey = racy ? null : key;
      cached = s;
    }
    return s;
  }

  /**
   * Whether bot activity is paused. Fails closed: an unreadable or corrupt file counts as engaged.
   *
   * @return true if engaged (or unknown)
   */
  public boolean isEngaged() {
    try {
      return state().engaged();
    } catch (KillSwitchException e) {
      LOG.error("kill switch state unknown ({}): treating it as ENGAGED", e.getMessage());
      return true;
    }
  }

  /**
   * Engages the switch: bot activity pauses everywhere the file is shared.
   *
   * @param actor who does it (1–256 chars)
   * @param reason why (0–1024 chars, no control characters)
   * @return the state now in force (unchanged, and not audited again, if it was already engaged)
   * @throws KillSwitchException if the listener or the write failed (the switch is then unchanged)
   */
  public KillSwitchState engage(String actor, String reason) throws KillSwitchException {
    return set(true, actor, reason);
  }

  /**
   * Releases the switch: bot activity resumes.
   *
   * @param actor who does it (1–256 chars)
   * @param reason why (0–1024 chars, no control characters)
   * @return the state now in force (unchanged, and not audited again, if it was already released)
   * @throws KillSwitchException if the listener or the write failed (the switch is then unchanged)
   */
  public KillSwitchState release(String actor, String reason) throws KillSwitchException {
    return set(false, actor, reason);
  }

  private KillSwitchState set(boolean engaged, String actor, String reason) throws KillSwitchException {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    if (actor.isEmpty() || actor.length() > 256 || hasControl(actor)) {
      throw new IllegalArgumentException("actor must be 1-256 chars without control characters");
    }
    if (reason.length() > 1024 || hasControl(reason)) {
      throw new IllegalArgumentException("reason must be at most 1024 chars without control characters");
    }
    shared.lock.lock();
    try (FileChannel ch =
            FileChannel.open(
                lockFile,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                OwnerOnlyFiles.fileAttribute())) {
      ch.lock(); // released when the channel closes; excludes writers in other processes
      KillSwitchState previous = Files.exists(file) ? read() : KillSwitchState.NEVER_SET;
      if (previous.engaged() == engaged) {
        return previous;
      }
      KillSwitchState next = new KillSwitchState(engaged, clock.instant(), actor, reason);
      try {
        listener.beforeChange(new KillSwitchChange(previous, next));
      } catch (Exception e) {
        throw new KillSwitchException(
            KillSwitchException.Reason.LISTENER_FAILED, "kill switch change was not recorded; nothing changed", e);
      }
      try {
        AtomicFiles.write(file, encode(next));
        shared.generation.incrementAndGet();
      } catch (IOException e) {
        throw new KillSwitchException(
            KillSwitchException.Reason.WRITE_FAILED, "cannot write " + file + "; the previous state stays", e);
      }
      LOG.warn("kill switch {} by {}", engaged ? "ENGAGED" : "released", actor);
      return next;
    } catch (IOException e) {
      throw new KillSwitchException(KillSwitchException.Reason.UNREADABLE, "cannot lock " + lockFile, e);
    } finally {
      shared.lock.unlock();
    }
  }

  private KillSwitchState read() throws KillSwitchException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      return KillSwitchState.NEVER_SET;
    } catch (IOException e) {
      throw new KillSwitchException(KillSwitchException.Reason.UNREADABLE, "cannot read " + file, e);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new KillSwitchException(KillSwitchException.Reason.CORRUPT, file + " is larger than 16 KiB", null);
    }
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n == null
          || !n.isObject()
          || n.path("version").asInt(-1) != 1
          || !n.path("engaged").isBoolean()
          || !n.path("changed_at").isTextual()
          || !n.path("changed_by").isTextual()
          || !n.path("reason").isTextual()) {
        throw new KillSwitchException(KillSwitchException.Reason.CORRUPT, file + " is not a kill-switch file", null);
      }
      return new KillSwitchState(
          n.get("engaged").booleanValue(),
          Instant.parse(n.get("changed_at").textValue()),
          n.get("changed_by").textValue(),
          n.get("reason").textValue());
    } catch (IOException | DateTimeParseException e) {
      throw new KillSwitchException(KillSwitchException.Reason.CORRUPT, file + " is not a kill-switch file", e);
    }
  }

  private static byte[] encode(KillSwitchState s) throws IOException {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("version", 1);
    n.put("engaged", s.engaged());
    n.put("changed_at", s.changedAt().toString());
    n.put("changed_by", s.changedBy());
    n.put("reason", s.reason());
    return (MAPPER.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static Object identity(BasicFileAttributes a) {
    return java.util.List.of(
        String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime(), a.creationTime());
  }

  /** The path with its directory's symlinks resolved (so two spellings of one file share one lock), when it exists. */
  private static Path canonical(Path file) {
    Path dir = file.getParent();
    try {
      return dir == null ? file : dir.toRealPath().resolve(file.getFileName());
    } catch (IOException e) {
      return file;
    }
  }

  /** Per-file state shared by the instances of one JVM. */
  private static final class Shared {
    final ReentrantLock lock = new ReentrantLock();
    final AtomicLong generation = new AtomicLong();
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** Builder for {@link KillSwitch}. */
  public static final class Builder {
    private final Path file;
    private Clock clock = Clock.systemUTC();
    private KillSwitchListener listener = change -> {};
    private boolean listenerSet;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      if (file.getFileName() == null) {
        throw new IllegalArgumentException("file must name a file: " + file);
      }
    }

    /**
     * Sets the clock used for {@link KillSwitchState#changedAt()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the listener that records each change before it is written (the host's audit).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(KillSwitchListener listener) {
      if (listenerSet) {
        throw new IllegalStateException("listener was already set");
      }
      this.listener = Objects.requireNonNull(listener, "listener");
      listenerSet = true;
      return this;
    }

    /**
     * Builds the switch (nothing is read or written yet).
     *
     * @return the switch
     */
    public KillSwitch build() {
      return new KillSwitch(this);
    }
  }
}
