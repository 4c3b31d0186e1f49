package dev.secureyeoman.cli;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditJson;
import dev.secureyeoman.audit.AuditLevel;
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
import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secureyeoman audit ...}: append to, verify, search, purge, checkpoint and export a SQLite audit log (DESIGN §6).
 * The MAC key is read from the environment variable {@code SECUREYEOMAN_AUDIT_KEY} (base64 of 32 bytes) unless
 * {@code --key-env} names another.
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

  /** Options shared by every audit subcommand. */
  static class Common {
    @Option(names = "--db", required = true, description = "Audit database file.")
    Path db;

    @Option(
        names = "--key-env",
        defaultValue = DEFAULT_KEY_ENV,
        description = "Environment variable with the base64 32-byte audit key (default: ${DEFAULT-VALUE}).")
    String keyEnv;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    SecretBytes key() {
      String v = env.apply(keyEnv);
      if (v == null || v.isBlank()) {
        throw new CliUsageException("environment variable " + keyEnv + " is not set (base64 of a 32-byte key)");
      }
      try {
        return KeySource.decodeRawKeyBytes(v, "environment variable " + keyEnv);
      } catch (KeySourceException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }

    AuditStore open(boolean mustExist, CheckpointSink sink, KeyPair keys) throws AuditException {
      if (mustExist && !Files.isRegularFile(db)) {
        throw new IllegalArgumentException("no audit database at " + db);
      }
      try (SecretBytes k = key()) {
        AuditStoreOptions.Builder b = AuditStoreOptions.builder(db).macKey(k);
        if (sink != null) {
          b.checkpoints(sink, keys);
        }
        return SqliteAuditStore.open(b.build());
      }
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
      try (AuditStore s = open(false, null, null)) {
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
      description = "Verify every MAC and link; with --checkpoint also detect truncation and rollback.")
  static final class Verify extends Common implements Callable<Integer> {
    @Option(names = "--checkpoint", description = "Checkpoint file written by 'audit checkpoint'.")
    Path checkpoint;

    @Option(
        names = "--public-key",
        description = "Trusted base64 Ed25519 public key (default: derived from the audit key).")
    String publicKey;

    @Override
    public Integer call() throws AuditException {
      List<Checkpoint> cps = List.of();
      if (checkpoint != null) {
        if (!Files.isRegularFile(checkpoint)) {
          throw new IllegalArgumentException("no checkpoint file at " + checkpoint);
        }
        cps = CheckpointSinks.appendOnlyFile(checkpoint).readAll();
        if (cps.isEmpty()) {
          throw new IllegalArgumentException("checkpoint file " + checkpoint + " holds no checkpoint");
        }
      }
      PublicKey trusted = publicKey != null ? CheckpointKeys.decodePublicKey(publicKey) : derivedKeys().getPublic();
      VerificationProgress progress = progress(err());
      VerificationResult r;
      try (AuditStore s = open(true, null, null)) {
        r = s.verify(VerifyOptions.defaults().withProgress(progress).withCheckpoints(cps, trusted));
      }
      if (!r.valid()) {
        throw new IllegalStateException("verification " + r.summary());
      }
      out().println(r.summary());
      return SecureYeomanCli.EXIT_OK;
    }
  }

  static VerificationProgress progress(PrintWriter err) {
    if (System.console() == null) {
      return VerificationProgress.NONE;
    }
    return (checked, total) -> {
      err.print("\rverified " + checked + " / " + total);
      if (checked == total) {
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
      try (AuditStore s = open(true, null, null)) {
        for (AuditEntry e : s.search(query, limit)) {
          out().println(json ? e.toJson() : line(e));
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }

    private static String line(AuditEntry e) {
      return e.seq() + "\t" + e.timestamp() + "\t" + e.level() + "\t" + e.event() + "\t" + e.actor() + "\t"
          + SecureYeomanCli.oneLine(e.message());
    }
  }

  /** {@code audit purge}. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Enforce retention: delete old entries and append a chained retention_purge entry.")
  static final class Purge extends Common implements Callable<Integer> {
    @Option(names = "--max-age-days", description = "Delete entries older than this many days.")
    Integer maxAgeDays;

    @Option(names = "--max-entries", description = "Keep at most this many entries (>= 2).")
    Long maxEntries;

    @Override
    public Integer call() throws AuditException {
      if (maxAgeDays == null && maxEntries == null) {
        throw new CliUsageException("give --max-age-days and/or --max-entries");
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
      try (AuditStore s = open(true, null, null)) {
        long n = s.enforceRetention(p);
        out().println("purged " + n + " entries");
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code audit checkpoint}. */
  @Command(
      name = "checkpoint",
      mixinStandardHelpOptions = true,
      description = "Sign the current head (Ed25519) and append it to a checkpoint file kept outside the DB directory.")
  static final class CheckpointCmd extends Common implements Callable<Integer> {
    @Option(names = "--out", description = "Checkpoint file to append to.")
    Path out;

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
      KeyPair keys = signingKeys();
      if (printPublicKey) {
        out().println("public-key " + CheckpointKeys.encodePublicKey(keys.getPublic()));
      }
      if (out != null) {
        try (AuditStore s = open(true, CheckpointSinks.appendOnlyFile(out), keys)) {
          out().print(s.checkpoint().toText());
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }

    private KeyPair signingKeys() throws IOException {
      if (signingKey == null) {
        return derivedKeys();
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
  }

  /** {@code audit export}. */
  @Command(name = "export", mixinStandardHelpOptions = true, description = "Export every entry as JSON lines.")
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
      try (AuditStore s = open(true, null, null)) {
        if (output == null) {
          s.exportJsonl(out());
        } else {
          if (!Files.exists(output)
              && output.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // the export holds the whole audit trail: owner-only like the database
            Files.createFile(output, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          }
          try (Writer w =
              new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8))) {
            long n = s.exportJsonl(w);
            err().println("exported " + n + " entries to " + output);
          }
        }
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }
}
