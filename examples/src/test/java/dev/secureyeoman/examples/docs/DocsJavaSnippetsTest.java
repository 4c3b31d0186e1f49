package dev.secureyeoman.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secureyeoman.examples.docs.DocBlocks.Block;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Doc snippets are code: every {@code ```java} block of {@code README.md} and {@code docs/*.md} is compiled against the
 * module jars on this test's class path (every SDK module, Spring Security for {@code docs/auth-spring.md}), and the
 * blocks marked {@code run} are run in a child JVM whose working directory is a fresh temp dir.
 *
 * <p>Each block carries one marker on the line above its fence (an HTML comment, invisible when rendered):
 *
 * <ul>
 *   <li>{@code <!-- java: fragment -->} statements: compiled as the body of a method ({@code throws Exception}) of a
 *       class that imports every exported SDK package and the usual JDK ones; add {@code run} to also run it.
 *   <li>{@code <!-- java: members -->} declarations (classes, methods): compiled as members of that class.
 *   <li>{@code <!-- java: file -->} a whole compilation unit (own package and imports).
 *   <li>{@code <!-- java: pseudo REASON -->} deliberately not compiled; the reason is required.
 *   <li>{@code <!-- snippet: PATH -->} a copy of a repository file (checked by {@code DocsSnippetsTest}).
 * </ul>
 *
 * The marker may go on over more lines before {@code -->}: those lines are the context the block assumes ("given"):
 * {@code import} lines, and fields or helper methods of the wrapping class, e.g. {@code SecretBytes key32;}.
 * A failure names the Markdown file and line of the offending snippet line.
 */
class DocsJavaSnippetsTest {
  private static final Pattern MARKER =
      Pattern.compile("java: (fragment|members|file|pseudo)(?: (run))?([^\\n]*)(?:\\n([\\s\\S]*))?");

  /** The packages a fragment may use without imports: every exported SDK package and the JDK basics. */
  static final List<String> AUTO_IMPORTS =
      List.of(
          "dev.secureyeoman.core.*",
          "dev.secureyeoman.core.config.*",
          "dev.secureyeoman.core.crypto.*",
          "dev.secureyeoman.core.killswitch.*",
          "dev.secureyeoman.web.*",
          "dev.secureyeoman.audit.*",
          "dev.secureyeoman.auth.*",
          "dev.secureyeoman.auth.totp.*",
          "dev.secureyeoman.sandbox.*",
          "dev.secureyeoman.sandbox.landlock.*",
          "dev.secureyeoman.sandbox.seccomp.*",
          "dev.secureyeoman.integrations.*",
          "dev.secureyeoman.integrations.adapters.*",
          "dev.secureyeoman.integrations.conversation.*",
          "dev.secureyeoman.integrations.media.*",
          "dev.secureyeoman.integrations.plugin.*",
          "dev.secureyeoman.integrations.router.*",
          "dev.secureyeoman.integrations.telegram.*",
          "dev.secureyeoman.integrations.discord.*",
          "dev.secureyeoman.integrations.slack.*",
          "dev.secureyeoman.release.*",
          "dev.secureyeoman.testkit.*",
          "java.io.*",
          "java.net.URI",
          "java.nio.charset.StandardCharsets",
          "java.nio.file.*",
          "java.security.SecureRandom",
          "java.sql.Connection",
          "java.sql.DriverManager",
          "java.time.*",
          "java.util.*",
          "java.util.concurrent.*",
          "java.util.regex.Pattern",
          "javax.sql.DataSource");

  /** One snippet turned into a source file, with the map from generated lines back to Markdown lines. */
  record Unit(Block block, String kind, boolean run, String className, String source, Map<Integer, String> lineMap) {}

  private static final List<Unit> UNITS = new ArrayList<>();
  private static final List<Block> PSEUDO = new ArrayList<>();
  private static final List<Block> COPIES = new ArrayList<>();
  private static final List<String> UNMARKED = new ArrayList<>();
  private static final Map<String, List<String>> ERRORS = new LinkedHashMap<>();
  private static Path classes;

  @TempDir static Path tmp;

  @BeforeAll
  static void compileAll() throws IOException {
    int n = 0;
    for (Block b : DocBlocks.all()) {
      if (!b.lang().equals("java")) {
        continue;
      }
      String marker = b.marker().orElse("");
      if (marker.startsWith("snippet: ")) {
        COPIES.add(b);
        continue;
      }
      Matcher m = MARKER.matcher(marker);
      if (!m.matches()) {
        UNMARKED.add(b.where() + ": a java block needs a marker line above it: <!-- java: fragment|members|file|pseudo REASON -->");
        continue;
      }
      String kind = m.group(1);
      if (kind.equals("pseudo")) {
        if (m.group(3).isBlank()) {
          UNMARKED.add(b.where() + ": <!-- java: pseudo --> needs a reason");
        }
        PSEUDO.add(b);
        continue;
      }
      UNITS.add(toUnit(b, kind, m.group(2) != null, m.group(4) == null ? "" : m.group(4), n++));
    }
    classes = Files.createDirectories(tmp.resolve("classes"));
    compile(UNITS);
    if (!ERRORS.isEmpty()) {
      // javac writes no class when any unit fails: compile the good ones again so that they still run
      compile(UNITS.stream().filter(u -> !ERRORS.containsKey(u.block().where())).toList());
    }
  }

  private static Unit toUnit(Block b, String kind, boolean run, String given, int n) {
    Map<Integer, String> lineMap = new LinkedHashMap<>();
    StringBuilder src = new StringBuilder();
    int[] line = {1};
    if (kind.equals("file")) {
      for (int i = 0; i < b.lines().size(); i++) {
        lineMap.put(i + 1, b.where(i));
      }
      Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(b.text());
      Matcher type =
          Pattern.compile("(?m)^public (?:final |abstract |sealed )*(?:class|record|interface|enum) (\\w+)").matcher(b.text());
      assertTrue(type.find(), b.where() + ": a 'file' snippet needs a public top-level type");
      String fqcn = (pkg.find() ? pkg.group(1) + "." : "") + type.group(1);
      return new Unit(b, kind, run, fqcn, b.text(), lineMap);
    }
    String pkg = "docsnippets.s" + n;
    java.util.function.Consumer<String> emit =
        s -> {
          src.append(s).append('\n');
          line[0]++;
        };
    emit.accept("package " + pkg + ";");
    for (String imp : AUTO_IMPORTS) {
      emit.accept("import " + imp + ";");
    }
    List<String> members = new ArrayList<>();
    for (String g : given.lines().toList()) {
      if (g.strip().startsWith("import ")) {
        lineMap.put(line[0], b.file() + " (marker above line " + b.fenceLine() + ")");
        emit.accept(g.strip());
      } else {
        members.add(g);
      }
    }
    emit.accept("@SuppressWarnings(\"all\")");
    emit.accept("public class Snippet {");
    for (String g : members) {
      lineMap.put(line[0], b.file() + " (marker above line " + b.fenceLine() + ")");
      emit.accept(g);
    }
    // field initializers of the given context may throw; a snippet's own threads must not keep the JVM alive
    emit.accept("Snippet() throws Exception {}");
    emit.accept("public static void main(String[] args) throws Exception { new Snippet().snippet(); System.exit(0); }");
    if (kind.equals("fragment")) {
      emit.accept("void snippet() throws Exception {");
    } else {
      emit.accept("void snippet() throws Exception {}");
    }
    for (int i = 0; i < b.lines().size(); i++) {
      lineMap.put(line[0], b.where(i));
      emit.accept(b.lines().get(i));
    }
    if (kind.equals("fragment")) {
      emit.accept("}");
    }
    emit.accept("}");
    return new Unit(b, kind, run, pkg + ".Snippet", src.toString(), lineMap);
  }

  private static void compile(List<Unit> units) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<JavaFileObject, Unit> byFile = new LinkedHashMap<>();
    for (Unit u : units) {
      byFile.put(
          new SimpleJavaFileObject(
              java.net.URI.create("string:///" + u.className().replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return u.source();
            }
          },
          u);
    }
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      fm.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
      List<File> cp = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator)).map(File::new).toList();
      fm.setLocation(StandardLocation.CLASS_PATH, cp);
      StringWriter out = new StringWriter();
      javac.getTask(out, fm, diagnostics, List.of("--release", "17", "-proc:none", "-Xlint:none", "-Xmaxerrs", "1000"), null, byFile.keySet())
          .call();
    }
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      Unit u = byFile.get(d.getSource());
      String key = u == null ? "?" : u.block().where();
      String where = u == null ? "?" : u.lineMap().getOrDefault((int) d.getLineNumber(), u.block().where() + " (wrapper)");
      ERRORS.computeIfAbsent(key, k -> new ArrayList<>()).add(where + ": " + d.getMessage(Locale.ROOT));
    }
  }

  @Test
  void everyJavaBlock_isMarked() {
    assertEquals(List.of(), UNMARKED);
  }

  @TestFactory
  Stream<DynamicTest> everySnippet_compiles() {
    return UNITS.stream()
        .map(
            u ->
                DynamicTest.dynamicTest(
                    u.block().where() + " (" + u.kind() + ")",
                    () -> {
                      List<String> errors = ERRORS.getOrDefault(u.block().where(), List.of());
                      if (!errors.isEmpty()) {
                        fail("snippet does not compile:\n  " + String.join("\n  ", errors));
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> runnableSnippets_run() {
    return UNITS.stream()
        .filter(Unit::run)
        .map(u -> DynamicTest.dynamicTest(u.block().where() + " (run)", () -> runSnippet(u)));
  }

  private static void runSnippet(Unit u) throws Exception {
    assertTrue(ERRORS.getOrDefault(u.block().where(), List.of()).isEmpty(), u.block().where() + ": does not compile");
    Path work = Files.createTempDirectory(tmp, "run");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classes + File.pathSeparator + System.getProperty("java.class.path"),
                u.className())
            .directory(work.toFile())
            .redirectErrorStream(true);
    pb.environment().put("SECUREYEOMAN_AUDIT_KEY", newKey());
    pb.environment().put("SECUREYEOMAN_CONFIG_KEY", newKey());
    pb.environment().put("SECUREYEOMAN_AUTH_KEY", newKey());
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), u.block().where() + ": did not finish");
    assertEquals(
        0,
        p.exitValue(),
        u.block().where() + ": the snippet failed when run in " + work + ":\n" + new String(output, StandardCharsets.UTF_8));
  }

  static String newKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  @Test
  void inventory() {
    // every java block is accounted for: compiled, deliberately pseudo-code, or a checked copy of a repository file
    long runs = UNITS.stream().filter(Unit::run).count();
    System.out.printf(
        "docs java blocks: %d compiled (%d run), %d copies of repository files, %d pseudo-code: %s%n",
        UNITS.size(), runs, COPIES.size(), PSEUDO.size(), PSEUDO.stream().map(Block::where).toList());
    assertTrue(UNITS.size() >= 25, "expected the docs' snippets, found " + UNITS.size());
    assertTrue(runs >= 3, "expected runnable snippets, found " + runs);
  }
}
