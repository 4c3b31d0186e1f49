package dev.secureyeoman.benchmarks;

import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.integrations.plugin.HotReloader;
import dev.secureyeoman.integrations.plugin.IntegrationManager;
import dev.secureyeoman.integrations.plugin.PluginConfigSource;
import dev.secureyeoman.integrations.plugin.PluginLoader;
import dev.secureyeoman.integrations.plugin.ReloadEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Question: how long from replacing a plugin jar (atomic rename) until the new version serves? Two measurements per
 * round: through the {@link HotReloader} (inotify event, debounce, load, instantiate, config bind + validate,
 * {@code init}, stop old, start new, close old loader), and {@link IntegrationManager#reload} called directly (the same
 * minus the watcher and its debounce). The watcher figure includes the debounce interval, printed alongside.
 *
 * <p>Run (repository root): {@code java -cp benchmarks/target/benchmarks.jar
 * dev.secureyeoman.benchmarks.PluginReloadHarness 100 50} (rounds, debounce ms).
 */
public final class PluginReloadHarness {
  private PluginReloadHarness() {}

  /**
   * Runs the harness.
   *
   * @param args rounds (default 50) and debounce in ms (default 50)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int debounceMs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path work = Files.createTempDirectory("plugin-reload-bench");
    Path dir = Files.createDirectory(work.resolve("plugins"));
    Path staging = Files.createDirectory(work.resolve("staging"));
    Path config = Files.writeString(work.resolve("app.yaml"),
        "integrations:\n  echo: { webhook_secret: \"benchmark-secret-0123456789\" }\n");
    Path[] versions = {PluginBenchSupport.variant(staging.resolve("v1.jar"), "echo", "1.0.0"),
        PluginBenchSupport.variant(staging.resolve("v2.jar"), "echo", "2.0.0")};
    AuditSink audit = e -> { };
    BlockingQueue<ReloadEvent> events = new LinkedBlockingQueue<>();
    try (PluginLoader loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
        IntegrationManager manager = IntegrationManager.builder().auditSink(audit).inboundSink(m -> { })
            .configSource(PluginConfigSource.fromFile(config, null)).build()) {
      Files.copy(versions[0], dir.resolve("echo.jar"));
      long[] watched = new long[rounds];
      long[] direct = new long[rounds];
      try (HotReloader reloader = HotReloader.builder().loader(loader).manager(manager)
          .debounce(Duration.ofMillis(debounceMs)).listener(e -> {
            if (e.kind() == ReloadEvent.Kind.RELOADED) {
              events.add(e);
            }
          }).build()) {
        reloader.start();
        for (int i = 0; i < rounds + 5; i++) {
          Path next = versions[(i + 1) % 2];
          Path tmp = Files.copy(next, dir.resolve("echo.jar.tmp"), StandardCopyOption.REPLACE_EXISTING);
          long start = System.nanoTime();
          Files.move(tmp, dir.resolve("echo.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          ReloadEvent e = events.poll(60, TimeUnit.SECONDS);
          long end = System.nanoTime();
          String want = (i + 1) % 2 == 0 ? "1.0.0" : "2.0.0";
          if (e == null || !want.equals(manager.status("echo").orElseThrow().version().orElseThrow())) {
            throw new IllegalStateException("round " + i + ": no reload to " + want + ": " + e);
          }
          if (i >= 5) {
            watched[i - 5] = end - start;
          }
        }
      }
      for (int i = 0; i < rounds + 5; i++) {
        Path next = versions[(i + 1) % 2];
        Files.copy(next, dir.resolve("echo.jar"), StandardCopyOption.REPLACE_EXISTING);
        long start = System.nanoTime();
        manager.reload(loader.load(dir.resolve("echo.jar")));
        long end = System.nanoTime();
        if (i >= 5) {
          direct[i - 5] = end - start;
        }
      }
      PluginBenchSupport.report("watcher (incl. " + debounceMs + " ms debounce)", watched);
      PluginBenchSupport.report("IntegrationManager.reload", direct);
    } finally {
      PluginBenchSupport.deleteTree(work);
    }
  }
}
