package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static dev.secureyeoman.integrations.plugin.TestPlugins.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@link PluginLoader} found by outside review and the red-team phase: each test stages the attack with real
 * jars and files and asserts it fails, next to the legitimate path still working.
 */
class PluginLoaderAttackTest {
  @TempDir Path dir;
  @TempDir Path shadow;
  @TempDir Path outside;
  private PluginLoader loader;

  @AfterEach
  void closeLoader() {
    if (loader != null) {
      loader.close();
    }
  }

  private PluginLoader loader() throws PluginException {
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).build();
    return loader;
  }

  private static PluginException rejection(PluginScan scan, String file) {
    return scan.entries().stream().filter(e -> e.fileName().equals(file)).findFirst().orElseThrow()
        .error().orElseThrow(() -> new AssertionError(file + " was loaded"));
  }

  /** A jar outside the plugin directory, never hashed or inspected, holding {@code lib.Greeter} version 2. */
  private Path unverifiedJar() {
    return TestPlugins.writeJar(outside.resolve("evil.jar"), TestPlugins.classEntries(TestPlugins.library("2")));
  }

  @Test
  void scan_manifestClassPathToUnverifiedJar_refused() throws Exception {
    Path evil = unverifiedJar();
    String manifest = "Manifest-Version: 1.0\r\nClass-Path: " + evil.toUri() + "\r\n\r\n";
    plugin("alpha").entry("META-INF/MANIFEST.MF", utf8(manifest)).writeTo(dir, "alpha.jar");
    // relative form: resolved against the shadow copy's location
    String relative = "Manifest-Version: 1.0\r\nclass-path: " + "../".repeat(30) + evil.toString().substring(1)
        + "\r\n\r\n";
    plugin("beta").entry("META-INF/MANIFEST.MF", utf8(relative)).writeTo(dir, "beta.jar");
    plugin("gamma").entry("META-INF/INDEX.LIST", utf8("JarIndex-Version: 1.0\n\nevil.jar\nlib\n"))
        .writeTo(dir, "gamma.jar");
    plugin("good").entry("META-INF/MANIFEST.MF", utf8("Manifest-Version: 1.0\r\n\r\n")).writeTo(dir, "good.jar");
    PluginScan scan = loader().scan();
    for (String jar : new String[] {"alpha.jar", "beta.jar", "gamma.jar"}) {
      PluginException e = rejection(scan, jar);
      assertEquals(Reason.CLASS_PATH, e.reason(), e.getMessage());
    }
    assertEquals(1, scan.loaded().size());
    ClassLoader cl = scan.loaded().get(0).newFactory().getClass().getClassLoader();
    assertThrows(ClassNotFoundException.class, () -> cl.loadClass("lib.Greeter"));
  }

  @Test
  void pluginClassLoader_manifestClassPath_neverFollowed() throws Exception {
    Path evil = unverifiedJar();
    String manifest = "Manifest-Version: 1.0\r\nClass-Path: " + evil.toUri() + "\r\n\r\n";
    Path jar = plugin("alpha").entry("META-INF/MANIFEST.MF", utf8(manifest)).writeTo(outside, "alpha.jar");
    try (PluginClassLoader cl = PluginClassLoader.open("t", java.util.List.of(jar), getClass().getClassLoader(),
        1 << 20)) {
      assertEquals(TestPlugins.FACTORY, cl.loadClass(TestPlugins.FACTORY).getName());
      assertThrows(ClassNotFoundException.class, () -> cl.loadClass("lib.Greeter"));
      assertEquals(null, cl.getResource("lib/Greeter.class"));
      assertTrue(Files.exists(evil));
    }
  }

  @Test
  void load_extractedLibraryReplacedAfterVerification_verifiedBytesStillLoaded() throws Exception {
    Path lib1 = TestPlugins.writeJar(outside.resolve("greeter-1.jar"),
        TestPlugins.classEntries(TestPlugins.library("1")));
    plugin("alpha").behave("lib", "true").entry("lib/greeter.jar", Files.readAllBytes(lib1)).writeTo(dir, "a.jar");
    LoadedPlugin p = loader().load(dir.resolve("a.jar"));
    ClassLoader cl = p.newFactory().getClass().getClassLoader();
    // swap the extracted copy for other bytes (new inode at the same path) before any library class was loaded
    Path extracted;
    try (java.util.stream.Stream<Path> s = Files.walk(shadow)) {
      extracted = s.filter(f -> f.toString().endsWith(".lib/0.jar")).findFirst().orElseThrow();
    }
    Files.delete(extracted);
    TestPlugins.writeJar(extracted, TestPlugins.classEntries(TestPlugins.library("2")));
    assertEquals("lib-1", cl.loadClass("lib.Greeter").getMethod("version").invoke(null),
        "the class loader serves the bytes that were inspected, not whatever the path holds later");
  }

  private PluginLoader smallLoader() throws PluginException {
    // 1 MiB jars: at most 4 MiB inflated per entry and in total
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).maxJarBytes(1 << 20)
        .build();
    return loader;
  }

  @Test
  void scan_zipBombsHugeOrManyEntriesDeepOrLongNames_rejectedTooLarge() throws Exception {
    plugin("bomb").entry("zeros.bin", new byte[8 << 20]).writeTo(dir, "bomb.jar"); // ~8 KiB compressed
    TestPlugins.Spec many = plugin("spread");
    for (int i = 0; i < 5; i++) {
      many.entry("part" + i + ".bin", new byte[1 << 20]); // each under the entry bound, together over the total
    }
    many.writeTo(dir, "spread.jar");
    plugin("deep").entry("a/".repeat(PluginLoader.MAX_ENTRY_DEPTH + 1) + "x.txt", utf8("x")).writeTo(dir, "deep.jar");
    plugin("longname").entry("n".repeat(PluginLoader.MAX_ENTRY_NAME_CHARS + 1), utf8("x"))
        .writeTo(dir, "longname.jar");
    Path nestedBomb = TestPlugins.writeJar(outside.resolve("nested.jar"), java.util.Map.of("z.bin", new byte[8 << 20]));
    plugin("nested").entry("lib/nested.jar", Files.readAllBytes(nestedBomb)).writeTo(dir, "nested.jar");
    plugin("fine").entry("data.bin", new byte[3 << 20]).writeTo(dir, "fine.jar");
    assertTrue(Files.size(dir.resolve("bomb.jar")) < (1 << 20), "the bomb itself is small");
    PluginScan scan = smallLoader().scan();
    for (String jar : new String[] {"bomb.jar", "spread.jar", "deep.jar", "longname.jar", "nested.jar"}) {
      PluginException e = rejection(scan, jar);
      assertEquals(Reason.TOO_LARGE, e.reason(), jar + ": " + e.getMessage());
    }
    assertTrue(rejection(scan, "nested.jar").getMessage().contains("lib/nested.jar!/z.bin"));
    assertEquals(java.util.List.of("fine"), scan.loaded().stream().map(LoadedPlugin::id).toList());
    try (java.util.stream.Stream<Path> s = Files.walk(shadow)) {
      assertEquals(1, s.filter(f -> f.getFileName().toString().matches("g[0-9]+\\.jar")).count(),
          "rejected jars leave no shadow copy");
    }
  }

  @Test
  void scan_tooManyEntries_rejectedTooLarge() throws Exception {
    TestPlugins.Spec many = plugin("many");
    for (int i = 0; i <= PluginLoader.DEFAULT_MAX_ENTRIES; i++) {
      many.entry("e/" + i, new byte[0]);
    }
    many.writeTo(dir, "many.jar");
    PluginException e = rejection(loader().scan(), "many.jar");
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("more than " + PluginLoader.DEFAULT_MAX_ENTRIES + " entries"), e.getMessage());
  }

  @Test
  void pluginClassLoader_entryLargerThanBound_readFailsWhileLoading() throws Exception {
    Path jar = plugin("alpha").entry("big.bin", new byte[4096]).entry("small.bin", new byte[100])
        .writeTo(outside, "alpha.jar");
    try (PluginClassLoader cl = PluginClassLoader.open("t", java.util.List.of(jar), getClass().getClassLoader(),
        1024)) {
      try (java.io.InputStream in = cl.getResourceAsStream("small.bin")) {
        assertEquals(100, in.readAllBytes().length);
      }
      try (java.io.InputStream in = cl.getResourceAsStream("big.bin")) {
        assertThrows(java.io.IOException.class, in::readAllBytes);
      }
    }
  }

  @Test
  void summaryLine_fileNameForgingFieldsOrReorderingText_neutralised() throws Exception {
    String forged = "evil.jar alpha 1.0.0 " + "a".repeat(64) + " LOADED \u202e.jar";
    Files.writeString(dir.resolve(forged), "not a jar");
    plugin("good").writeTo(dir, "good.jar");
    PluginScan scan = loader().scan();
    String line = scan.entries().stream().filter(e -> !e.loaded()).findFirst().orElseThrow().summaryLine();
    String[] fields = line.split(" ");
    assertEquals("REJECTED", fields[4], line);
    assertEquals(-1, line.indexOf('\u202e'), line);
    assertTrue(scan.loaded().get(0).fileName().equals("good.jar"));
  }
}
