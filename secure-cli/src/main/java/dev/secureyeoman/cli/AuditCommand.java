package dev.secureyeoman.cli;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditJson;
import dev.secureyeoman.audit.AuditKeyring;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditReader;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.CheckpointKeys;
import dev.secureyeoman.audit.CheckpointSink;
import dev.secureyeoman.audit.CheckpointSinks;
import dev.secureyeoman.audit.RetentionPolicy;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerifyOptions;
import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.config.SecurityConfig;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secureyeoman audit ...}: append to, verify, search, purge, checkpoint and export a SQLite audit log (DESIGN §6);
 * {@code verify}, {@code search}, {@code export} and {@code acknowledge-tampering} also run against the PostgreSQL log
 * of a host configured with {@code security.storage.engine: postgres} ({@code --config F} instead of {@code --db};
 * see {@link AuditPostgres}).
 * The MAC key is read from the environment variable {@code SECUREYEOMAN_AUDIT_KEY} (base64 of 32 bytes) unless
 * {@code --key-env} names another; {@code --key-id} gives its epoch and {@code --old-key-env ID=VAR} adds older epochs
 * of a rotated log. {@code verify}, {@code search} and {@code export} open the database read-only: they never create,
 * chmod or append anything (not even a key-rotation entry), so they are safe on an evidence copy. On PostgreSQL the one
 * exception is a {@code verify} that finds a failure: without {@code --read-only} it records it for every node (see
 * {@link AuditPostgres}).
 */
@Command(
    name = "audit",
    description = "Tamper-evident audit log: append, verify, search, purge, checkpoint, export.",
    mixinStandardHelpOptions = true,
    subcommands = {
      AuditCommand.Append.class,
      AuditCommand.Verify.class,
      AuditCommand.Search.class,
      AuditCommand.Purge.class,
      AuditCommand.CheckpointCmd.class,
      AuditCommand.RepairCheckpoints.class,
      AuditCommand.AcknowledgeTampering.class,
      AuditCommand.Export.class
    })
public final class AuditCommand implements Runnable {

  /** Default environment variable holding the base64 audit key. */
  static final String DEFAULT_KEY_ENV = "SECUREYEOMAN_AUDIT_KEY";

  /** Environment lookup; tests replace it, production reads the process environment. */
  static volatile UnaryOperator<String> env = System::getenv;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  AuditCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "an audit subcommand is required");
  }

  /** Options shared by every audit subcommand that needs the log's keys. */
  static class Common {
    @Option(names = "--db", description = "Audit database file (SQLite).")
    Path db;

    @Option(
        names = "--config",
        description = "Host configuration (plain or encrypted YAML, key in SECUREYEOMAN_CONFIG_KEY): with"
            + " security.storage.engine postgres, verify, search, export and acknowledge-tampering use that database"
            + " instead of --db.")
    Path config;

    private SecurityConfig.Storage storage;

    @Option(
        names = "--key-env",
        defaultValue = DEFAULT_KEY_ENV,
        description = "Environment variable with the base64 32-byte audit key (default: ${DEFAULT-VALUE}).")
    String keyEnv;

    @Option(
        names = "--key-id",
        defaultValue = "1",
        description = "Key id (epoch) of the --key-env key; new entries use it (default: ${DEFAULT-VALUE}).")
    int keyId;

    @Option(
        names = "--old-key-env",
        paramLabel = "ID=VAR",
        description = "An older epoch of a rotated log: key id and the environment variable holding it (repeatable).")
    List<String> oldKeys = new ArrayList<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The active key. */
    SecretBytes key() {
      return keyFrom(keyEnv);
    }

    private static SecretBytes keyFrom(String variable) {
      String v = env.apply(variable);
      if (v == null || v.isBlank()) {
        throw new CliUsageException("environment variable " + variable + " is not set (base64 of a 32-byte key)");
      }
      char[] chars = v.toCharArray();
      try {
        return KeySource.decodeRawKeyBytes(chars, "environment variable " + variable);
      } catch (KeySourceException e) {
        throw new IllegalArgumentException(e.getMessage());
      } finally {
        java.util.Arrays.fill(chars, '\0');
      }
    }

    /** The active key plus the older epochs. */
    AuditKeyring keyring() {
      return keyring(0);
    }

    /**
     * The keys of {@link #keyring()}, with {@code active} as the active key id when it is one of them (so a writable
     * store opened with it appends no {@code audit.key_rotated} entry for a head under that id).
     */
    AuditKeyring keyring(int preferredActive) {
      if (keyId < 1) {
        throw new CliUsageException("--key-id must be >= 1, got " + keyId);
      }
      Map<Integer, String> old = new LinkedHashMap<>();
      for (String spec : oldKeys) {
        int eq = spec.indexOf('=');
        int id;
        try {
          id = Integer.parseInt(spec.substring(0, Math.max(eq, 0)));
        } catch (NumberFormatException e) {
          id = 0;
        }
        if (eq < 1 || eq == spec.length() - 1 || id < 1) {
          throw new CliUsageException("--old-key-env expects ID=VARIABLE with ID >= 1");
        }
        if (id == keyId || old.put(id, spec.substring(eq + 1)) != null) {
          throw new CliUsageException("key id " + id + " is given twice");
        }
      }
      AuditKeyring.Builder b = AuditKeyring.builder();
      try (SecretBytes active = key()) {
        b.add(keyId, active);
      }
      for (Map.Entry<Integer, String> e : old.entrySet()) {
        try (SecretBytes k = keyFrom(e.getValue())) {
          b.add(e.getKey(), k);
        }
      }
      return b.active(preferredActive == keyId || old.containsKey(preferredActive) ? preferredActive : keyId).build();
    }

    AuditStoreOptions.Builder options() {
      if (postgres() != null) {
        throw new CliUsageException(
            spec.name() + " does not run on PostgreSQL yet (security.storage.engine postgres in --config); verify,"
                + " search, export and acknowledge-tampering do");
      }
      requireDbOption();
      return AuditStoreOptions.builder(db).keyring(keyring());
    }

    /**
     * The PostgreSQL storage of {@code --config}, or null for SQLite ({@code --db}). The config is loaded once, as the
     * other commands load it; {@code --db} next to a PostgreSQL config is refused (which log would be meant?).
     */
    SecurityConfig.Storage postgres() {
      if (config == null) {
        return null;
      }
      if (storage == null) {
        try {
          storage =
              EncryptedConfigLoader.builder()
                  .keySource(KeySource.rawKeyFromEnv(AuthCommand.CONFIG_KEY_ENV, env::apply))
                  .build()
                  .load(config)
                  .storage();
        } catch (ConfigException e) {
          throw new IllegalArgumentException(e.getMessage());
        }
      }
      if (storage.engine() != SecurityConfig.Storage.Engine.POSTGRES) {
        return null;
      }
      if (db != null) {
        throw new CliUsageException(
            "--db and a --config with security.storage.engine postgres exclude each other (the log is in PostgreSQL)");
      }
      return storage;
    }

    private void requireDbOption() {
      if (db == null) {
        throw new CliUsageException(
            "--db FILE is required (or --config F whose security.storage.engine is postgres)");
      }
    }

    /**
     * Opens the writable PostgreSQL audit log of {@code --config} (never creates it); fails with one line when
     * unreachable.
     */
    AuditPostgres.Opened<AuditStore> openPostgres(SecurityConfig.Storage st) throws AuditException {
      return AuditPostgres.openStore(st, env::apply, keyring());
    }

    /** Opens the database for appending (created when absent); other processes may append at the same time. */
    AuditStore open(AuditStoreOptions.Builder b) throws AuditException {
      return SqliteAuditStore.open(b.build());
    }

    /** Fails unless the database exists (only {@code append} creates one). */
    void requireDb() {
      requireDbOption();
      if (!Files.isRegularFile(db)) {
        throw new IllegalArgumentException("no audit database at " + db);
      }
    }

    /**
     * Opens an existing log read-only (the SQLite file, or the PostgreSQL log of {@code --config} through {@link
     * AuditPostgres#openReader}): nothing is created, changed, recorded or appended.
     */
    AuditPostgres.Opened<AuditReader> openReadOnly() throws AuditException {
      SecurityConfig.Storage pg = postgres();
      if (pg != null) {
        return AuditPostgres.openReader(pg, env::apply, keyring());
      }
      requireDb();
      return new AuditPostgres.Opened<>(SqliteAuditStore.openReadOnly(options().build()), null);
    }

    KeyPair derivedKeys() {
      try (SecretBytes k = key()) {
        return CheckpointKeys.deriveFromAuditKey(k);
      }
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }
  }

  /** {@code --signing-key} handling shared by the commands that write checkpoints. */
  static KeyPair signingKeys(Common c, Path signingKey) throws IOException {
    if (signingKey == null) {
      return c.derivedKeys();
    }
    byte[] seed;
    try {
      seed = Base64.getDecoder().decode(Files.readString(signingKey, StandardCharsets.US_ASCII).strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signing key file " + signingKey + " is not base64");
    }
    try (SecretBytes s = SecretBytes.adopt(seed)) {
      if (s.length() != 32) {
        throw new IllegalArgumentException("signing key file " + signingKey + " must hold 32 bytes");
      }
      return CheckpointKeys.fromSeed(s);
    }
  }

  /** {@code audit append}. */
  @Command(name = "append", mixinStandardHelpOptions = true, description = "Append one entry; prints its seq and hash.")
  static final class Append extends Common implements Callable<Integer> {
    @Option(names = "--event", required = true, description = "Event name ([a-z0-9_.-]{1,128}).")
    String event;

    @Option(names = "--message", required = true, description = "Human-readable message.")
    String message;

    @Option(names = "--level", defaultValue = "INFO", description = "One of ${COMPLETION-CANDIDATES}.")
    AuditLevel level;

    @Option(names = "--actor", defaultValue = "cli", description = "Who acted (default: ${DEFAULT-VALUE}).")
    String actor;

    @Option(names = "--metadata", description = "Metadata as a JSON object.")
    String metadata;

    @Option(names = "--correlation-id", description = "Request or trace id.")
    String correlationId;

    @Override
    public Integer call() throws AuditException {
      Map<String, Object> md = metadata == null ? Map.of() : AuditJson.parseObject(metadata);
      AuditEvent.Builder b = AuditEvent.builder(event).level(level).actor(actor).message(message);
      md.forEach(b::put);
      if (correlationId != null) {
        b.correlationId(correlationId);
      }
      AuditEvent ev = b.build();
      try (AuditStore s = open(options())) {
        AuditEntry e = s.append(ev);
        out().println("appended seq " + e.seq() + " hash " + e.hash());
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code audit verify}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Verify every MAC, link and storage class (read-only); with --checkpoint also detect truncation,"
          + " rollback and forks.")
  static final class Verify extends Common implements Callable<Integer> {
    @Option(names = "--checkpoint", description = "Checkpoint file written by 'audit checkpoint'.")
    Path checkpoint;

    @Option(
        names = "--public-key",
        description = "Trusted base64 Ed25519 public key (default: derived from the audit key).")
    String publicKey;

    @Option(names = "--log-id", description = "The log id the database must have (32 hex characters).")
    String logId;

    @Option(
        names = "--read-only",
        description = "PostgreSQL (--config): never record a failure in the database, so the other nodes keep"
            + " appending (a SELECT-only role never records). Without it a failure is recorded and every node refuses"
            + " appends until acknowledge-tampering. SQLite verification is always read-only.")
    boolean readOnly;

    @Option(
        names = "--since-checkpoint",
        description = "Incremental: trust the entries up to the newest checkpoint whose signature and head hash match"
            + " the stored row, re-MAC only the later ones (needs --checkpoint; run a full verify periodically).")
    boolean sinceCheckpoint;

    @Override
    public Integer call() throws AuditException {
      if (sinceCheckpoint && checkpoint == null) {
        throw new CliUsageException("--since-checkpoint needs --checkpoint FILE (the signed checkpoints to start from)");
      }
      List<Checkpoint> cps = List.of();
      if (checkpoint != null) {
        if (!Files.isRegularFile(checkpoint)) {
          throw new IllegalStateException("verification FAILED: CHECKPOINTS_MISSING (no checkpoint file at "
              + checkpoint + ")");
        }
        cps = CheckpointSinks.appendOnlyFile(checkpoint).readAll();
        if (cps.isEmpty()) {
          throw new IllegalStateException(
              "verification FAILED: CHECKPOINTS_MISSING (checkpoint file " + checkpoint + " holds no checkpoint)");
        }
      }
      PublicKey trusted = publicKey != null ? CheckpointKeys.decodePublicKey(publicKey) : derivedKeys().getPublic();
      VerifyOptions options =
          VerifyOptions.defaults().withProgress(progress(err(), "verified")).withCheckpoints(cps, trusted);
      if (sinceCheckpoint) {
        options = options.sinceCheckpoint();
      }
      if (logId != null) {
        if (!logId.matches("[0-9a-f]{32}")) {
          throw new CliUsageException("--log-id must be 32 lowercase hex characters");
        }
        options = options.withExpectedLogId(logId);
      }
      VerificationResult r;
      int headKeyId = 0;
      try (AuditPostgres.Opened<AuditReader> o = openReadOnly()) {
        r = o.log().verify(options);
        if (!r.valid()) {
          headKeyId = o.log().head().map(AuditEntry::keyId).orElse(0);
        }
      }
      if (!r.valid()) {
        throw new IllegalStateException("verification " + r.summary() + record(headKeyId));
      }
      out().println(r.summary());
      return SecureYeomanCli.EXIT_OK;
    }

    /**
     * On PostgreSQL, records a failure the read-only verification found: the writable store (with the head's key id
     * active, so no rotation entry) verifies the whole chain again — without the caller's expectations ({@code
     * --log-id}, {@code --checkpoint}, {@code --public-key}), so a typo there cannot stop the cluster — and records what
     * the database alone shows; every node then refuses appends.
     *
     * @return "" when recorded (or SQLite), else why not, to append to the error line
     */
    private String record(int headKeyId) {
      SecurityConfig.Storage pg = postgres();
      if (pg == null) {
        return "";
      }
      if (readOnly) {
        return "; not recorded (--read-only): the other nodes keep appending";
      }
      try (AuditPostgres.Opened<AuditStore> o = AuditPostgres.openStore(pg, env::apply, keyring(headKeyId))) {
        VerificationResult again = o.log().verify(VerifyOptions.defaults().withoutCheckpoints());
        if (o.log().tamperingDetected().isPresent()) {
          // that store also reports a failure it could not store (kept in its memory): ask a fresh one what the
          // database holds, which is what the nodes read
          try (AuditPostgres.Opened<AuditStore> fresh =
              AuditPostgres.openStore(pg, env::apply, keyring(headKeyId))) {
            if (fresh.log().tamperingDetected().isPresent()) {
              return "";
            }
          }
          return "; not recorded: the record of the failure could not be stored or does not read back (audit_meta"
              + " rigged with a rule, trigger, policy, constraint or view?), so the other nodes keep appending until"
              + " their own verification";
        }
        if (again.valid()) {
          return "; not recorded: the chain in the database verifies on its own (the failure is against --log-id or"
              + " the checkpoints given, or the log changed in between), so the other nodes keep appending";
        }
        return "; not recorded: the keys do not verify the newest entry, or the database role cannot write the"
            + " audit tables";
      } catch (AuditException | RuntimeException e) {
        return "; not recorded (the database role must own the audit tables to record): "
            + TerminalText.oneLine(String.valueOf(e.getMessage()));
      }
    }
  }

  /** Progress on a terminal (entries/s, ETA); nothing when stdout/stderr are not a terminal (pipes, files, CI). */
  static VerificationProgress progress(PrintWriter err, String verb) {
    return progress(err, verb, System.console() != null, System::nanoTime);
  }

  /**
   * Progress lines {@code \rverified N / T entries (R entries/s, ETA S s)}, at most every 200 ms, and the final one.
   *
   * @param err where to print
   * @param verb what is being done ("verified")
   * @param terminal whether the output is a terminal (otherwise quiet)
   * @param nanos monotonic time source
   * @return the callback
   */
  static VerificationProgress progress(
      PrintWriter err, String verb, boolean terminal, java.util.function.LongSupplier nanos) {
    if (!terminal) {
      return VerificationProgress.NONE;
    }
    long start = nanos.getAsLong();
    long[] lastPrint = {Long.MIN_VALUE};
    return (checked, total) -> {
      long now = nanos.getAsLong();
      boolean done = checked >= total;
      if (!done && lastPrint[0] != Long.MIN_VALUE && now - lastPrint[0] < 200_000_000L) {
        return;
      }
      lastPrint[0] = now;
      double seconds = Math.max(now - start, 1) / 1e9;
      long rate = (long) (checked / seconds);
      String eta = rate > 0 ? ((total - checked) / rate) + " s" : "?";
      err.print("\r" + verb + " " + checked + " / " + total + " entries (" + rate + " entries/s, ETA " + eta + ")");
      if (done) {
        err.println();
      }
      err.flush();
    };
  }

  /** {@code audit search}. */
  @Command(name = "search", mixinStandardHelpOptions = true, description = "Full-text search (words matched literally).")
  static final class Search extends Common implements Callable<Integer> {
    @Parameters(index = "0", description = "Words to find (all must occur).")
    String query;

    @Option(names = "--limit", defaultValue = "50", description = "Maximum results (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print one JSON object per line.")
    boolean json;

    @Override
    public Integer call() throws AuditException {
      if (limit < 1 || limit > 10_000) {
        throw new CliUsageException("--limit must be 1..10000, got " + limit);
      }
      try (AuditPostgres.Opened<AuditReader> o = openReadOnly()) {
        for (AuditEntry e : o.log().search(query, limit)) {
          out().println(json ? TerminalText.json(e.toJson()) : line(e));
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }

    /** One tab-separated line; every field that comes from the log is escaped. */
    static String line(AuditEntry e) {
      return e.seq() + "\t" + e.timestamp() + "\t" + e.level() + "\t" + TerminalText.field(e.event()) + "\t"
          + TerminalText.field(e.actor()) + "\t" + TerminalText.field(e.message()) + "\t"
          + TerminalText.field(e.correlationId().orElse("-")) + "\t"
          + TerminalText.field(AuditJson.toJson(e.metadata()));
    }
  }

  /** {@code audit acknowledge-tampering}: resume appending to a log that failed verification (issue 17). */
  @Command(
      name = "acknowledge-tampering",
      mixinStandardHelpOptions = true,
      description = "After a failed verification the store refuses appends and purges; after investigating, append a"
          + " chained audit.tampering_acknowledged entry with the reason and resume. The evidence stays in the log.")
  static final class AcknowledgeTampering extends Common implements Callable<Integer> {
    @Option(names = "--reason", required = true, description = "Why appending resumes (ticket, who investigated).")
    String reason;

    @Option(
        names = "--actor",
        description = "Who acknowledges: the entry's actor (default: the operating-system user running the CLI).")
    String actor;

    @Option(
        names = "--checkpoint",
        description = "The checkpoint file of a node that found the failure (repeatable: give every node's file that"
            + " shows it): breaks visible only against it (a truncation, a rollback) are covered only when it is given;"
            + " without it they lock the log again at that node's next verification.")
    List<Path> checkpoints;

    @Option(
        names = "--signing-key",
        description = "File with the base64 32-byte Ed25519 seed that signed the checkpoints (default: derived).")
    Path signingKey;

    @Override
    public Integer call() throws AuditException, IOException {
      if (reason.isBlank() || reason.length() > 1000) {
        throw new CliUsageException("--reason must be 1..1000 characters and not blank");
      }
      String who = actor != null ? actor : System.getProperty("user.name", "cli");
      if (who.isBlank() || who.length() > 256) {
        throw new CliUsageException("--actor must be 1..256 characters and not blank");
      }
      boolean withCheckpoints = checkpoints != null && !checkpoints.isEmpty();
      if (signingKey != null && !withCheckpoints) {
        throw new CliUsageException("--signing-key needs --checkpoint FILE");
      }
      SecurityConfig.Storage pg = postgres();
      if (pg == null) {
        requireDb();
      }
      KeyPair cpKeys = null;
      List<CheckpointSink> files = new ArrayList<>();
      if (withCheckpoints) {
        for (Path checkpoint : checkpoints) {
          if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalArgumentException("no checkpoint file at " + checkpoint);
          }
          files.add(CheckpointSinks.appendOnlyFile(checkpoint));
        }
        cpKeys = signingKeys(this, signingKey);
      }
      CheckpointSink sink = !withCheckpoints ? null : files.size() == 1 ? files.get(0) : new ReadOnlySinks(files);
      AuditStoreOptions.Builder sqlite = null;
      if (pg == null) {
        sqlite = options();
        if (sink != null) {
          sqlite.checkpoints(sink, cpKeys);
        }
      }
      try (AuditPostgres.Opened<AuditStore> o =
          pg != null
              ? AuditPostgres.openStore(pg, env::apply, keyring(), sink, cpKeys)
              : new AuditPostgres.Opened<>(open(sqlite), null)) {
        AuditStore s = o.log();
        if (s.tamperingDetected().isEmpty()) {
          throw new IllegalStateException("the audit log is not read-only: nothing to acknowledge");
        }
        if (sink != null) {
          checkCheckpointFile(s, sink, cpKeys.getPublic());
        }
        AuditEntry e = s.acknowledgeTampering(reason, who);
        out().println("acknowledged at seq " + e.seq() + " hash " + e.hash() + " by " + TerminalText.field(who));
        // every break of the log at this moment is covered, not only the one verify reported: say which
        String ranges = joined(e.metadata().get("broken_ranges"));
        String problems = joined(e.metadata().get("log_problems"));
        out().println(
            "covers broken seq ranges: " + (ranges.isEmpty() ? "none" : ranges)
                + (problems.isEmpty() ? "" : "; log problems: " + problems));
        if (!withCheckpoints) {
          err().println(
              "note: without --checkpoint, breaks visible only against a node's checkpoint file (a truncation, a"
                  + " rollback) are not covered and lock the log again at that node's next verification");
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }

    /**
     * The file decides which truncations the acknowledgement covers for good: one of another log (under the same key
     * its signatures verify) or one the signing key does not verify is the wrong file, refused before anything is
     * appended (red team attack18c).
     */
    private void checkCheckpointFile(AuditStore s, CheckpointSink sink, java.security.PublicKey key)
        throws AuditException {
      java.util.Optional<String> logId = s.logId();
      for (dev.secureyeoman.audit.Checkpoint cp : sink.readAll()) {
        String checkpoint = checkpoints.size() == 1 ? checkpoints.get(0).toString() : "the checkpoint files";
        if (!cp.verifySignature(key)) {
          throw new IllegalArgumentException(
              "the checkpoint for seq " + cp.seq() + " in " + checkpoint + " is not signed by the "
                  + (signingKey == null ? "key derived from the audit key" : "key in " + signingKey)
                  + ": wrong file or wrong --signing-key; nothing acknowledged");
        }
        if (cp.logId().isPresent() && logId.isPresent() && !cp.logId().equals(logId)) {
          throw new IllegalArgumentException(
              "the checkpoint for seq " + cp.seq() + " in " + checkpoint + " is of another log (log id "
                  + cp.logId().get() + ", this log is " + logId.get() + "); nothing acknowledged");
        }
      }
    }

    /**
     * The checkpoints of several nodes' files as one sink the acknowledging store reads (it never signs): a truncation
     * shown by several nodes' checkpoints is acknowledged against each of them.
     */
    private static final class ReadOnlySinks implements CheckpointSink {
      private final List<CheckpointSink> files;

      ReadOnlySinks(List<CheckpointSink> files) {
        this.files = List.copyOf(files);
      }

      @Override
      public void append(dev.secureyeoman.audit.Checkpoint checkpoint) throws AuditException {
        throw new IllegalStateException("acknowledge-tampering reads the checkpoint files, it never signs");
      }

      @Override
      public List<dev.secureyeoman.audit.Checkpoint> readAll() throws AuditException {
        List<dev.secureyeoman.audit.Checkpoint> all = new ArrayList<>();
        for (CheckpointSink f : files) {
          all.addAll(f.readAll());
        }
        all.sort(java.util.Comparator.comparingLong(dev.secureyeoman.audit.Checkpoint::seq)
            .thenComparing(dev.secureyeoman.audit.Checkpoint::time));
        return all;
      }

      @Override
      public java.util.Optional<Path> location() {
        return files.get(0).location();
      }

      @Override
      public String toString() {
        return files.toString();
      }
    }

    private static String joined(@org.jspecify.annotations.Nullable Object value) {
      if (value instanceof java.util.Collection<?> c) {
        return c.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
      }
      return value == null ? "" : String.valueOf(value);
    }
  }

  /** {@code audit purge}. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Enforce retention: delete old entries and append a chained retention_purge entry. With"
          + " --checkpoint the whole log must agree with every checkpoint first.")
  static final class Purge extends Common implements Callable<Integer> {
    @Option(names = "--max-age-days", description = "Delete entries older than this many days.")
    Integer maxAgeDays;

    @Option(names = "--max-entries", description = "Keep at most this many entries (>= 2).")
    Long maxEntries;

    @Option(names = "--checkpoint", description = "Checkpoint file the log must agree with before anything is deleted.")
    Path checkpoint;

    @Option(
        names = "--no-checkpoint",
        description = "The log has no checkpoint file: purge without one. Without --checkpoint F or this option purge"
            + " refuses, because a rollback visible only against the checkpoints would be deleted with the range.")
    boolean noCheckpoint;

    @Option(
        names = "--signing-key",
        description = "File with the base64 32-byte Ed25519 seed that signed the checkpoints (default: derived).")
    Path signingKey;

    @Override
    public Integer call() throws AuditException, IOException {
      if (maxAgeDays == null && maxEntries == null) {
        throw new CliUsageException("give --max-age-days and/or --max-entries");
      }
      if ((checkpoint == null) == !noCheckpoint) {
        throw new CliUsageException(
            checkpoint == null
                ? "give --checkpoint F (purge checks the range against the log's checkpoints, or a rollback they reveal"
                    + " would be deleted with it) or --no-checkpoint for a log without a checkpoint file"
                : "--checkpoint and --no-checkpoint exclude each other");
      }
      RetentionPolicy p;
      try {
        p = new RetentionPolicy(
            maxAgeDays == null ? RetentionPolicy.NO_AGE_LIMIT : maxAgeDays,
            maxEntries == null ? RetentionPolicy.NO_COUNT_LIMIT : maxEntries);
        if (maxAgeDays != null && maxAgeDays < 1) {
          throw new IllegalArgumentException("--max-age-days must be >= 1");
        }
      } catch (IllegalArgumentException e) {
        throw new CliUsageException(e.getMessage());
      }
      requireDb();
      AuditStoreOptions.Builder b = options();
      if (checkpoint != null) {
        b.checkpoints(CheckpointSinks.appendOnlyFile(checkpoint), signingKeys(this, signingKey));
      }
      try (AuditStore s = open(b)) {
        long n = s.enforceRetention(p, progress(err(), "checked"));
        out().println("purged " + n + " entries");
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code audit checkpoint}. */
  @Command(
      name = "checkpoint",
      mixinStandardHelpOptions = true,
      description = "Verify the log against the checkpoint file, then sign its head (Ed25519) and append it. The file"
          + " must be outside the DB directory.")
  static final class CheckpointCmd extends Common implements Callable<Integer> {
    @Option(names = "--out", description = "Checkpoint file to append to.")
    Path out;

    @Option(
        names = "--init",
        description = "Start a new checkpoint file for a log that has entries but never had one (refused when the file"
            + " already holds checkpoints).")
    boolean init;

    @Option(
        names = "--signing-key",
        description = "File with a base64 32-byte Ed25519 seed (default: derived from the audit key).")
    Path signingKey;

    @Option(names = "--print-public-key", description = "Print the base64 public key auditors verify with.")
    boolean printPublicKey;

    @Override
    public Integer call() throws AuditException, IOException {
      if (out == null && !printPublicKey) {
        throw new CliUsageException("give --out FILE and/or --print-public-key");
      }
      KeyPair keys = signingKeys(this, signingKey);
      if (printPublicKey) {
        out().println("public-key " + CheckpointKeys.encodePublicKey(keys.getPublic()));
      }
      if (out != null) {
        requireDb();
        try (AuditStore s = open(options().checkpoints(CheckpointSinks.appendOnlyFile(out), keys))) {
          out().print((init ? s.startCheckpoints() : s.checkpoint()).toText());
        } catch (AuditException e) {
          if (!init && e.verification().flatMap(VerificationResult::problem)
              .filter(VerificationResult.Problem.CHECKPOINTS_MISSING::equals).isPresent()) {
            throw new IllegalStateException(e.getMessage() + "; if this log never had a checkpoint file, start one"
                + " with --init", e);
          }
          throw e;
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code audit repair-checkpoints}. */
  @Command(
      name = "repair-checkpoints",
      mixinStandardHelpOptions = true,
      description = "Move an incomplete last checkpoint note (a torn write) aside to FILE.torn-<millis> so checkpoints"
          + " can be appended again; complete notes are never changed.")
  static final class RepairCheckpoints implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", required = true, description = "The checkpoint file.")
    Path checkpoint;

    @Override
    public Integer call() throws AuditException {
      if (!Files.isRegularFile(checkpoint)) {
        throw new IllegalArgumentException("no checkpoint file at " + checkpoint);
      }
      long moved = CheckpointSinks.repairTornTail(checkpoint);
      spec.commandLine().getOut().println(
          moved == 0
              ? "nothing to repair: " + checkpoint + " ends with a complete checkpoint"
              : "moved " + moved + " bytes of an incomplete note aside (" + checkpoint + ".torn-*); "
                  + checkpoint + " ends with a complete checkpoint again");
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code audit export}. */
  @Command(name = "export", mixinStandardHelpOptions = true, description = "Export every entry as JSON lines (read-only).")
  static final class Export extends Common implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "jsonl", description = "Output format (only jsonl).")
    String format;

    @Option(names = {"-o", "--output"}, description = "Output file (default: standard output).")
    Path output;

    @Override
    public Integer call() throws AuditException, IOException {
      if (!"jsonl".equals(format)) {
        throw new CliUsageException("unsupported --format " + format + " (only jsonl)");
      }
      try (AuditPostgres.Opened<AuditReader> o = openReadOnly()) {
        AuditReader s = o.log();
        if (output == null) {
          s.exportJsonl(new TerminalSafeWriter(out()));
        } else {
          // the export holds the whole audit trail: written owner-only (0600) to a temporary file and renamed over
          // FILE, so a failure half-way leaves the previous FILE intact and a symlink planted at FILE is replaced,
          // never followed
          long[] n = new long[1];
          try {
            AtomicFiles.write(output, stream -> {
              Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
              try {
                n[0] = s.exportJsonl(w);
              } catch (AuditException e) {
                throw new ExportFailed(e);
              }
              w.flush();
            }, true);
          } catch (ExportFailed e) {
            throw e.failure;
          }
          err().println("exported " + n[0] + " entries to " + TerminalText.oneLine(output.toString()));
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** Carries an export's {@link AuditException} out of {@link AtomicFiles.ContentWriter} (which aborts the write). */
  private static final class ExportFailed extends IOException {
    private static final long serialVersionUID = 1L;
    final transient AuditException failure;

    ExportFailed(AuditException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }
  }

  /** Escapes what a terminal would interpret in JSON written to standard output. */
  private static final class TerminalSafeWriter extends FilterWriter {
    TerminalSafeWriter(Writer out) {
      super(out);
    }

    @Override
    public void write(int c) throws IOException {
      out.write(TerminalText.json(String.valueOf((char) c)));
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      out.write(TerminalText.json(new String(cbuf, off, len)));
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      out.write(TerminalText.json(str.substring(off, off + len)));
    }
  }
}
