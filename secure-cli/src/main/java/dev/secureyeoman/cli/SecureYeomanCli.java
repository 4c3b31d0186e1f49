package dev.secureyeoman.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the {@code secureyeoman} command. Subcommands are registered in {@link #SUBCOMMANDS}.
 *
 * <p>Use {@link #run(String[], PrintWriter, PrintWriter)} to embed or test the CLI without {@link System#exit(int)}.
 */
@Command(
    name = "secureyeoman",
    mixinStandardHelpOptions = true,
    versionProvider = SecureYeomanCli.Version.class,
    description = "SecureYeoman security toolkit: encrypted config, audit log, TOTP, sandbox, plugins.",
    subcommandsRepeatable = false)
public final class SecureYeomanCli implements Runnable {

  /** Exit code for success. */
  public static final int EXIT_OK = 0;

  /** Exit code when the operation failed (bad input, tampered, wrong key, verification failed). */
  public static final int EXIT_FAILED = 1;

  /** Exit code for a usage error. */
  public static final int EXIT_USAGE = 2;

  /** Subcommand classes, added by the issues that deliver them. */
  static final Class<?>[] SUBCOMMANDS = {
    ConfigCommand.class, AuditCommand.class, TotpCommand.class, SandboxCommand.class, AuthCommand.class,
    ReleaseNotesCommand.class,
    PluginsCommand.class
  };

  @Option(names = "--verbose", description = "Print stack traces for errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private SecureYeomanCli() {}

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /**
   * Runs the CLI and exits the JVM with its exit code.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    configureLogging(args);
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  /**
   * Keeps library logging below the CLI's stderr contract (one {@code error:} line): only errors are logged unless
   * {@code --verbose} is given; Hibernate Validator's jboss-logging is routed through SLF4J instead of JUL. Explicit
   * system properties set by the user win. Must run before any logger is created.
   */
  static void configureLogging(String[] args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    System.getProperties().putIfAbsent("org.jboss.logging.provider", "slf4j");
    System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "error");
    System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.org.hibernate.validator", verbose ? "info" : "error");
    // the PostgreSQL driver logs through JUL (e.g. a WARNING for an invalid port): errors only, like the rest
    if (!verbose) {
      PGJDBC_LOGGER.setLevel(java.util.logging.Level.SEVERE);
    }
  }

  /** Held strongly: JUL keeps loggers weakly, and a collected logger would lose its level. */
  private static final java.util.logging.Logger PGJDBC_LOGGER = java.util.logging.Logger.getLogger("org.postgresql");

  /**
   * Runs the CLI without exiting.
   *
   * @param args command-line arguments
   * @param out standard output
   * @param err standard error
   * @return the exit code (0, 1 or 2)
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(out, err);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The whole command tree with its handlers, writing to {@code out} and {@code err}: every command and subcommand
   * answers {@code --help} (and the root {@code help [COMMAND]}) with its usage on {@code out} and exit code 0.
   */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    SecureYeomanCli root = new SecureYeomanCli();
    CommandLine cl = new CommandLine(root);
    cl.addSubcommand(CommandLine.HelpCommand.class);
    for (Class<?> sub : SUBCOMMANDS) {
      cl.addSubcommand(sub);
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("error: " + oneLine(ex.getMessage()) + " (see 'secureyeoman --help')");
          err.flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          err.println("error: " + describe(ex));
          if (root.verbose) {
            ex.printStackTrace(err);
          }
          err.flush();
          return ex instanceof CliUsageException ? EXIT_USAGE : EXIT_FAILED;
        });
    return cl;
  }

  static String describe(Throwable ex) {
    String msg = ex.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = ex.getClass().getSimpleName();
    }
    return oneLine(msg);
  }

  /** One terminal-safe line: line breaks become spaces, other control and format characters are escaped. */
  static String oneLine(String s) {
    return TerminalText.oneLine(s);
  }

  /**
   * Text from a database or a client made safe for a terminal line: C0/C1 control characters, DEL, bidi controls and
   * line separators become {@code \\uXXXX} (a backslash becomes two), so a listing cannot forge lines or move the cursor.
   */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
          || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f || c == 0x061c) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Reads the version from the filtered {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = SecureYeomanCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"secureyeoman " + p.getProperty("version", "unknown")};
    }
  }
}
