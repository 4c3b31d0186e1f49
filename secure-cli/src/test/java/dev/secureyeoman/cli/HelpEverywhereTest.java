package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command and subcommand of the real command tree answers {@code --help}: exit 0, its usage on stdout, nothing on
 * stderr. The tree is walked from the root {@link CommandLine}, so a command added without help fails the build.
 */
class HelpEverywhereTest {

  static Stream<Arguments> commandPaths() {
    CommandLine root =
        SecureYeomanCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<List<String>> paths = new ArrayList<>();
    walk(root, new ArrayList<>(), paths);
    assertTrue(paths.size() > 20, "the walk found the tree: " + paths);
    return paths.stream().map(p -> Arguments.of(String.join(" ", p), p));
  }

  private static void walk(CommandLine cl, List<String> path, List<List<String>> into) {
    into.add(List.copyOf(path));
    // getSubcommands() lists aliases too; walk each command once under its name
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals(sub.getCommandName())) {
                List<String> child = new ArrayList<>(path);
                child.add(name);
                walk(sub, child, into);
              }
            });
  }

  @ParameterizedTest(name = "secureyeoman {0} --help")
  @MethodSource("commandPaths")
  void help_exitsZeroWithUsageOnStdout(String display, List<String> path) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    Run r = Run.of(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    String expected = ("Usage: secureyeoman " + display).strip();
    assertTrue(r.out().contains(expected), r.out());
    assertEquals("", r.err());
    if (path.size() == 1) {
      // the root help command reaches the same usage: 'secureyeoman help config'
      Run h = Run.of("help", path.get(0));
      assertEquals(0, h.code(), h.err());
      assertTrue(h.out().contains(expected), h.out());
    }
  }
}
