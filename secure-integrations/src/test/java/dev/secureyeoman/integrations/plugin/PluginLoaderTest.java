package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static dev.secureyeoman.integrations.plugin.TestPlugins.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
  @TempDir Path dir;
  @TempDir Path shadow;
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

  static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void scan_validJar_loadsFromShadowCopyWithoutRunningPluginCode() throws Exception {
    Path marker = dir.resolve("static-initialiser-ran");
    Path jar = plugin("alpha").behave("marker", marker.toString()).writeTo(dir, "alpha.jar");
    PluginScan scan = loader().scan();
    assertEquals(1, scan.loaded().size(), scan.entries().toString());
    LoadedPlugin p = scan.loaded().get(0);
    assertEquals("alpha", p.id());
    assertEquals("1.0.0", p.descriptor().version());
    assertEquals(sha256(jar), p.sha256());
    assertFalse(Files.exists(marker), "loading must not run plugin code");
    IntegrationFactory factory = p.newFactory();
    assertTrue(Files.exists(marker), "newFactory runs the plugin's static initialiser");
    ClassLoader cl = factory.getClass().getClassLoader();
    assertNotSame(IntegrationFactory.class.getClassLoader(), cl);
    assertSame(IntegrationFactory.class, cl.loadClass(IntegrationFactory.class.getName()), "SPI is parent-first");
    assertTrue(String.valueOf(cl.getResource("fixture.properties")).contains(shadow.toString()),
        "classes are read from the shadow copy, not from the plugin directory");
    assertEquals("alpha.jar alpha 1.0.0 " + sha256(jar) + " LOADED", scan.entries().get(0).summaryLine());
  }

  @Test
  void close_loadedPlugin_deletesShadowCopyAndRefusesNewFactory() throws Exception {
    plugin("alpha").writeTo(dir, "alpha.jar");
    LoadedPlugin p = loader().load(dir.resolve("alpha.jar"));
    try (Stream<Path> s = Files.walk(shadow)) {
      assertTrue(s.anyMatch(f -> f.getFileName().toString().matches("g[0-9]+\\.jar")));
    }
    p.close();
    try (Stream<Path> s = Files.walk(shadow)) {
      assertFalse(s.anyMatch(f -> f.getFileName().toString().matches("g[0-9]+\\.jar")));
    }
    assertEquals(Reason.ILLEGAL_STATE, assertThrows(PluginException.class, p::newFactory).reason());
  }

  @Test
  void scan_replacedJarAfterLoad_loadedPluginKeepsItsOwnBytes() throws Exception {
    Path jar = plugin("alpha").writeTo(dir, "alpha.jar");
    LoadedPlugin p = loader().load(jar);
    Files.writeString(jar, "overwritten in place");
    assertEquals("fixture.FixtureFactory", p.newFactory().getClass().getName(), "shadow copy is unaffected");
  }

  @Test
  void scan_missingDescriptor_rejected() throws Exception {
    plugin("alpha").noDescriptor().writeTo(dir, "a.jar");
    PluginException e = rejection(loader().scan(), "a.jar");
    assertEquals(Reason.DESCRIPTOR_MISSING, e.reason());
    assertTrue(e.getMessage().startsWith("a.jar: descriptor-missing: no META-INF/secureyeoman-plugin.properties"),
        e.getMessage());
  }

  @Test
  void scan_malformedDescriptor_rejectedNamingTheLine() throws Exception {
    plugin("alpha").descriptorText("id = alpha\nversion 1.0\n").writeTo(dir, "a.jar");
    PluginException e = rejection(loader().scan(), "a.jar");
    assertEquals(Reason.DESCRIPTOR_MALFORMED, e.reason());
    assertEquals("descriptor-malformed: line 2: expected 'key = value'", e.shortReason());
  }

  @Test
  void scan_factoryNotImplementingSpi_rejected() throws Exception {
    plugin("alpha").factory("fixture.NotAFactory").writeTo(dir, "a.jar");
    PluginException e = rejection(loader().scan(), "a.jar");
    assertEquals(Reason.FACTORY_INVALID, e.reason());
    assertTrue(e.getMessage().contains("does not implement dev.secureyeoman.integrations.IntegrationFactory"),
        e.getMessage());
  }

  @Test
  void scan_factoryWithoutPublicConstructorOrMissing_rejected() throws Exception {
    plugin("alpha").factory("fixture.NoConstructorFactory").writeTo(dir, "a.jar");
    plugin("beta").factory("fixture.DoesNotExist").writeTo(dir, "b.jar");
    PluginScan scan = loader().scan();
    assertEquals(Reason.FACTORY_INVALID, rejection(scan, "a.jar").reason());
    assertTrue(rejection(scan, "a.jar").getMessage().contains("no public no-argument constructor"));
    assertEquals(Reason.FACTORY_NOT_FOUND, rejection(scan, "b.jar").reason());
  }

  @Test
  void scan_factoryNamedAsHostClass_rejected() throws Exception {
    plugin("alpha").factory(org.junit.jupiter.api.Assertions.class.getName()).writeTo(dir, "a.jar");
    PluginException e = rejection(loader().scan(), "a.jar");
    assertEquals(Reason.FACTORY_INVALID, e.reason());
    assertTrue(e.getMessage().contains("is not defined by the plugin jar"), e.getMessage());
  }

  @Test
  void scan_factoryFromServiceLoader_loaded() throws Exception {
    plugin("alpha").factory(null)
        .entry("META-INF/services/" + IntegrationFactory.class.getName(), utf8("# provider\nfixture.FixtureFactory\n"))
        .writeTo(dir, "a.jar");
    plugin("beta").factory(null).writeTo(dir, "b.jar");
    PluginScan scan = loader().scan();
    assertEquals(List.of("alpha"), scan.loaded().stream().map(LoadedPlugin::id).toList());
    assertEquals("fixture.FixtureFactory", scan.loaded().get(0).newFactory().getClass().getName());
    assertEquals(Reason.FACTORY_NOT_FOUND, rejection(scan, "b.jar").reason());
  }

  @Test
  void scan_wrongSpiVersion_rejected() throws Exception {
    plugin("alpha").spi("2.0").writeTo(dir, "a.jar");
    plugin("beta").spi("1.9").writeTo(dir, "b.jar");
    plugin("gamma").spi("1.0").writeTo(dir, "c.jar");
    PluginScan scan = loader().scan();
    assertEquals("spi-incompatible: requires SPI 2.0, this host provides 1.0", rejection(scan, "a.jar").shortReason());
    assertEquals(Reason.SPI_INCOMPATIBLE, rejection(scan, "b.jar").reason(), "a newer minor version is refused too");
    assertEquals(List.of("gamma"), scan.loaded().stream().map(LoadedPlugin::id).toList());
  }

  @Test
  void scan_duplicateId_secondJarRejectedFirstKept() throws Exception {
    plugin("alpha").version("1.0.0").writeTo(dir, "a1.jar");
    plugin("alpha").version("2.0.0").writeTo(dir, "a2.jar");
    PluginScan scan = loader().scan();
    assertEquals(1, scan.loaded().size());
    assertEquals("a1.jar", scan.loaded().get(0).fileName());
    PluginException e = rejection(scan, "a2.jar");
    assertEquals(Reason.DUPLICATE_ID, e.reason());
    assertEquals("duplicate-id: id 'alpha' is already provided by a1.jar", e.shortReason());
  }

  @Test
  void scan_builtInId_rejectedAndReservedIdsConfigurable() throws Exception {
    plugin("telegram").writeTo(dir, "t.jar");
    plugin("acme").writeTo(dir, "acme.jar");
    PluginScan scan = loader().scan();
    assertEquals(Reason.BUILTIN_ID, rejection(scan, "t.jar").reason());
    assertEquals(List.of("acme"), scan.loaded().stream().map(LoadedPlugin::id).toList());
    loader.close();
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s"))
        .reservedIds(Set.of("acme")).build();
    PluginScan again = loader.scan();
    assertEquals(Reason.BUILTIN_ID, rejection(again, "acme.jar").reason());
    assertEquals(List.of("telegram"), again.loaded().stream().map(LoadedPlugin::id).toList());
  }

  @Test
  void scan_trustFile_refusesUnlistedAndMislabelledJarsBeforeOpeningThem() throws Exception {
    Path good = plugin("alpha").writeTo(dir, "alpha.jar");
    Path other = plugin("beta").writeTo(dir, "beta.jar");
    Path notAJar = Files.writeString(dir.resolve("text.jar"), "hello");
    TrustFile trust = TrustFile.parse("# trusted\nalpha " + sha256(good) + "\n"
        + "gamma " + sha256(notAJar).toUpperCase() + "\n", "trust");
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).trustFile(trust).build();
    PluginScan scan = loader.scan();
    assertEquals(List.of("alpha"), scan.loaded().stream().map(LoadedPlugin::id).toList());
    PluginException untrusted = rejection(scan, "beta.jar");
    assertEquals(Reason.UNTRUSTED, untrusted.reason());
    assertEquals("untrusted: sha256 is not listed in the trust file", untrusted.shortReason());
    PluginScanEntry betaEntry = scan.entries().stream().filter(e -> e.fileName().equals("beta.jar")).findFirst()
        .orElseThrow();
    assertEquals(sha256(other), betaEntry.sha256().orElseThrow());
    assertTrue(betaEntry.descriptor().isEmpty(), "an untrusted jar is never opened");
    assertEquals(Reason.NOT_A_JAR, rejection(scan, "text.jar").reason(), "trusted hash, then zip checks apply");

    // a changed jar (same name, same id, new bytes) is untrusted
    plugin("alpha").version("1.0.1").writeTo(dir, "alpha.jar");
    assertEquals(Reason.UNTRUSTED, rejection(loader.scan(), "alpha.jar").reason());
  }

  @Test
  void scan_trustedHashDeclaringAnotherId_rejected() throws Exception {
    Path jar = plugin("beta").writeTo(dir, "beta.jar");
    TrustFile trust = TrustFile.parse("alpha " + sha256(jar) + "\n", "trust");
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).trustFile(trust).build();
    PluginException e = rejection(loader.scan(), "beta.jar");
    assertEquals(Reason.UNTRUSTED, e.reason());
    assertTrue(e.getMessage().contains("trusted for plugin 'alpha', but the jar declares id 'beta'"));
  }

  @Test
  void scan_symlinkToValidJar_refusedNotFollowed() throws Exception {
    Path outside = Files.createTempDirectory(shadow, "outside");
    Path real = plugin("alpha").writeTo(outside, "alpha.jar");
    Files.createSymbolicLink(dir.resolve("link.jar"), real);
    PluginException e = rejection(loader().scan(), "link.jar");
    assertEquals(Reason.SYMLINK, e.reason());
    assertEquals(Reason.SYMLINK, assertThrows(PluginException.class, () -> loader.load(dir.resolve("link.jar")))
        .reason());
  }

  @Test
  void load_pathOutsideDirectory_refused() throws Exception {
    Path outside = Files.createTempDirectory(shadow, "outside");
    Path real = plugin("alpha").writeTo(outside, "alpha.jar");
    assertEquals(Reason.NOT_A_FILE, assertThrows(PluginException.class, () -> loader().load(real)).reason());
    assertEquals(Reason.NOT_A_FILE,
        assertThrows(PluginException.class, () -> loader.load(dir.resolve("../" + outside.getFileName() + "/alpha.jar")))
            .reason());
  }

  @Test
  void scan_truncatedJarAndTextFile_rejectedWithDistinctReasons() throws Exception {
    Path good = plugin("alpha").writeTo(dir, "alpha.jar");
    byte[] bytes = Files.readAllBytes(good);
    Files.write(dir.resolve("truncated.jar"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Files.writeString(dir.resolve("notes.jar"), "this is a text file, not a jar\n");
    Files.createDirectory(dir.resolve("folder.jar"));
    PluginScan scan = loader().scan();
    assertEquals(List.of("alpha"), scan.loaded().stream().map(LoadedPlugin::id).toList());
    assertEquals(Reason.CORRUPT_JAR, rejection(scan, "truncated.jar").reason());
    assertEquals("not-a-jar: not a zip archive (no 'PK' signature)", rejection(scan, "notes.jar").shortReason());
    assertEquals(Reason.NOT_A_FILE, rejection(scan, "folder.jar").reason());
    assertEquals(4, scan.entries().size());
  }

  @Test
  void scan_jarLargerThanLimit_rejected() throws Exception {
    plugin("alpha").entry("padding.bin", new byte[8192]).writeTo(dir, "alpha.jar");
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).maxJarBytes(4096).build();
    assertEquals(Reason.TOO_LARGE, rejection(loader.scan(), "alpha.jar").reason());
  }

  @Test
  void scan_tooManyJars_restRejected() throws Exception {
    plugin("alpha").writeTo(dir, "a.jar");
    plugin("beta").writeTo(dir, "b.jar");
    loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).maxPlugins(1).build();
    PluginScan scan = loader.scan();
    assertEquals(1, scan.loaded().size());
    assertEquals(Reason.TOO_LARGE, rejection(scan, "b.jar").reason());
  }

  @Test
  void scan_jarBundlingSdkClasses_rejected() throws Exception {
    plugin("alpha").entry("dev/secureyeoman/integrations/IntegrationFactory.class", new byte[] {(byte) 0xCA})
        .writeTo(dir, "a.jar");
    plugin("beta").entry("META-INF/versions/11/dev/secureyeoman/core/SecretBytes.class", new byte[] {(byte) 0xCA})
        .writeTo(dir, "b.jar");
    PluginScan scan = loader().scan();
    PluginException e = rejection(scan, "a.jar");
    assertEquals(Reason.BUNDLES_SDK, e.reason());
    assertTrue(e.getMessage().contains("<scope>provided</scope>"));
    assertEquals(Reason.BUNDLES_SDK, rejection(scan, "b.jar").reason(), "also inside a multi-release jar");
  }

  @Test
  void pluginClassLoader_sdkInternalsHiddenApiAndJdkFromHost() throws Exception {
    plugin("alpha").writeTo(dir, "a.jar");
    ClassLoader cl = loader().scan().loaded().get(0).newFactory().getClass().getClassLoader();
    assertThrows(ClassNotFoundException.class, () -> cl.loadClass(PluginLoader.class.getName()));
    assertThrows(ClassNotFoundException.class, () -> cl.loadClass("dev.secureyeoman.core.crypto.SecretStore"));
    assertSame(dev.secureyeoman.audit.AuditSink.class, cl.loadClass("dev.secureyeoman.audit.AuditSink"));
    assertSame(jakarta.validation.constraints.NotBlank.class, cl.loadClass("jakarta.validation.constraints.NotBlank"));
    assertSame(org.slf4j.Logger.class, cl.loadClass("org.slf4j.Logger"));
    assertSame(javax.crypto.Cipher.class, cl.loadClass("javax.crypto.Cipher"));
    assertSame(Test.class, cl.loadClass(Test.class.getName()), "other host classes are visible after the plugin's");
    assertEquals(null, cl.getResource("dev/secureyeoman/integrations/plugin/PluginLoader.class"));
  }

  @Test
  void scan_twoPluginsBundlingDifferentLibraryVersions_eachSeesItsOwn() throws Exception {
    Map<String, byte[]> lib1 = new LinkedHashMap<>(TestPlugins.classEntries(TestPlugins.library("1")));
    Map<String, byte[]> lib2 = new LinkedHashMap<>(TestPlugins.classEntries(TestPlugins.library("2")));
    // one plugin ships the library as lib/greeter.jar, the other shaded into its own jar
    Path nested = TestPlugins.writeJar(shadow.resolve("greeter-2.jar"), lib2);
    plugin("alpha").behave("lib", "true").entry("lib/greeter-1.jar",
        Files.readAllBytes(TestPlugins.writeJar(shadow.resolve("greeter-1.jar"), lib1))).writeTo(dir, "a.jar");
    TestPlugins.Spec beta = plugin("beta").behave("lib", "true");
    lib2.forEach(beta::entry);
    beta.writeTo(dir, "b.jar");
    plugin("gamma").behave("lib", "true").entry("lib/greeter-2.jar", Files.readAllBytes(nested))
        .writeTo(dir, "c.jar");
    PluginScan scan = loader().scan();
    assertEquals(3, scan.loaded().size(), scan.entries().toString());
    Class<?> g1 = scan.loaded().get(0).newFactory().getClass().getClassLoader().loadClass("lib.Greeter");
    Class<?> g2 = scan.loaded().get(1).newFactory().getClass().getClassLoader().loadClass("lib.Greeter");
    Class<?> g3 = scan.loaded().get(2).newFactory().getClass().getClassLoader().loadClass("lib.Greeter");
    assertEquals("lib-1", g1.getMethod("version").invoke(null));
    assertEquals("lib-2", g2.getMethod("version").invoke(null));
    assertEquals("lib-2", g3.getMethod("version").invoke(null));
    assertNotSame(g2, g3, "same version, still separate classes");
    assertThrows(ClassNotFoundException.class, () -> Class.forName("lib.Greeter"), "never on the host class path");
  }

  @Test
  void scan_nestedLibThatIsNotAJar_rejected() throws Exception {
    plugin("alpha").entry("lib/broken.jar", utf8("not a jar")).writeTo(dir, "a.jar");
    PluginException e = rejection(loader().scan(), "a.jar");
    assertEquals(Reason.CORRUPT_JAR, e.reason());
    assertTrue(e.getMessage().contains("lib/broken.jar is not a jar"));
  }

  @Test
  void scan_missingDirectory_ioError() throws Exception {
    loader = PluginLoader.builder().directory(dir.resolve("absent")).shadowDirectory(shadow.resolve("s")).build();
    assertEquals(Reason.IO_ERROR, assertThrows(PluginException.class, loader::scan).reason());
  }

  @Test
  void builder_optionSetTwiceOrMissing_rejected() {
    PluginLoader.Builder b = PluginLoader.builder().directory(dir);
    assertThrows(IllegalStateException.class, () -> b.directory(dir));
    assertThrows(IllegalArgumentException.class, () -> b.maxJarBytes(10));
    assertThrows(IllegalArgumentException.class, () -> b.maxPlugins(0));
    assertThrows(IllegalStateException.class, () -> PluginLoader.builder().build());
  }
}
