package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import dev.secureyeoman.integrations.plugin.ReloadEvent.Kind;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotReloaderTest {
  @TempDir Path dir;
  @TempDir Path work;
  private PluginLoader loader;
  private IntegrationManager manager;
  private HotReloader reloader;
  private final RecordingAudit audit = new RecordingAudit();
  private final BlockingQueue<ReloadEvent> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    Path config = Files.writeString(work.resolve("app.yaml"), "integrations:\n  alpha: { greeting: hello }\n  beta: { greeting: bonjour }\n");
    loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
    manager = IntegrationManager.builder().auditSink(audit).inboundSink(new Inbox())
        .configSource(PluginConfigSource.fromFile(config, null)).build();
    reloader = HotReloader.builder().loader(loader).manager(manager).debounce(Duration.ofMillis(50))
        .listener(events::add).build();
  }

  @AfterEach
  void tearDown() {
    reloader.close();
    manager.close();
    loader.close();
  }

  private String servingVersion() throws PluginException {
    String receipt = manager.send(OutboundMessage.to(new ThreadKey("alpha", "c", "main"), "x")).messageId();
    return receipt.substring(0, receipt.indexOf('|'));
  }

  /** Writes a new version under a temporary name and renames it over the jar, as a build tool should. */
  private void replace(TestPlugins.Spec spec, String file) throws Exception {
    Path tmp = spec.writeTo(dir, file + ".tmp");
    Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private ReloadEvent next() throws InterruptedException {
    ReloadEvent e = events.poll(30, TimeUnit.SECONDS);
    assertNotNull(e, "no reload event within 30 s");
    return e;
  }

  /** Runs GC until the reference is cleared, at most 20 rounds; no wall-clock waiting. */
  static boolean collected(WeakReference<?> ref) {
    for (int i = 0; i < 20 && ref.get() != null; i++) {
      System.gc();
      byte[][] churn = new byte[32][];
      for (int j = 0; j < churn.length; j++) {
        churn[j] = new byte[1 << 16];
      }
    }
    return ref.get() == null;
  }

  /** Keeps every strong reference to the current class loader inside this frame. */
  private WeakReference<ClassLoader> currentLoader() {
    return new WeakReference<>(manager.classLoaderOf("alpha"));
  }

  private long shadowJars() throws Exception {
    try (Stream<Path> s = Files.walk(work.resolve("shadow"))) {
      return s.filter(p -> p.getFileName().toString().matches("g[0-9]+\\.jar")).count();
    }
  }

  @Test
  void watch_replacedJar_newVersionServesAndOldClassLoaderIsGarbageCollected() throws Exception {
    plugin("alpha").version("1.0.0").classes("v1").writeTo(dir, "alpha.jar");
    List<ReloadEvent> initial = reloader.start();
    assertEquals(Kind.LOADED, initial.get(0).kind());
    assertEquals(Kind.LOADED, next().kind());
    assertEquals("v1", servingVersion());
    WeakReference<ClassLoader> old = currentLoader();

    replace(plugin("alpha").version("2.0.0").classes("v2"), "alpha.jar");
    ReloadEvent e = next();
    assertEquals(Kind.RELOADED, e.kind(), String.valueOf(e));
    assertEquals("2.0.0", e.version().orElseThrow());
    assertEquals("v2", servingVersion());
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals("2.0.0", manager.status("alpha").orElseThrow().version().orElseThrow());
    assertEquals(1, shadowJars(), "the old shadow copy is deleted");
    assertEquals("1.0.0", audit.named("integration.reloaded").get(0).metadata().get("previous_version"));

    assertTrue(collected(old), "the replaced plugin's class loader is still reachable: a leak");
    assertFalse(collected(currentLoader()), "the serving version must stay loaded");
  }

  @Test
  void watch_deletedJar_pluginStoppedAndUnloaded() throws Exception {
    plugin("alpha").writeTo(dir, "alpha.jar");
    reloader.start();
    assertEquals(Kind.LOADED, next().kind());
    WeakReference<ClassLoader> old = currentLoader();
    Files.delete(dir.resolve("alpha.jar"));
    ReloadEvent e = next();
    assertEquals(Kind.UNLOADED, e.kind());
    assertEquals("alpha", e.integrationId().orElseThrow());
    assertTrue(manager.status("alpha").isEmpty());
    assertEquals(0, shadowJars());
    assertTrue(collected(old), "an unloaded plugin's class loader is still reachable: a leak");
  }

  @Test
  void watch_brokenNewVersions_oldVersionKeepsRunningAndReasonReported() throws Exception {
    plugin("alpha").classes("v1").writeTo(dir, "alpha.jar");
    reloader.start();
    assertEquals(Kind.LOADED, next().kind());

    replace(plugin("alpha").classes("v2").behave("fail", "init"), "alpha.jar");
    ReloadEvent initFails = next();
    assertEquals(Kind.REJECTED, initFails.kind());
    assertEquals(Reason.INIT_FAILED, initFails.error().orElseThrow().reason());
    assertEquals("v1", servingVersion());

    Path tmp = Files.writeString(dir.resolve("alpha.jar.tmp"), "not a jar any more");
    Files.move(tmp, dir.resolve("alpha.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ReloadEvent corrupt = next();
    assertEquals(Reason.NOT_A_JAR, corrupt.error().orElseThrow().reason());
    assertEquals("v1", servingVersion());
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals(1, audit.named("integration.reload_failed").size());
    assertEquals(1, shadowJars(), "refused versions leave no shadow copy");
  }

  @Test
  void reload_newVersionFailsToStart_previousVersionRestarted() throws Exception {
    plugin("alpha").classes("v1").writeTo(dir, "alpha.jar");
    reloader.start();
    replace(plugin("alpha").version("2.0.0").classes("v2").behave("fail", "start"), "alpha.jar");
    List<ReloadEvent> r = reloader.rescan();
    assertEquals(1, r.size());
    assertEquals(Reason.START_FAILED, r.get(0).error().orElseThrow().reason());
    assertEquals("v1", servingVersion());
    IntegrationStatus s = manager.status("alpha").orElseThrow();
    assertEquals(IntegrationState.RUNNING, s.state());
    assertEquals("1.0.0", s.version().orElseThrow());
    assertEquals(1, audit.named("integration.rolled_back").size());
    assertEquals(List.of(), reloader.rescan(), "an unchanged refused jar is not retried");
  }

  @Test
  void rescan_newJarAndIdChange_loadedAndOldIdUnloaded() throws Exception {
    reloader.start();
    assertTrue(reloader.rescan().isEmpty());
    plugin("alpha").writeTo(dir, "x.jar");
    ReloadEvent loaded = reloader.rescan().get(0);
    assertEquals(Kind.LOADED, loaded.kind());
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    // same file, touched only: nothing to do
    Files.setLastModifiedTime(dir.resolve("x.jar"), java.nio.file.attribute.FileTime.fromMillis(0));
    assertTrue(reloader.rescan().isEmpty());
    // the file now declares another id
    replace(plugin("beta"), "x.jar");
    ReloadEvent swapped = reloader.rescan().get(0);
    assertEquals(Kind.LOADED, swapped.kind());
    assertEquals("beta", swapped.integrationId().orElseThrow());
    assertTrue(manager.status("alpha").isEmpty(), "the id the file used to declare is unloaded");
    assertEquals(IntegrationState.RUNNING, manager.status("beta").orElseThrow().state());
  }

  @Test
  void rescan_secondJarWithSameId_refusedUntilTheFirstIsRemoved() throws Exception {
    plugin("alpha").classes("v1").writeTo(dir, "a.jar");
    plugin("alpha").classes("v2").writeTo(dir, "b.jar");
    List<ReloadEvent> initial = reloader.start();
    assertEquals(List.of(Kind.LOADED, Kind.REJECTED), initial.stream().map(ReloadEvent::kind).toList());
    assertEquals(Reason.DUPLICATE_ID, initial.get(1).error().orElseThrow().reason());
    Files.delete(dir.resolve("a.jar"));
    List<ReloadEvent> after = reloader.rescan();
    assertEquals(List.of(Kind.UNLOADED, Kind.LOADED), after.stream().map(ReloadEvent::kind).toList());
    assertEquals("v2", servingVersion());
  }

  @Test
  void rescan_fixedVersionOfAFailedPlugin_reloadedAndStarted() throws Exception {
    plugin("alpha").classes("v1").behave("fail", "start").writeTo(dir, "alpha.jar");
    List<ReloadEvent> initial = reloader.start();
    assertEquals(Reason.START_FAILED, initial.get(0).error().orElseThrow().reason());
    assertEquals(IntegrationState.FAILED, manager.status("alpha").orElseThrow().state());
    replace(plugin("alpha").version("1.0.1").classes("v2"), "alpha.jar");
    assertEquals(Kind.RELOADED, reloader.rescan().get(0).kind());
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals("v2", servingVersion());
  }

  @Test
  void rescan_changedJarOfAnIntegrationTheOperatorStopped_reloadedButNotRestarted() throws Exception {
    plugin("alpha").version("1.0.0").classes("v1").writeTo(dir, "alpha.jar");
    reloader.rescan();
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    manager.stop("alpha"); // e.g. taken down while an incident is investigated
    replace(plugin("alpha").version("2.0.0").classes("v2"), "alpha.jar");
    List<ReloadEvent> changed = reloader.rescan();
    assertEquals(Kind.RELOADED, changed.get(0).kind(), changed.toString());
    IntegrationStatus s = manager.status("alpha").orElseThrow();
    assertEquals("2.0.0", s.version().orElseThrow());
    assertTrue(s.state() != IntegrationState.RUNNING, "a file change must not undo the operator's stop: " + s);
    manager.start("alpha");
    assertEquals("v2", servingVersion());
  }
}
