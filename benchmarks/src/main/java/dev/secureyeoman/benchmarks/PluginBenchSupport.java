package dev.secureyeoman.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/** Plugin jars for the plugin benchmarks, derived from the sample plugin the reactor builds. */
final class PluginBenchSupport {
  static final String DESCRIPTOR = "META-INF/secureyeoman-plugin.properties";
  static final String SERVICES = "META-INF/services/dev.secureyeoman.integrations.IntegrationFactory";

  private PluginBenchSupport() {}

  /** The sample plugin jar: {@code -Dsample.plugin.jar=...}, by default the reactor's output under the working dir. */
  static Path sampleJar() {
    Path p = Path.of(System.getProperty("sample.plugin.jar",
        "examples/sample-plugin/target/secure-sample-plugin-0.1.0-SNAPSHOT.jar"));
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("sample plugin jar not found: " + p.toAbsolutePath()
          + " (build with ./mvnw -q -DskipTests package, run from the repository root or set -Dsample.plugin.jar)");
    }
    return p;
  }

  /**
   * Writes a copy of the sample plugin with another descriptor id and version, plus a {@code META-INF/services} entry
   * so that a plain {@code ServiceLoader} finds the same factory.
   */
  static Path variant(Path target, String id, String version) throws IOException {
    try (JarFile in = new JarFile(sampleJar().toFile());
        OutputStream o = Files.newOutputStream(target);
        JarOutputStream out = new JarOutputStream(o)) {
      Enumeration<JarEntry> entries = in.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.getName().equals(DESCRIPTOR) || e.getName().equals(SERVICES) || e.getName().equals("META-INF/MANIFEST.MF")) {
          continue;
        }
        out.putNextEntry(new JarEntry(e.getName()));
        try (InputStream is = in.getInputStream(e)) {
          is.transferTo(out);
        }
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry(DESCRIPTOR));
      out.write(("id = " + id + "\nversion = " + version + "\nspi-version = 1.0\n"
          + "factory = com.example.echo.EchoIntegrationFactory\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry(SERVICES));
      out.write("com.example.echo.EchoIntegrationFactory\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return target;
  }

  /** Prints median, p10 and p90 of nanosecond samples in milliseconds; returns the median in milliseconds. */
  static double report(String name, long[] samples) {
    long[] v = samples.clone();
    java.util.Arrays.sort(v);
    double median = v[v.length / 2] / 1e6;
    System.out.printf("%-36s median %7.2f ms  p10 %7.2f  p90 %7.2f%n", name, median, v[v.length / 10] / 1e6,
        v[v.length * 9 / 10] / 1e6);
    return median;
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
