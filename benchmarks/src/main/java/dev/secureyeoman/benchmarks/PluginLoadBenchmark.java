package dev.secureyeoman.benchmarks;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.plugin.LoadedPlugin;
import dev.secureyeoman.integrations.plugin.PluginLoader;
import dev.secureyeoman.integrations.plugin.PluginScan;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does a cold {@link PluginLoader} load of 20 plugin jars (symlink and size checks, shadow copy with
 * sha256, zip/descriptor/SDK-class inspection, a child-first loader per jar, factory resolution) plus instantiating each
 * factory and one integration cost, compared with a plain {@code URLClassLoader} + {@code ServiceLoader} of the same jars
 * (with and without a sha256 of each jar)? Target: ≤ 1.5× the plain load. "Cold": every invocation uses fresh class
 * loaders, so every plugin class is loaded and linked again (the JIT is warm, as in a long-running host that reloads).
 *
 * <p>Run (from the repository root, after {@code ./mvnw -q -DskipTests package}):
 * {@code java -jar benchmarks/target/benchmarks.jar PluginLoadBenchmark -f 1 -wi 20 -i 40}; the interleaved medians:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.secureyeoman.benchmarks.PluginLoadHarness 200}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PluginLoadBenchmark {
  @Param("20")
  int plugins;

  private Path dir;
  private Path shadow;
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Writes the jars. */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("plugin-bench");
    shadow = Files.createTempDirectory("plugin-bench-shadow");
    for (int i = 0; i < plugins; i++) {
      PluginBenchSupport.variant(dir.resolve(String.format("p%02d.jar", i)), "echo" + i, "1.0." + i);
    }
  }

  /** Closes the class loaders of the last invocation (not timed). */
  @TearDown(Level.Invocation)
  public void closeLoaders() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    opened.clear();
  }

  /** Deletes the jars. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    PluginBenchSupport.deleteTree(dir);
    PluginBenchSupport.deleteTree(shadow);
  }

  /** The SDK: build a loader, scan the directory, instantiate each factory and one integration. */
  @Benchmark
  public List<Integration<?>> pluginLoader() throws Exception {
    PluginLoader loader = PluginLoader.builder().directory(dir).shadowDirectory(shadow.resolve("s")).exclusive(false)
        .build();
    opened.add(loader);
    PluginScan scan = loader.scan();
    List<Integration<?>> out = new ArrayList<>();
    for (LoadedPlugin p : scan.loaded()) {
      out.add(p.newFactory().create());
    }
    if (out.size() != plugins) {
      throw new IllegalStateException(scan.rejected().toString());
    }
    return out;
  }

  /** The baseline: one {@code URLClassLoader} per jar and {@code ServiceLoader} for the factory. */
  @Benchmark
  public List<Integration<?>> urlClassLoaderServiceLoader() throws Exception {
    return plain(false);
  }

  /** The baseline plus a sha256 of each jar (what a trust check needs at least). */
  @Benchmark
  public List<Integration<?>> urlClassLoaderServiceLoaderSha256() throws Exception {
    return plain(true);
  }

  List<Integration<?>> plain(boolean sha256) throws Exception {
    List<Integration<?>> out = new ArrayList<>();
    List<Path> jars;
    try (var s = Files.list(dir)) {
      jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
    for (Path jar : jars) {
      if (sha256) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(jar)) {
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
          }
        }
        md.digest();
      }
      URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()},
          PluginLoadBenchmark.class.getClassLoader());
      opened.add(cl);
      IntegrationFactory f = ServiceLoader.load(IntegrationFactory.class, cl).findFirst().orElseThrow();
      out.add(f.create());
    }
    return out;
  }
}
