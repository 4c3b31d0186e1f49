import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs every Jazzer {@code @FuzzTest} of one Maven module in fuzzing mode, one JVM per target, each for a bounded time.
 * Started by the {@code fuzz} profile of the root pom ({@code ./mvnw -Pfuzz verify}) in every module, with the
 * module's test class path; new targets are found by scanning the compiled test classes, so nobody maintains a list.
 *
 * <pre>
 * java -cp TEST_CLASSPATH .ci/FuzzAll.java MODULE_DIR SECONDS SELF [FAIL_ON_FINDING]   # fuzz every target of a module
 * java -cp TEST_CLASSPATH .ci/FuzzAll.java --run CLASS METHOD        # (child) fuzz one target with the JUnit launcher
 * </pre>
 *
 * A target that finds a crash fails the module after every target of it ran (unless FAIL_ON_FINDING is false: CI then
 * fuzzes every module and checks the summaries at the end); Jazzer keeps the crashing input as
 * {@code src/test/resources/<package>/<Class>Inputs/<method>/crash-<sha1>}, which the normal build then replays as a
 * regression test (commit it once the bug is fixed). Executions per target are appended to
 * {@code target/fuzz/summary.tsv} and printed.
 */
public final class FuzzAll {
  private static final String FUZZ_TEST = "com.code_intelligence.jazzer.junit.FuzzTest";
  private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");

  private FuzzAll() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--run")) {
      System.exit(runOne(args[1], args[2]));
    }
    if (args.length < 2 || args.length > 4) {
      System.err.println("usage: FuzzAll MODULE_DIR SECONDS [PATH_OF_THIS_FILE [FAIL_ON_FINDING]] | --run CLASS METHOD");
      System.exit(2);
    }
    Path module = Path.of(args[0]).toAbsolutePath();
    Path self = args.length >= 3 ? Path.of(args[2]) : module.getParent().resolve(".ci/FuzzAll.java");
    boolean failOnFinding = args.length < 4 || Boolean.parseBoolean(args[3]);
    int result = fuzzModule(module, Integer.parseInt(args[1]), self.toAbsolutePath());
    System.exit(failOnFinding ? result : 0);
  }

  record Target(String className, String method) {
    String id() {
      return className.substring(className.lastIndexOf('.') + 1) + "#" + method;
    }
  }

  /** Scans the compiled test classes of a module for methods annotated with {@code @FuzzTest}. */
  static List<Target> discover(Path testClasses) throws Exception {
    List<Target> out = new ArrayList<>();
    if (!Files.isDirectory(testClasses)) {
      return out;
    }
    Class<? extends Annotation> fuzzTest;
    try {
      fuzzTest = Class.forName(FUZZ_TEST).asSubclass(Annotation.class);
    } catch (ClassNotFoundException e) {
      return out; // no Jazzer on this module's test class path: no fuzz targets
    }
    List<Path> classFiles;
    try (Stream<Path> files = Files.walk(testClasses)) {
      classFiles = files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).sorted().toList();
    }
    for (Path p : classFiles) {
      String name = testClasses.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
      Class<?> c;
      try {
        c = Class.forName(name, false, FuzzAll.class.getClassLoader());
      } catch (LinkageError | ClassNotFoundException e) {
        continue;
      }
      Set<String> methods = new TreeSet<>();
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(fuzzTest)) {
          methods.add(m.getName());
        }
      }
      methods.forEach(m -> out.add(new Target(name, m)));
    }
    return out;
  }

  static int fuzzModule(Path module, int seconds, Path selfPath) throws Exception {
    List<Target> targets = discover(module.resolve("target/test-classes"));
    if (targets.isEmpty()) {
      return 0;
    }
    Path outDir = Files.createDirectories(module.resolve("target/fuzz"));
    Path summary = outDir.resolve("summary.tsv");
    Files.deleteIfExists(summary);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // compile this file once for the children (the source launcher would recompile it in every child JVM)
    Path runner = Files.createDirectories(outDir.resolve("runner"));
    int javac = javax.tools.ToolProvider.getSystemJavaCompiler()
        .run(null, null, null, "-d", runner.toString(), "-nowarn", selfPath.toString());
    if (javac != 0) {
      System.out.println("fuzz: cannot compile " + selfPath);
      return 1;
    }
    String classPath = runner + File.pathSeparator + System.getProperty("java.class.path");
    List<String> failed = new ArrayList<>();
    System.out.println("fuzz: " + targets.size() + " target(s) in " + module.getFileName() + ", " + seconds + " s each");
    for (Target t : targets) {
      Set<Path> crashesBefore = crashFiles(module, t);
      Path log = outDir.resolve(t.id().replace('#', '.') + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
              java, "-Xmx1g", "-XX:-OmitStackTraceInFastThrow", "--enable-native-access=ALL-UNNAMED",
              "-Djazzer.max_duration=" + seconds + "s", "-cp", classPath, "FuzzAll", "--run", t.className(),
              t.method());
      pb.directory(module.toFile()); // Jazzer keeps crashes under src/test/resources and its corpus in .cifuzz-corpus
      pb.environment().put("JAZZER_FUZZ", "1");
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      long start = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(seconds + 300L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
      long wall = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      String text = Files.readString(log, StandardCharsets.ISO_8859_1);
      long runs = -1;
      long fuzzSeconds = -1;
      Matcher m = DONE.matcher(text);
      while (m.find()) {
        runs = Long.parseLong(m.group(1));
        fuzzSeconds = Long.parseLong(m.group(2));
      }
      Set<Path> crashes = crashFiles(module, t);
      crashes.removeAll(crashesBefore);
      boolean ok = p.exitValue() == 0 && crashes.isEmpty() && runs > 0;
      String line =
          String.join(
              "\t", module.getFileName().toString(), t.id(), ok ? "ok" : "FAILED", Long.toString(runs),
              Long.toString(fuzzSeconds), fuzzSeconds > 0 ? Long.toString(runs / fuzzSeconds) : "-",
              Long.toString(wall));
      Files.writeString(summary, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      System.out.printf("fuzz: %-60s %-6s %,12d runs in %3d s (%,d/s), wall %d s%n", t.id(), ok ? "ok" : "FAILED",
          runs, fuzzSeconds, fuzzSeconds > 0 ? runs / fuzzSeconds : 0, wall);
      if (!ok) {
        failed.add(t.id() + " (log " + log + ")");
        for (Path c : crashes) {
          System.out.println("fuzz:   new crash input kept as regression file: " + module.relativize(c));
        }
      }
    }
    if (!failed.isEmpty()) {
      System.out.println("fuzz: FAILED: " + failed);
      return 1;
    }
    return 0;
  }

  private static Set<Path> crashFiles(Path module, Target t) throws IOException {
    String pkg = t.className().contains(".") ? t.className().substring(0, t.className().lastIndexOf('.')) : "";
    String simple = t.className().substring(t.className().lastIndexOf('.') + 1);
    Path dir = module.resolve("src/test/resources").resolve(pkg.replace('.', '/'))
        .resolve(simple + "Inputs").resolve(t.method());
    Set<Path> out = new TreeSet<>(Comparator.naturalOrder());
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(p -> p.getFileName().toString().startsWith("crash-")).forEach(out::add);
      }
    }
    for (Path root : List.of(module)) {
      try (Stream<Path> files = Files.list(root)) {
        files.filter(p -> p.getFileName().toString().startsWith("crash-")).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * Child: runs one fuzz test method through the JUnit Platform launcher; exit code 1 on any failure. Reflection keeps
   * this file compilable on a class path without JUnit (modules without tests, where discovery finds nothing).
   */
  static int runOne(String className, String method) throws Exception {
    Class<?> c = Class.forName(className);
    ClassLoader cl = FuzzAll.class.getClassLoader();
    Class<?> selectors = cl.loadClass("org.junit.platform.engine.discovery.DiscoverySelectors");
    Class<?> builder = cl.loadClass("org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder");
    Class<?> factory = cl.loadClass("org.junit.platform.launcher.core.LauncherFactory");
    Class<?> summaryListener = cl.loadClass("org.junit.platform.launcher.listeners.SummaryGeneratingListener");
    Class<?> listenerType = cl.loadClass("org.junit.platform.launcher.TestExecutionListener");
    Class<?> selectorType = cl.loadClass("org.junit.platform.engine.DiscoverySelector");
    Method target = null;
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(method) && m.isAnnotationPresent(Class.forName(FUZZ_TEST).asSubclass(Annotation.class))) {
        target = m;
      }
    }
    if (target == null) {
      throw new IllegalArgumentException("no @FuzzTest method " + method + " in " + className);
    }
    Object selector = selectors.getMethod("selectMethod", Class.class, Method.class).invoke(null, c, target);
    Object selectorArray = java.lang.reflect.Array.newInstance(selectorType, 1);
    java.lang.reflect.Array.set(selectorArray, 0, selector);
    Object b = builder.getMethod("request").invoke(null);
    builder.getMethod("selectors", selectorArray.getClass()).invoke(b, selectorArray);
    Object request = builder.getMethod("build").invoke(b);
    Object launcher = factory.getMethod("create").invoke(null);
    Object listener = summaryListener.getConstructor().newInstance();
    Object listeners = java.lang.reflect.Array.newInstance(listenerType, 1);
    java.lang.reflect.Array.set(listeners, 0, listener);
    cl.loadClass("org.junit.platform.launcher.Launcher")
        .getMethod("execute", cl.loadClass("org.junit.platform.launcher.LauncherDiscoveryRequest"),
            listeners.getClass())
        .invoke(launcher, request, listeners);
    Object summary = summaryListener.getMethod("getSummary").invoke(listener);
    Class<?> summaryType = cl.loadClass("org.junit.platform.launcher.listeners.TestExecutionSummary");
    long failures = (long) summaryType.getMethod("getTotalFailureCount").invoke(summary);
    long succeeded = (long) summaryType.getMethod("getTestsSucceededCount").invoke(summary);
    PrintStream out = System.out;
    summaryType.getMethod("printFailuresTo", java.io.PrintWriter.class, int.class)
        .invoke(summary, new java.io.PrintWriter(out, true), 25);
    out.println("fuzz-child: " + className + "#" + method + " succeeded=" + succeeded + " failures=" + failures);
    return failures == 0 && succeeded > 0 ? 0 : 1;
  }
}
