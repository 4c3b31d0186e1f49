package dev.secureyeoman.cli;

import dev.secureyeoman.core.AtomicFiles;
import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import dev.secureyeoman.core.crypto.EnvelopeArmor;
import dev.secureyeoman.core.crypto.EnvelopeCipher;
import dev.secureyeoman.core.crypto.EnvelopeException;
import dev.secureyeoman.core.crypto.KeySource;
import dev.secureyeoman.core.crypto.KeySourceException;
import dev.secureyeoman.core.crypto.RecipientKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code secureyeoman config encrypt|decrypt|rekey|validate} (DESIGN §6). Keys come from
 * {@code --key-env VAR | --key-file F | --passphrase-env VAR}; without one, the environment variable
 * {@value #DEFAULT_KEY_ENV} (base64 of 32 bytes) is used.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Encrypt, decrypt, rekey and validate configuration files (AES-256-GCM envelopes).",
    subcommands = {
      ConfigCommand.Encrypt.class,
      ConfigCommand.Decrypt.class,
      ConfigCommand.Rekey.class,
      ConfigCommand.Validate.class
    })
public final class ConfigCommand implements Runnable {

  /** Environment variable holding the default key (base64 of 32 bytes). */
  public static final String DEFAULT_KEY_ENV = "SECUREYEOMAN_CONFIG_KEY";

  private static final byte[] AAD = EncryptedConfigLoader.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_INPUT_BYTES = 32 * 1024 * 1024;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Creates the command (instantiated by picocli). */
  public ConfigCommand() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a config subcommand is required: encrypt, decrypt, rekey or validate");
  }

  /** An operation failed (exit code 1); the message is printed as the single {@code error:} line. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The key options shared by every subcommand. */
  static final class KeyOptions {
    @Option(names = "--key-env", paramLabel = "VAR", description = "Environment variable with a base64 256-bit key.")
    String keyEnv;

    @Option(names = "--key-file", paramLabel = "FILE", description = "File with a base64 256-bit key.")
    Path keyFile;

    @Option(names = "--passphrase-env", paramLabel = "VAR", description = "Environment variable with a passphrase.")
    String passphraseEnv;

    KeySource source() {
      int set = (keyEnv != null ? 1 : 0) + (keyFile != null ? 1 : 0) + (passphraseEnv != null ? 1 : 0);
      if (set > 1) {
        throw new CliUsageException("choose only one of --key-env, --key-file, --passphrase-env");
      }
      if (keyFile != null) {
        return KeySource.rawKeyFromFile(keyFile);
      }
      if (passphraseEnv != null) {
        return KeySource.passphraseFromEnv(passphraseEnv);
      }
      return KeySource.rawKeyFromEnv(keyEnv != null ? keyEnv : DEFAULT_KEY_ENV);
    }
  }

  /**
   * Loads a key, first printing the source's warnings (a key file readable by group or others) as {@code warning:}
   * lines: the library logs them, but the CLI only shows log output with {@code --verbose}.
   */
  static RecipientKey loadKey(KeySource source, PrintWriter err) {
    for (String w : source.warnings()) {
      err.println("warning: " + SecureYeomanCli.oneLine(w));
    }
    err.flush();
    try {
      return source.load();
    } catch (KeySourceException e) {
      throw new Failure(e.getMessage(), e);
    }
  }

  static byte[] readInput(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes(MAX_INPUT_BYTES + 1);
      if (content.length > MAX_INPUT_BYTES) {
        throw new Failure(file + ": larger than " + MAX_INPUT_BYTES + " bytes", null);
      }
      return content;
    } catch (NoSuchFileException e) {
      throw new Failure(file + ": no such file", e);
    } catch (IOException e) {
      throw new Failure(file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  static void writeOutput(Path out, byte[] content, boolean replace) {
    try {
      if (replace) {
        AtomicFiles.write(out, content);
      } else {
        AtomicFiles.writeNew(out, content);
      }
    } catch (FileAlreadyExistsException e) {
      throw new Failure(out + " already exists (use --force to overwrite)", e);
    } catch (IOException e) {
      throw new Failure(out + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  static Failure envelopeFailure(Path file, KeySource source, EnvelopeException e) {
    String detail = e.reason() == EnvelopeException.Reason.WRONG_KEY ? " with " + source.description() : "";
    return new Failure(file + ": " + e.getMessage() + detail, e);
  }

  /** {@code config encrypt}. */
  @Command(
      name = "encrypt",
      mixinStandardHelpOptions = true,
      description = "Encrypt a YAML file (default output: app.yaml -> app.enc.yaml).")
  static final class Encrypt implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Plain YAML file.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Output file.")
    Path output;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    @CommandLine.Mixin KeyOptions keys;

    @Override
    public Integer call() {
      KeySource source = keys.source();
      Path out = output != null ? output : defaultEncryptedName(file);
      byte[] plaintext = readInput(file);
      try {
        if (EnvelopeArmor.isArmored(plaintext)) {
          throw new Failure(file + ": already encrypted", null);
        }
        try (RecipientKey key = loadKey(source, spec.commandLine().getErr())) {
          byte[] envelope = EnvelopeCipher.create().encrypt(plaintext, AAD, key);
          writeOutput(out, EnvelopeArmor.armor(envelope), force);
          spec.commandLine().getOut().println("encrypted " + file + " -> " + out + " (key id " + key.keyId() + ")");
        }
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code config decrypt}. */
  @Command(
      name = "decrypt",
      mixinStandardHelpOptions = true,
      description = "Decrypt an encrypted YAML file (default output: app.enc.yaml -> app.yaml); refuses to overwrite"
          + " an existing file without --force.")
  static final class Decrypt implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Encrypted file.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Output file, or '-' for standard output.")
    String output;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    @CommandLine.Mixin KeyOptions keys;

    @Override
    public Integer call() {
      KeySource source = keys.source();
      Path out = null;
      if (!"-".equals(output)) {
        out = output != null ? Path.of(output) : defaultDecryptedName(file);
      }
      if (out != null && !force && java.nio.file.Files.exists(out)) {
        // before any key is loaded or anything decrypted: a plaintext copy must never replace a file by surprise
        throw new Failure(out + " already exists (use --force to overwrite)", null);
      }
      byte[] envelope = readInput(file);
      byte[] plaintext;
      try (RecipientKey key = loadKey(source, spec.commandLine().getErr())) {
        plaintext = EnvelopeCipher.create().decrypt(envelope, AAD, key);
      } catch (EnvelopeException e) {
        throw envelopeFailure(file, source, e);
      }
      try {
        if (out == null) {
          PrintWriter stdout = spec.commandLine().getOut();
          stdout.print(new String(plaintext, StandardCharsets.UTF_8));
          stdout.flush();
        } else {
          writeOutput(out, plaintext, force);
          spec.commandLine().getOut().println("decrypted " + file + " -> " + out + " (mode 0600)");
        }
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code config rekey}. */
  @Command(
      name = "rekey",
      mixinStandardHelpOptions = true,
      description = "Replace the key (the old key stops working, and the data key is replaced too, so a holder of an"
          + " old copy cannot read new versions); --rotate also replaces the data key when a key is only added.")
  static final class Rekey implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Encrypted file, replaced atomically.")
    Path file;

    @Option(names = "--new-key-env", paramLabel = "VAR", description = "Environment variable with the new key.")
    String newKeyEnv;

    @Option(names = "--new-key-file", paramLabel = "FILE", description = "File with the new key.")
    Path newKeyFile;

    @Option(names = "--new-passphrase-env", paramLabel = "VAR", description = "Environment variable with a new passphrase.")
    String newPassphraseEnv;

    @Option(names = "--rotate", description = "Also replace the data key.")
    boolean rotate;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write here instead of replacing FILE.")
    Path output;

    @CommandLine.Mixin KeyOptions keys;

    @Override
    public Integer call() {
      KeySource current = keys.source();
      int set = (newKeyEnv != null ? 1 : 0) + (newKeyFile != null ? 1 : 0) + (newPassphraseEnv != null ? 1 : 0);
      if (set != 1) {
        throw new CliUsageException("exactly one of --new-key-env, --new-key-file, --new-passphrase-env is required");
      }
      KeySource next =
          newKeyFile != null
              ? KeySource.rawKeyFromFile(newKeyFile)
              : newKeyEnv != null ? KeySource.rawKeyFromEnv(newKeyEnv) : KeySource.passphraseFromEnv(newPassphraseEnv);
      byte[] envelope = readInput(file);
      EnvelopeCipher cipher = EnvelopeCipher.create();
      byte[] result;
      try (RecipientKey oldKey = loadKey(current, spec.commandLine().getErr());
          RecipientKey newKey = loadKey(next, spec.commandLine().getErr())) {
        result =
            rotate
                ? cipher.rotate(envelope, AAD, oldKey, List.of(newKey))
                : cipher.rekey(envelope, AAD, oldKey, List.of(newKey));
        Path out = output != null ? output : file;
        writeOutput(out, EnvelopeArmor.isArmored(envelope) ? EnvelopeArmor.armor(result) : result, true);
        spec.commandLine()
            .getOut()
            .println((rotate ? "rotated " : "rekeyed ") + file + " -> " + out + " (key id " + newKey.keyId() + ")");
      } catch (EnvelopeException e) {
        throw envelopeFailure(file, current, e);
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }

  /** {@code config validate}. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = "Validate the security: section; prints one 'path: message' line per violation.")
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Plain or encrypted YAML file.")
    Path file;

    @Option(
        names = "--require-encryption",
        description = "Refuse a plaintext file whatever its name (as a host that expects an encrypted config should).")
    boolean requireEncryption;

    @CommandLine.Mixin KeyOptions keys;

    @Override
    public Integer call() {
      KeySource source = keys.source();
      for (String w : source.warnings()) {
        spec.commandLine().getErr().println("warning: " + SecureYeomanCli.oneLine(w));
      }
      EncryptedConfigLoader loader =
          EncryptedConfigLoader.builder().keySource(source).requireEncryption(requireEncryption).build();
      PrintWriter out = spec.commandLine().getOut();
      try {
        loader.load(file);
      } catch (ConfigException e) {
        if (e.violations().isEmpty()) {
          throw new Failure(e.getMessage(), e);
        }
        for (ConfigViolation v : e.violations()) {
          out.println(TerminalText.oneLine(v.toString())); // paths hold the file's own (untrusted) key names
        }
        out.flush();
        int n = e.violations().size();
        throw new Failure(file + ": " + n + (n == 1 ? " violation" : " violations"), e);
      }
      out.println(file + ": valid");
      return SecureYeomanCli.EXIT_OK;
    }
  }

  static Path defaultEncryptedName(Path file) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    String base;
    String ext;
    if (lower.endsWith(".yaml")) {
      base = name.substring(0, name.length() - 5);
      ext = ".enc.yaml";
    } else if (lower.endsWith(".yml")) {
      base = name.substring(0, name.length() - 4);
      ext = ".enc.yml";
    } else {
      base = name;
      ext = ".enc.yaml";
    }
    return file.resolveSibling(base + ext);
  }

  static Path defaultDecryptedName(Path file) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    for (String suffix : List.of(".enc.yaml", ".enc.yml", ".encrypted.yaml", ".encrypted.yml")) {
      if (lower.endsWith(suffix) && lower.length() > suffix.length()) {
        String ext = suffix.endsWith(".yml") ? ".yml" : ".yaml";
        return file.resolveSibling(name.substring(0, name.length() - suffix.length()) + ext);
      }
    }
    throw new CliUsageException(file + " is not named *.enc.yaml or *.encrypted.yaml; give the output with -o");
  }
}
