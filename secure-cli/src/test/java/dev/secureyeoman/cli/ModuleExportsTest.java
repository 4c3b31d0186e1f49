package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The public surface of every SDK module, read from the compiled {@code module-info.class} of the built jars (or
 * reactor class directories) on the test class path: an export added by accident — an {@code internal} package, a
 * qualified export widened to everyone, an export from the CLI application — fails the build. Until a first release
 * exists to run japicmp/revapi against, this list is the API-compatibility check. Change it together with
 * {@code docs/ARCHITECTURE.md} when the surface changes on purpose.
 */
class ModuleExportsTest {

  /** Module name → its exports; a qualified export reads {@code package to m1,m2}. */
  private static final Map<String, Set<String>> EXPECTED = new TreeMap<>(Map.of(
      "dev.secureyeoman.core", Set.of(
          "dev.secureyeoman.core",
          "dev.secureyeoman.core.config",
          "dev.secureyeoman.core.crypto",
          "dev.secureyeoman.core.internal to dev.secureyeoman.auth",
          "dev.secureyeoman.core.killswitch"),
      "dev.secureyeoman.web", Set.of("dev.secureyeoman.web"),
      "dev.secureyeoman.testkit", Set.of("dev.secureyeoman.testkit"),
      "dev.secureyeoman.audit", Set.of("dev.secureyeoman.audit"),
      "dev.secureyeoman.auth", Set.of("dev.secureyeoman.auth", "dev.secureyeoman.auth.totp"),
      "dev.secureyeoman.auth.spring", Set.of("dev.secureyeoman.auth.spring"),
      "dev.secureyeoman.sandbox", Set.of(
          "dev.secureyeoman.sandbox",
          "dev.secureyeoman.sandbox.landlock",
          "dev.secureyeoman.sandbox.seccomp",
          "dev.secureyeoman.sandbox.seccomp.bpf"),
      "dev.secureyeoman.integrations", Set.of(
          "dev.secureyeoman.integrations",
          "dev.secureyeoman.integrations.adapters",
          "dev.secureyeoman.integrations.conversation",
          "dev.secureyeoman.integrations.discord",
          "dev.secureyeoman.integrations.media",
          "dev.secureyeoman.integrations.plugin",
          "dev.secureyeoman.integrations.router",
          "dev.secureyeoman.integrations.slack",
          "dev.secureyeoman.integrations.telegram"),
      "dev.secureyeoman.release", Set.of("dev.secureyeoman.release"),
      "dev.secureyeoman.cli", Set.of()));

  /** The class path entries that hold an SDK module (jar or exploded class directory with a module-info). */
  private static Map<String, ModuleReference> sdkModules() {
    Map<String, ModuleReference> found = new TreeMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p) && !Files.exists(p.resolve("module-info.class"))) {
        continue; // test classes
      }
      try {
        for (ModuleReference ref : ModuleFinder.of(p).findAll()) {
          if (ref.descriptor().name().startsWith("dev.secureyeoman.")) {
            found.put(ref.descriptor().name(), ref);
          }
        }
      } catch (FindException e) {
        // a jar whose automatic name cannot be derived: not ours
      }
    }
    return found;
  }

  private static String describe(ModuleDescriptor.Exports e) {
    return e.isQualified() ? e.source() + " to " + String.join(",", new TreeSet<>(e.targets())) : e.source();
  }

  @Test
  void everyModule_exportsExactlyTheExpectedPackages() {
    Map<String, ModuleReference> modules = sdkModules();
    assertEquals(EXPECTED.keySet(), modules.keySet(), "SDK modules on the test class path");
    Map<String, Set<String>> actual = new TreeMap<>();
    modules.forEach((name, ref) -> actual.put(name,
        ref.descriptor().exports().stream().map(ModuleExportsTest::describe).collect(Collectors.toCollection(TreeSet::new))));
    Map<String, Set<String>> expected = new TreeMap<>();
    EXPECTED.forEach((k, v) -> expected.put(k, new TreeSet<>(v)));
    assertEquals(expected, actual);
  }

  @Test
  void everyModule_noInternalPackageExportedToEveryone() {
    sdkModules().forEach((name, ref) -> ref.descriptor().exports().forEach(e -> assertTrue(
        e.isQualified() || !e.source().contains(".internal"), name + " exports " + e.source() + " to everyone")));
  }

  /**
   * The CLI exports nothing, yet picocli still binds its options: the packaged module runs on the module path, where
   * only {@code opens dev.secureyeoman.cli to info.picocli} grants picocli the reflective access it needs.
   */
  @Test
  void cli_onTheModulePath_picocliBindsOptionsWithoutAnExport() throws Exception {
    ModuleFinder finder = ModuleFinder.of(classPathModules().toArray(Path[]::new));
    Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("dev.secureyeoman.cli"));
    List<String> modulePath = new ArrayList<>();
    for (ResolvedModule m : cf.modules()) {
      Optional<java.net.URI> location = m.reference().location();
      location.ifPresent(uri -> modulePath.add(Path.of(uri).toString()));
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-p", String.join(File.pathSeparator, modulePath),
        "-m", "dev.secureyeoman.cli/dev.secureyeoman.cli.SecureYeomanCli", "totp", "code", "--help")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("Usage:") && out.contains("totp code"), out);
    assertTrue(!out.contains("IllegalAccess") && !out.contains("InaccessibleObject"), out);
  }

  private static List<Path> classPathModules() {
    List<Path> paths = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p) ? Files.exists(p.resolve("module-info.class")) : entry.endsWith(".jar")) {
        paths.add(p);
      }
    }
    return paths;
  }
}
