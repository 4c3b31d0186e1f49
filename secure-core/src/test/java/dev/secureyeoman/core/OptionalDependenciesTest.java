package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * secure-core's optional libraries (issue 20): a host without them still gets the envelope, decryption and
 * SecurityConfig's records, and a feature that needs a missing library fails with a typed exception naming the Maven
 * coordinates — never with {@link NoClassDefFoundError}. Each case runs a real child JVM on a class path from which the
 * libraries' jars were removed.
 */
class OptionalDependenciesTest {
  private static final String[] CONFIG_STACK = {
    "snakeyaml", "jackson-databind", "jackson-core", "jackson-annotations", "jackson-datatype-jsr310",
    "jakarta.validation-api", "hibernate-validator", "jboss-logging", "classmate"
  };

  @TempDir Path dir;

  @Test
  void withoutAnyOptionalLibraryTheEnvelopeWorksAndEachFeatureNamesWhatIsMissing() throws Exception {
    List<String> removed = new ArrayList<>(Arrays.asList(CONFIG_STACK));
    removed.add("bcprov");
    Map<String, String> r = runChild(removed);

    assertTrue(r.get("probe.snakeyaml").startsWith("java.lang.ClassNotFoundException"), r.toString());
    assertTrue(r.get("probe.bouncycastle").startsWith("java.lang.ClassNotFoundException"), r.toString());
    // what does not need them works: envelope round trip with tampering detected, decryption, the config records
    assertEquals("ok hello/TAMPERED", r.get("envelope"));
    assertEquals("ok decrypted", r.get("config.readText"));
    assertEquals("ok retention_days=90", r.get("config.defaults"));
    // parsing: the checked ConfigException of the API, caused by MissingDependencyException, naming every library
    for (String key : List.of("config.parse", "config.load")) {
      String out = r.get(key);
      assertTrue(out.startsWith("dev.secureyeoman.core.config.ConfigException cause "
          + MissingDependencyException.class.getName()), key + ": " + out);
      for (String ga : List.of("org.yaml:snakeyaml", "com.fasterxml.jackson.core:jackson-databind",
          "com.fasterxml.jackson.datatype:jackson-datatype-jsr310", "org.hibernate.validator:hibernate-validator")) {
        assertTrue(out.contains(ga), key + " names " + ga + ": " + out);
      }
    }
    // Argon2id, directly and for a passphrase recipient: Bouncy Castle named
    for (String key : List.of("argon2id", "envelope.passphrase")) {
      assertTrue(r.get(key).startsWith(MissingDependencyException.class.getName() + " Argon2id"), key + ": " + r);
      assertTrue(r.get(key).contains("org.bouncycastle:bcprov-jdk18on"), r.get(key));
    }
    assertTrue(r.get("killswitch").startsWith(MissingDependencyException.class.getName() + " KillSwitch needs "
        + "com.fasterxml.jackson.core:jackson-databind"), r.get("killswitch"));
    assertFalse(r.values().stream().anyMatch(v -> v.contains("NoClassDefFoundError")), r.toString());
  }

  @Test
  void withoutSnakeYamlOnlyItIsNamedAndEverythingElseWorks() throws Exception {
    Map<String, String> r = runChild(List.of("snakeyaml"));

    String parse = r.get("config.parse");
    assertTrue(parse.startsWith("dev.secureyeoman.core.config.ConfigException"), parse);
    assertTrue(parse.contains("needs org.yaml:snakeyaml (an optional dependency of secure-core)"), parse);
    assertFalse(parse.contains("jackson"), parse);
    assertEquals("ok 32 bytes", r.get("argon2id"));
    assertEquals("ok encrypted", r.get("envelope.passphrase"));
    assertEquals("ok false", r.get("killswitch"));
  }

  @Test
  void withEveryLibraryTheSameChildParses() throws Exception {
    Map<String, String> r = runChild(List.of());

    assertEquals("ok retention_days=30", r.get("config.parse"));
    assertEquals("ok retention_days=30", r.get("config.load"));
    assertEquals("ok 32 bytes", r.get("argon2id"));
    assertEquals("ok false", r.get("killswitch"));
  }

  /** Runs the child on this test's class path minus every jar whose file name starts with one of {@code removed}. */
  private Map<String, String> runChild(List<String> removed) throws Exception {
    // surefire's real class path (java.class.path may be a manifest-only booter jar)
    String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> kept = new ArrayList<>();
    for (String entry : full.split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (removed.stream().noneMatch(name::startsWith)) {
        kept.add(entry);
      }
    }
    assertTrue(kept.size() < full.split(File.pathSeparator).length || removed.isEmpty(), "jars removed: " + full);
    Process p = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", String.join(File.pathSeparator, kept),
            OptionalDependenciesChild.class.getName(), dir.toString())
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    Map<String, String> results = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("SLF4J")) {
        results.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    assertEquals(10, results.size(), () -> results.keySet().stream().collect(Collectors.joining(",")) + "\n" + out);
    return results;
  }
}
