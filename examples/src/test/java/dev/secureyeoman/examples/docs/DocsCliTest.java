package dev.secureyeoman.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.cli.SecureYeomanCli;
import dev.secureyeoman.examples.docs.DocBlocks.Block;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every documented CLI command in {@code README.md} and {@code docs/*.md} is run, and its output shape compared with
 * the docs. A fenced block that holds a command ({@code secureyeoman …}, {@code java -jar …}, {@code ./mvnw}, …) is
 * either marked on the line above its fence, or listed in {@link #EXCLUDED} with the reason it cannot run here:
 *
 * <ul>
 *   <li>{@code <!-- cli-check -->} (optionally {@code <!-- cli-check: FIXTURE… -->}): the block is run top to bottom in
 *       a fresh temp dir, in a child JVM per command ({@code secureyeoman} and {@code java -jar …secureyeoman.jar} both
 *       mean the CLI of this build). {@code export VAR=…} sets the environment; a value that reads {@code /dev/urandom}
 *       is replaced by a fresh base64 256-bit key. The lines after a command (up to the next command) are its expected
 *       output: {@code error: …} is the one stderr line, other lines are the first stdout lines, {@code …} matches
 *       anything. The expected exit code is 1 with an {@code error:} line, else 0, or {@code # exit N} on the command
 *       line. FIXTUREs are files written into the temp dir first (see {@link #FIXTURES}).
 *   <li>{@code <!-- cli-check: synopsis -->}: each {@code secureyeoman WORD…} line is a usage summary: {@code WORD…
 *       --help} must exit 0 and list every {@code --option} of the line (indented lines continue the line above;
 *       {@code a|b} alternatives are each checked).
 * </ul>
 */
class DocsCliTest {
  /** Files a cli-check block may ask for by name. */
  static final Map<String, String> FIXTURES =
      Map.of(
          "app.yaml",
          "security:\n  audit:\n    retention_days: 30\n",
          "bad.yaml",
          "security:\n  audit:\n    max_entries: 0\n    retention_days: 0\n");

  /** Command blocks that do not run in this test, as "file|text in the block" → why. */
  static final Map<String, String> EXCLUDED =
      Map.ofEntries(
          Map.entry(
              "README.md|./mvnw -q -DskipTests package && java -jar examples/target/gateway.jar",
              "builds the reactor and starts a server that runs until stopped; GatewayMainTest starts it, "
                  + "DocsGatewaySampleTest checks the documented /healthz body"),
          Map.entry(
              "docs/examples.md|java -jar examples/target/gateway.jar [--port P]",
              "build + long-running server; the /healthz line is checked by DocsGatewaySampleTest"),
          Map.entry(
              "docs/gateway.md|java -jar examples/target/gateway.jar [--port 8080]",
              "build + long-running server (GatewayMainTest covers start-up and the bootstrap password file)"),
          Map.entry(
              "docs/gateway.md|B=http://127.0.0.1:8080",
              "curl against a running gateway with live tokens; the routes are tested by GatewayAuthRoutesTest and "
                  + "GatewayAdminRoutesTest, the /healthz line by DocsGatewaySampleTest"),
          Map.entry(
              "docs/plugins.md|dev.secureyeoman.examples.PluginHostMain",
              "needs the packaged gateway.jar (built after the tests) and serves webhooks until stopped; "
                  + "PluginHostMainTest runs the same host with the sample plugin"),
          Map.entry(
              "docs/release-notes.md|scripts/release-notes.sh",
              "runs on this repository's own git history (output changes with every commit; a worktree in CI); "
                  + "ReleaseNotesCommandTest runs the command on generated repositories, the synopsis is checked here"),
          Map.entry(
              "docs/sandbox.md|apt-get download linux-libc-dev",
              "downloads a Debian package (network) to regenerate the syscall tables"),
          Map.entry("docs/CONTRIBUTING.md|./mvnw verify", "the build itself"),
          Map.entry("docs/CONTRIBUTING.md|benchmarks/target/benchmarks.jar", "JMH benchmarks: minutes long, built after this module"),
          Map.entry("docs/CONTRIBUTING.md|sha256sum > /tmp/a", "two full clean builds"),
          Map.entry("docs/PERFORMANCE.md|gateway-wrk.sh", "a 60 s load test with wrk"),
          Map.entry(
              "docs/PERFORMANCE.md|AuditVerifyBenchmark",
              "JMH benchmarks of the audit floor: minutes long, built after this module"),
          Map.entry(
              "docs/scale-out.md|bash examples/scale-out/three-nodes.sh",
              "starts PostgreSQL, Redis and three gateways that run until Ctrl-C; GatewayThreeNodesTest covers the "
                  + "same cluster through HTTP"));

  private static final Pattern CLI =
      Pattern.compile("^(?:\\$ )?(?:secureyeoman|java -jar \\S*secureyeoman\\.jar)(?=\\s|$)(.*)$");
  private static final Pattern ANY_COMMAND =
      Pattern.compile("^(?:\\$ )?(?:secureyeoman\\s|java -(?:jar|cp) |\\./mvnw|scripts/|bash |apt-get |curl )");
  /** {@code VAR=value } before a command: value is a word, a quoted string or a {@code $(…)} substitution. */
  private static final Pattern ASSIGNMENT =
      Pattern.compile("([A-Z_][A-Z0-9_]*)=(\\$\\([^)]*\\)|\"[^\"]*\"|'[^']*'|\\S+)\\s+");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]*(?:\\|[a-z][a-z0-9-]*)*");

  @TempDir Path tmp;

  static List<Block> commandBlocks() {
    return DocBlocks.all().stream()
        .filter(b -> Set.of("", "bash", "sh", "console", "shell").contains(b.lang()))
        .filter(b -> b.lines().stream().anyMatch(l -> ANY_COMMAND.matcher(l.strip()).find()))
        .toList();
  }

  static String kind(Block b) {
    String m = b.marker().orElse("");
    if (m.equals("cli-check") || m.startsWith("cli-check: ")) {
      return m.equals("cli-check: synopsis") ? "synopsis" : "run";
    }
    return EXCLUDED.keySet().stream()
            .anyMatch(k -> k.startsWith(b.file() + "|") && b.text().contains(k.substring(k.indexOf('|') + 1)))
        ? "excluded"
        : "unchecked";
  }

  @Test
  void everyCommandBlock_isCheckedOrExcludedWithAReason() {
    List<String> unchecked = new ArrayList<>();
    for (Block b : commandBlocks()) {
      if (kind(b).equals("unchecked")) {
        unchecked.add(b.where() + ": command block with neither <!-- cli-check --> nor an EXCLUDED entry");
      }
    }
    assertEquals(List.of(), unchecked);
    for (String key : EXCLUDED.keySet()) {
      assertTrue(
          commandBlocks().stream().anyMatch(b -> kind(b).equals("excluded") && key.startsWith(b.file() + "|")
              && b.text().contains(key.substring(key.indexOf('|') + 1))),
          "stale EXCLUDED entry (no such block any more): " + key);
    }
  }

  @TestFactory
  Stream<DynamicTest> cliCheckBlocks_runAsDocumented() {
    return commandBlocks().stream()
        .filter(b -> kind(b).equals("run"))
        .map(b -> DynamicTest.dynamicTest(b.where(), () -> runBlock(b)));
  }

  @TestFactory
  Stream<DynamicTest> synopsisBlocks_matchHelp() {
    return commandBlocks().stream()
        .filter(b -> kind(b).equals("synopsis"))
        .flatMap(b -> synopses(b).stream())
        .map(s -> DynamicTest.dynamicTest(s.where() + " " + String.join(" ", s.path()), () -> checkSynopsis(s)));
  }

  @Test
  void inventory() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    int commands = 0;
    for (Block b : commandBlocks()) {
      counts.merge(kind(b), 1, Integer::sum);
      if (kind(b).equals("run")) {
        commands +=
            (int) b.lines().stream()
                .map(l -> l.strip().replaceFirst("^\\$ ", ""))
                .filter(l -> CLI.matcher(ASSIGNMENT.matcher(l).replaceAll("")).matches())
                .count();
      }
    }
    int synopses = commandBlocks().stream().filter(b -> kind(b).equals("synopsis")).mapToInt(b -> synopses(b).size()).sum();
    System.out.printf(
        "docs command blocks: %s; %d commands run, %d synopsis lines checked against --help%n", counts, commands, synopses);
    assertTrue(commands >= 5 && synopses >= 15, counts + " " + commands + " " + synopses);
  }

  // ---- runnable blocks

  private void runBlock(Block b) throws Exception {
    Path work = Files.createTempDirectory(tmp, "cli");
    String marker = b.marker().orElseThrow();
    if (marker.startsWith("cli-check: ")) {
      for (String name : marker.substring("cli-check: ".length()).trim().split("\\s+")) {
        String content = FIXTURES.get(name);
        assertTrue(content != null, b.where() + ": unknown fixture " + name + " (known: " + FIXTURES.keySet() + ")");
        Files.writeString(work.resolve(name), content);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    List<String> pendingArgs = null;
    int pendingLine = -1;
    Integer pendingExit = null;
    Map<String, String> pendingEnv = Map.of();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i <= b.lines().size(); i++) {
      String line = i < b.lines().size() ? b.lines().get(i).strip() : null;
      if (line != null && line.startsWith("$ ")) {
        line = line.substring(2);
      }
      Map<String, String> inline = new LinkedHashMap<>();
      Matcher assign;
      while (line != null && (assign = ASSIGNMENT.matcher(line)).lookingAt() && !line.startsWith("export ")) {
        inline.put(assign.group(1), envValue(assign.group(2)));
        line = line.substring(assign.end());
      }
      Matcher cli = line == null ? null : CLI.matcher(line);
      boolean isCommand = cli != null && cli.matches();
      if ((line == null || isCommand || line.startsWith("export ")) && pendingArgs != null) {
        Map<String, String> commandEnv = new LinkedHashMap<>(env);
        commandEnv.putAll(pendingEnv);
        runAndCompare(b, pendingLine, pendingArgs, pendingExit, expected, commandEnv, work);
        pendingArgs = null;
        expected = new ArrayList<>();
      }
      if (line == null || line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        String[] kv = line.substring(7).split("=", 2);
        String value = stripComment(kv[1]).strip();
        env.put(kv[0], envValue(value));
      } else if (isCommand) {
        String rest = cli.group(1);
        Matcher exit = Pattern.compile("#\\s*exit (\\d+)").matcher(rest);
        pendingExit = exit.find() ? Integer.valueOf(exit.group(1)) : null;
        pendingArgs = tokenize(stripComment(rest));
        pendingLine = i;
        pendingEnv = inline;
      } else if (pendingArgs != null) {
        expected.add(line);
      } else {
        fail(b.where(i) + ": neither a command, an export, a comment nor output of a command: " + line);
      }
    }
  }

  private static void runAndCompare(
      Block b, int line, List<String> args, Integer exit, List<String> expected, Map<String, String> env, Path work)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        SecureYeomanCli.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SECUREYEOMAN_"));
    pb.environment().putAll(env);
    File out = work.resolve(".stdout").toFile();
    File err = work.resolve(".stderr").toFile();
    pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), b.where(line) + ": did not finish");
    List<String> stdout = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
    List<String> stderr = Files.readAllLines(err.toPath(), StandardCharsets.UTF_8);
    String shown = b.where(line) + ": secureyeoman " + String.join(" ", args) + "\n  exit " + p.exitValue()
        + "\n  stdout: " + stdout + "\n  stderr: " + stderr;
    List<String> expectedErrors = expected.stream().filter(l -> l.startsWith("error:")).toList();
    List<String> expectedOut = expected.stream().filter(l -> !l.startsWith("error:")).toList();
    int expectedExit = exit != null ? exit : expectedErrors.isEmpty() ? 0 : 1;
    assertEquals(expectedExit, p.exitValue(), "exit code differs from the docs\n" + shown);
    List<String> errorLines = stderr.stream().filter(l -> l.startsWith("error:")).toList();
    assertEquals(expectedErrors.size(), errorLines.size(), "error: lines differ from the docs\n" + shown);
    for (int k = 0; k < expectedErrors.size(); k++) {
      assertTrue(matches(expectedErrors.get(k), errorLines.get(k)), "documented '" + expectedErrors.get(k) + "'\n" + shown);
    }
    assertTrue(stdout.size() >= expectedOut.size(), "fewer stdout lines than documented\n" + shown);
    for (int k = 0; k < expectedOut.size(); k++) {
      assertTrue(matches(expectedOut.get(k), stdout.get(k)), "documented '" + expectedOut.get(k) + "'\n" + shown);
    }
  }

  /** Documented line vs actual line: equal, with "…" (or "...") matching any text. */
  static boolean matches(String documented, String actual) {
    StringBuilder re = new StringBuilder();
    for (String part : documented.split("…|\\.\\.\\.", -1)) {
      if (re.length() > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString()).matcher(actual.strip()).matches();
  }

  /** A shell value: one that reads /dev/urandom stands for a fresh base64 256-bit key; quotes are removed. */
  static String envValue(String value) {
    return value.contains("/dev/urandom") ? DocsJavaSnippetsTest.newKey() : unquote(value);
  }

  static String stripComment(String s) {
    boolean single = false;
    boolean dbl = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' && !dbl) {
        single = !single;
      } else if (c == '"' && !single) {
        dbl = !dbl;
      } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
        return s.substring(0, i);
      }
    }
    return s;
  }

  static String unquote(String s) {
    List<String> t = tokenize(s);
    return t.isEmpty() ? "" : t.get(0);
  }

  /** Shell-like words: whitespace-separated, single and double quotes group and are removed. */
  static List<String> tokenize(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder w = null;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        w = w == null ? new StringBuilder() : w;
      } else if (Character.isWhitespace(c)) {
        if (w != null) {
          words.add(w.toString());
          w = null;
        }
      } else {
        w = w == null ? new StringBuilder() : w;
        w.append(c);
      }
    }
    if (w != null) {
      words.add(w.toString());
    }
    return words;
  }

  // ---- synopsis blocks

  record Synopsis(String where, List<String> path, Set<String> options) {}

  static List<Synopsis> synopses(Block b) {
    List<Synopsis> out = new ArrayList<>();
    List<List<String>> group = List.of();
    Set<String> options = null;
    for (int i = 0; i < b.lines().size(); i++) {
      String raw = b.lines().get(i);
      String line = stripComment(raw).stripTrailing();
      Matcher cli = CLI.matcher(line.strip());
      if (!raw.startsWith(" ") && cli.matches()) {
        List<String> words = new ArrayList<>();
        for (String t : cli.group(1).trim().split("\\s+")) {
          if (!WORD.matcher(t).matches()) {
            break;
          }
          words.add(t);
        }
        List<List<String>> paths = new ArrayList<>(List.of(List.of()));
        for (String word : words) {
          List<List<String>> next = new ArrayList<>();
          for (List<String> prefix : paths) {
            for (String alt : word.split("\\|")) {
              List<String> p = new ArrayList<>(prefix);
              p.add(alt);
              next.add(p);
            }
          }
          paths = next;
        }
        options = new LinkedHashSet<>();
        group = paths;
        for (List<String> p : paths) {
          out.add(new Synopsis(b.where(i), p, options));
        }
      } else if (raw.startsWith(" ") && options != null) {
        options.addAll(OPTION.matcher(line).results().map(r -> r.group()).toList());
        continue;
      } else {
        options = null;
        continue;
      }
      options.addAll(OPTION.matcher(cli.group(1)).results().map(r -> r.group()).toList());
    }
    return out;
  }

  private static void checkSynopsis(Synopsis s) {
    List<String> args = new ArrayList<>(s.path());
    args.add("--help");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SecureYeomanCli.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    String shown = s.where() + ": secureyeoman " + String.join(" ", args) + " → exit " + code + "\n" + out + err;
    assertEquals(0, code, shown);
    List<String> missing = s.options().stream().filter(o -> !Pattern.compile("(?<![\\w-])" + Pattern.quote(o) + "(?![\\w-])")
        .matcher(out.toString()).find()).toList();
    assertEquals(List.of(), missing, "documented options that --help does not list\n" + shown);
  }
}
