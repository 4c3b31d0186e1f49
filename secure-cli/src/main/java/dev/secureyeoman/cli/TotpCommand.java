package dev.secureyeoman.cli;

import dev.secureyeoman.auth.totp.Base32;
import dev.secureyeoman.auth.totp.TotpAlgorithm;
import dev.secureyeoman.auth.totp.TotpParameters;
import dev.secureyeoman.auth.totp.TotpService;
import java.time.Instant;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code secureyeoman totp ...}: TOTP helpers for operators and tests (DESIGN §6). */
@Command(
    name = "totp",
    mixinStandardHelpOptions = true,
    description = "TOTP (RFC 6238) helpers.",
    subcommands = {TotpCommand.Code.class})
public final class TotpCommand implements Runnable {
  @Spec CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public TotpCommand() {}

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: code");
  }

  /** {@code secureyeoman totp code}: prints the current (or given-time) code, like {@code oathtool --totp}. */
  @Command(
      name = "code",
      mixinStandardHelpOptions = true,
      description = {
        "Print the TOTP code for a Base32 secret.",
        "Note: a secret given on the command line is visible to other local users (ps); use on trusted hosts."
      })
  public static final class Code implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = "--secret", required = true, paramLabel = "BASE32", description = "Shared secret in Base32.")
    String secret;

    @Option(
        names = "--algorithm",
        defaultValue = "SHA1",
        description = "HMAC algorithm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TotpAlgorithm algorithm;

    @Option(names = "--digits", defaultValue = "6", description = "6 or 8 (default: ${DEFAULT-VALUE}).")
    int digits;

    @Option(names = "--period", defaultValue = "30", description = "Time step in seconds, 10-300 (default: ${DEFAULT-VALUE}).")
    int period;

    @Option(names = "--time", paramLabel = "EPOCH_SECONDS", description = "Unix time to compute the code for (default: now).")
    Long time;

    /** Creates the command (picocli instantiates it). */
    public Code() {}

    @Override
    public void run() {
      if (digits != 6 && digits != 8) {
        throw new ParameterException(spec.commandLine(), "--digits must be 6 or 8, got " + digits);
      }
      if (period < 10 || period > 300) {
        throw new ParameterException(spec.commandLine(), "--period must be in [10, 300], got " + period);
      }
      byte[] key;
      try {
        key = Base32.decode(secret);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--secret is not valid Base32");
      }
      if (key.length == 0) {
        throw new IllegalArgumentException("--secret is empty");
      }
      try {
        Instant at = time == null ? Instant.now() : Instant.ofEpochSecond(time);
        spec.commandLine().getOut().println(TotpService.generate(key, at, new TotpParameters(algorithm, digits, period)));
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
  }
}
