package dev.secureyeoman.cli;

import dev.secureyeoman.integrations.plugin.PluginException;
import dev.secureyeoman.integrations.plugin.PluginLoader;
import dev.secureyeoman.integrations.plugin.PluginScan;
import dev.secureyeoman.integrations.plugin.PluginScanEntry;
import dev.secureyeoman.integrations.plugin.TrustFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code secureyeoman plugins ...}: checks plugin jars the way the plugin loader will (DESIGN §6). */
@Command(
    name = "plugins",
    mixinStandardHelpOptions = true,
    description = "Plugin jar tools.",
    subcommands = {PluginsCommand.Check.class})
public final class PluginsCommand implements Runnable {
  @Spec CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public PluginsCommand() {}

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: check");
  }

  /**
   * {@code secureyeoman plugins check --dir D [--trust F]}: loads every {@code *.jar} of D with the same checks as the
   * {@link PluginLoader} (without running any plugin code) and prints one line per jar:
   * {@code <file> <id> <version> <sha256> LOADED} or {@code ... REJECTED <reason>: <detail>}. Exit 1 if any jar is
   * rejected.
   */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check plugin jars: one line per jar (file, id, version, sha256, LOADED or REJECTED reason).",
        "No plugin code runs (factories are resolved, not instantiated). Exit 1 if any jar is rejected."
      })
  public static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "D", description = "The plugin directory.")
    Path dir;

    @Option(names = "--trust", paramLabel = "F",
        description = "Trust file ('<plugin-id> <sha256>' per line): refuse jars whose hash is not listed.")
    Path trust;

    /** Creates the command (picocli instantiates it). */
    public Check() {}

    @Override
    public Integer call() {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new ConfigCommand.Failure(dir + ": not a directory", null);
      }
      PrintWriter out = spec.commandLine().getOut();
      int rejected = 0;
      int total;
      try {
        PluginLoader.Builder builder = PluginLoader.builder().directory(dir).exclusive(false); // a check, not a host
        if (trust != null) {
          builder.trustFile(TrustFile.read(trust));
        }
        try (PluginLoader loader = builder.build()) {
          PluginScan scan = loader.scan();
          total = scan.entries().size();
          for (PluginScanEntry e : scan.entries()) {
            out.println(e.summaryLine());
            if (!e.loaded()) {
              rejected++;
            }
          }
        }
      } catch (PluginException e) {
        throw new ConfigCommand.Failure(e.getMessage(), e);
      }
      out.flush();
      if (rejected > 0) {
        throw new ConfigCommand.Failure(rejected + " of " + total + " plugin jars rejected", null);
      }
      return SecureYeomanCli.EXIT_OK;
    }
  }
}
