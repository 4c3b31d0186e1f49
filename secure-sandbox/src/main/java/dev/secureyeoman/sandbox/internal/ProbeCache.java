package dev.secureyeoman.sandbox.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file that remembers the backend probe across JVMs, so a short-lived program (the CLI) does not pay a full probe on
 * every run. An entry is used only when its fingerprint matches — boot id, kernel release, effective uid, identity
 * choice, search path, and the path, size, modification time and inode of every tool — when it is younger than the time
 * to live, and when the file and its directory belong to this user and are writable by nobody else (otherwise another
 * user could make the runner skip a backend).
 */
public final class ProbeCache {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeCache.class);
  private static final String FINGERPRINT = "fingerprint";
  private static final String CREATED = "created";

  /** How long an entry is trusted. */
  public static final Duration TTL = Duration.ofHours(24);

  /**
   * How long an entry in which a backend's probe launch failed stays valid: a failure may be transient (a loaded host,
   * a user-namespace limit reached for a moment), so it is never pinned for the whole {@link #TTL}.
   */
  public static final Duration FAILURE_TTL = Duration.ofMinutes(1);

  /** Key of the number of backends whose probe launch failed (set by the runner). */
  public static final String LAUNCH_FAILURES = "launchFailures";

  private final Path file;
  private final Path dir;
  private final Clock clock;
  private final int uid;

  /**
   * Creates a cache.
   *
   * @param file the cache file (its directory is created 0700)
   * @param clock clock for the time to live
   * @param uid the JVM's effective uid, which must own the file
   */
  public ProbeCache(Path file, Clock clock, int uid) {
    this.file = file;
    this.dir = Objects.requireNonNull(file.getParent(), "the probe cache file needs a parent directory");
    this.clock = clock;
    this.uid = uid;
  }

  /**
   * The cache file.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * Builds the fingerprint of this host's probe inputs.
   *
   * @param tools the search path and the tools the probe uses
   * @param names tool names
   * @param extra other inputs (identity choice, seccomp and Landlock availability)
   * @return a hex SHA-256
   */
  public static String fingerprint(Tools tools, List<String> names, String extra) {
    StringBuilder sb = new StringBuilder("v1");
    sb.append("|boot=").append(read(Path.of("/proc/sys/kernel/random/boot_id")));
    sb.append("|kernel=").append(read(Path.of("/proc/sys/kernel/osrelease")));
    sb.append("|path=").append(tools.searchPath());
    for (String n : names) {
      sb.append('|').append(n).append('=');
      Optional<Path> p = tools.find(n);
      if (p.isEmpty()) {
        sb.append('-');
        continue;
      }
      try {
        Map<String, Object> a = Files.readAttributes(p.get(), "unix:size,lastModifiedTime,ino,ctime");
        sb.append(p.get()).append(':').append(a.get("size")).append(':').append(a.get("lastModifiedTime"))
            .append(':').append(a.get("ino")).append(':').append(a.get("ctime"));
      } catch (IOException | UnsupportedOperationException e) {
        sb.append("?");
      }
    }
    sb.append('|').append(extra);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * Loads the entry for a fingerprint.
   *
   * @param fingerprint the current fingerprint
   * @return the stored values, empty when missing, stale, foreign or untrusted
   */
  public Optional<Map<String, String>> load(String fingerprint) {
    if (!trusted(file) || !trusted(dir)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!fingerprint.equals(p.getProperty(FINGERPRINT))) {
      return Optional.empty();
    }
    try {
      Instant created = Instant.parse(p.getProperty(CREATED, ""));
      Instant now = clock.instant();
      Duration ttl = "0".equals(p.getProperty(LAUNCH_FAILURES, "0")) ? TTL : FAILURE_TTL;
      if (created.isAfter(now) || Duration.between(created, now).compareTo(ttl) > 0) {
        return Optional.empty();
      }
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    Map<String, String> out = new HashMap<>();
    for (String k : p.stringPropertyNames()) {
      out.put(k, p.getProperty(k));
    }
    return Optional.of(out);
  }

  /**
   * Stores an entry (atomically, mode 0600). Failures are logged: the cache is an optimisation.
   *
   * @param fingerprint the fingerprint
   * @param values the probe outcome
   */
  public void store(String fingerprint, Map<String, String> values) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!trusted(dir)) {
        LOG.warn("not caching the sandbox probe: {} is writable by other users or owned by another user", dir);
        return;
      }
      Properties p = new Properties();
      p.putAll(values);
      p.setProperty(FINGERPRINT, fingerprint);
      p.setProperty(CREATED, clock.instant().toString());
      Path tmp = Files.createTempFile(dir, ".probe-", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          p.store(w, "secureyeoman sandbox probe cache; delete to re-probe");
        }
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot write the sandbox probe cache {}: {}", file, e.toString());
    }
  }

  /** Removes the entry (after a launch failure that a cached probe did not foresee). */
  public void invalidate() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("cannot delete {}", file, e);
    }
  }

  private boolean trusted(Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
      return (Integer) Objects.requireNonNull(a.get("uid"), "unix:uid") == uid
          && ((Integer) Objects.requireNonNull(a.get("mode"), "unix:mode") & 0022) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
