package dev.secureyeoman.audit;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.SecurityConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable settings of a SQLite audit store, built with {@link #builder(Path)}. Each option may be set once.
 *
 * <pre>{@code
 * AuditStore store = SqliteAuditStore.open(
 *     AuditStoreOptions.builder(Path.of("data/audit.db"))
 *         .macKey(key)                                   // SecretBytes, >= 32 bytes; or .keyring(...)
 *         .checkpoints(CheckpointSinks.appendOnlyFile(Path.of("/var/lib/app-checkpoints/audit.cp")),
 *                      CheckpointKeys.deriveFromAuditKey(key))
 *         .build());
 * }</pre>
 */
public final class AuditStoreOptions {
  private final Path dbPath;
  private final AuditKeyring keyring;
  private final Clock clock;
  private final boolean fullTextSearch;
  private final int maxBatchSize;
  private final Duration maxBatchDelay;
  private final int queueCapacity;
  private final Duration busyTimeout;
  private final Optional<CheckpointSink> checkpointSink;
  private final Optional<KeyPair> checkpointKeys;
  private final String origin;

  private AuditStoreOptions(Builder b) {
    this.dbPath = b.dbPath;
    this.keyring = b.keyring;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.fullTextSearch = b.fullTextSearch != null ? b.fullTextSearch : true;
    this.maxBatchSize = b.maxBatchSize != null ? b.maxBatchSize : 512;
    this.maxBatchDelay = b.maxBatchDelay != null ? b.maxBatchDelay : Duration.ZERO;
    this.queueCapacity = b.queueCapacity != null ? b.queueCapacity : 65_536;
    this.busyTimeout = b.busyTimeout != null ? b.busyTimeout : Duration.ofSeconds(10);
    this.checkpointSink = Optional.ofNullable(b.checkpointSink);
    this.checkpointKeys = Optional.ofNullable(b.checkpointKeys);
    this.origin = b.origin != null ? b.origin : "secureyeoman-audit";
  }

  /**
   * Starts a builder.
   *
   * @param dbPath the SQLite database file (created 0600 with its parent directories when absent)
   * @return the builder
   */
  public static Builder builder(Path dbPath) {
    if (dbPath == null) {
      throw new IllegalArgumentException("dbPath must not be null");
    }
    return new Builder(dbPath);
  }

  /**
   * Starts a builder from the loaded configuration: {@code security.audit.db_path} and an append-only checkpoint file at
   * {@code security.audit.checkpoint_path} signed with {@code checkpointKeys}. Relative paths resolve against
   * {@code baseDir}. The checkpoint file must be outside the database directory ({@link Builder#build()} refuses it
   * otherwise).
   *
   * @param audit the validated {@code security.audit} section
   * @param baseDir directory that relative paths are resolved against (e.g. the host's data root)
   * @param macKey the audit MAC key (key id 1)
   * @param checkpointKeys Ed25519 key pair for checkpoints, e.g. {@link CheckpointKeys#deriveFromAuditKey}
   * @return a builder with path, key and checkpoints set
   */
  public static Builder builder(
      SecurityConfig.Audit audit, Path baseDir, SecretBytes macKey, KeyPair checkpointKeys) {
    if (audit == null || baseDir == null) {
      throw new IllegalArgumentException("audit and baseDir must not be null");
    }
    return builder(baseDir.resolve(audit.dbPath()))
        .macKey(macKey)
        .checkpoints(CheckpointSinks.appendOnlyFile(baseDir.resolve(audit.checkpointPath())), checkpointKeys);
  }

  /**
   * The database file.
   *
   * @return the path
   */
  public Path dbPath() {
    return dbPath;
  }

  /**
   * The MAC keys.
   *
   * @return the keyring
   */
  public AuditKeyring keyring() {
    return keyring;
  }

  /**
   * The clock that timestamps entries and drives age-based retention.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Whether the FTS5 index is maintained (default true).
   *
   * @return whether full-text search is on
   */
  public boolean fullTextSearch() {
    return fullTextSearch;
  }

  /**
   * The most entries committed in one transaction (default 512).
   *
   * @return the group-commit batch size
   */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /**
   * How long the writer waits for more entries before committing a partial batch (default 0: commit whatever queued
   * while the previous commit was running).
   *
   * @return the linger time
   */
  public Duration maxBatchDelay() {
    return maxBatchDelay;
  }

  /**
   * Capacity of the append queue; callers block when it is full (default 65536).
   *
   * @return the capacity
   */
  public int queueCapacity() {
    return queueCapacity;
  }

  /**
   * SQLite busy timeout (default 10 s).
   *
   * @return the timeout
   */
  public Duration busyTimeout() {
    return busyTimeout;
  }

  /**
   * Where checkpoints are written, if configured.
   *
   * @return the sink
   */
  public Optional<CheckpointSink> checkpointSink() {
    return checkpointSink;
  }

  /**
   * The Ed25519 key pair that signs checkpoints, if configured.
   *
   * @return the key pair
   */
  public Optional<KeyPair> checkpointKeys() {
    return checkpointKeys;
  }

  /**
   * The log name written into checkpoints (default {@code secureyeoman-audit}).
   *
   * @return the origin
   */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "AuditStoreOptions[db=" + dbPath + ", " + keyring + ", fts=" + fullTextSearch + ", batch=" + maxBatchSize
        + ", checkpointSink=" + checkpointSink.map(Object::toString).orElse("none") + "]";
  }

  /** Builder for {@link AuditStoreOptions}; every option may be set once. */
  public static final class Builder {
    private final Path dbPath;
    private AuditKeyring keyring;
    private Clock clock;
    private Boolean fullTextSearch;
    private Integer maxBatchSize;
    private Duration maxBatchDelay;
    private Integer queueCapacity;
    private Duration busyTimeout;
    private CheckpointSink checkpointSink;
    private KeyPair checkpointKeys;
    private String origin;

    private Builder(Path dbPath) {
      this.dbPath = dbPath.toAbsolutePath().normalize();
    }

    /**
     * The real path of {@code p}: its longest existing prefix with symlinks resolved, plus the rest as given (files and
     * directories that do not exist yet cannot be symlinks).
     */
    private static Path realish(Path p) {
      Path existing = p;
      Path rest = null;
      while (existing != null && !Files.exists(existing)) {
        Path name = existing.getFileName();
        rest = rest == null ? name : name.resolve(rest);
        existing = existing.getParent();
      }
      if (existing == null) {
        return p;
      }
      try {
        Path real = existing.toRealPath();
        return rest == null ? real : real.resolve(rest.toString()).normalize();
      } catch (IOException e) {
        return p;
      }
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    /**
     * Uses one MAC key with key id 1.
     *
     * @param key at least 32 bytes; copied
     * @return this builder
     */
    public Builder macKey(SecretBytes key) {
      once(keyring, "keyring/macKey");
      this.keyring = AuditKeyring.of(1, key);
      return this;
    }

    /**
     * Uses a keyring (for rotation).
     *
     * @param keyring the keys
     * @return this builder
     */
    public Builder keyring(AuditKeyring keyring) {
      once(this.keyring, "keyring/macKey");
      this.keyring = Objects.requireNonNull(keyring, "keyring");
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Turns the FTS5 index on or off.
     *
     * @param on whether to maintain the index
     * @return this builder
     */
    public Builder fullTextSearch(boolean on) {
      once(fullTextSearch, "fullTextSearch");
      this.fullTextSearch = on;
      return this;
    }

    /**
     * Sets the group-commit batch size.
     *
     * @param n 1..100000
     * @return this builder
     */
    public Builder maxBatchSize(int n) {
      once(maxBatchSize, "maxBatchSize");
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxBatchSize must be 1..100000, got " + n);
      }
      this.maxBatchSize = n;
      return this;
    }

    /**
     * Sets how long the writer lingers for a fuller batch.
     *
     * @param d 0..1 s
     * @return this builder
     */
    public Builder maxBatchDelay(Duration d) {
      once(maxBatchDelay, "maxBatchDelay");
      if (d == null || d.isNegative() || d.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("maxBatchDelay must be between 0 and 1s, got " + d);
      }
      this.maxBatchDelay = d;
      return this;
    }

    /**
     * Sets the append queue capacity.
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder queueCapacity(int n) {
      once(queueCapacity, "queueCapacity");
      if (n < 1) {
        throw new IllegalArgumentException("queueCapacity must be >= 1, got " + n);
      }
      this.queueCapacity = n;
      return this;
    }

    /**
     * Sets the SQLite busy timeout.
     *
     * @param d 0..10 min
     * @return this builder
     */
    public Builder busyTimeout(Duration d) {
      once(busyTimeout, "busyTimeout");
      if (d == null || d.isNegative() || d.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("busyTimeout must be between 0 and 10 minutes, got " + d);
      }
      this.busyTimeout = d;
      return this;
    }

    /**
     * Enables signed checkpoints.
     *
     * @param sink where checkpoints go; a file sink must be outside the database directory
     * @param signingKeys Ed25519 key pair (see {@link CheckpointKeys})
     * @return this builder
     */
    public Builder checkpoints(CheckpointSink sink, KeyPair signingKeys) {
      once(checkpointSink, "checkpoints");
      this.checkpointSink = Objects.requireNonNull(sink, "sink");
      this.checkpointKeys = Objects.requireNonNull(signingKeys, "signingKeys");
      if (!"Ed25519".equals(signingKeys.getPrivate().getAlgorithm())
          && !"EdDSA".equals(signingKeys.getPrivate().getAlgorithm())) {
        throw new IllegalArgumentException("signingKeys must be Ed25519, got " + signingKeys.getPrivate().getAlgorithm());
      }
      return this;
    }

    /**
     * Sets the log name written into checkpoints.
     *
     * @param origin 1-200 printable chars without spaces
     * @return this builder
     */
    public Builder origin(String origin) {
      once(this.origin, "origin");
      if (origin == null || origin.isEmpty() || origin.length() > 200
          || origin.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
        throw new IllegalArgumentException("origin must be 1-200 printable chars without spaces");
      }
      this.origin = origin;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalStateException if no key was set
     * @throws IllegalArgumentException if the checkpoint file is inside the database directory
     */
    public AuditStoreOptions build() {
      if (keyring == null) {
        throw new IllegalStateException("a MAC key is required: call macKey(...) or keyring(...)");
      }
      if (checkpointSink != null) {
        Path dbDir = dbPath.getParent();
        Optional<Path> location = checkpointSink.location();
        if (dbDir != null && location.isPresent()) {
          // compare where the files really are: a symlink must not smuggle the checkpoint file into the DB directory
          Path realDir = realish(dbDir);
          Path realCp = realish(location.get().toAbsolutePath().normalize());
          if (realCp.startsWith(realDir)) {
            throw new IllegalArgumentException(
                "checkpoint file " + location.get() + " must be outside the database directory " + dbDir
                    + (realCp.equals(location.get().toAbsolutePath().normalize()) ? "" : " (it resolves to " + realCp
                        + ")")
                    + " (an attacker who can roll back the database could roll back both)");
          }
        }
      }
      return new AuditStoreOptions(this);
    }
  }
}
