package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on {@link IntegrationManager} and the per-plugin context by a hostile or broken plugin: each test stages the
 * attack with real plugin jars and asserts both that it fails and that the other plugins keep working.
 */
class IntegrationManagerAttackTest {
  @TempDir Path dir;
  @TempDir Path work;
  private Path config;
  private PluginLoader loader;
  private IntegrationManager manager;
  private final RecordingAudit audit = new RecordingAudit();
  private final Inbox inbox = new Inbox();

  @BeforeEach
  void setUp() throws Exception {
    config = work.resolve("app.yaml");
    Files.writeString(config, """
        integrations:
          alpha: { greeting: "a" }
          beta: { greeting: "b" }
        """);
    loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
    manager = IntegrationManager.builder().auditSink(audit).configSource(PluginConfigSource.fromFile(config, null))
        .inboundSink(inbox).lifecycleTimeout(Duration.ofSeconds(20)).build();
  }

  @AfterEach
  void tearDown() {
    manager.close();
    loader.close();
  }

  private LoadedPlugin load(TestPlugins.Spec spec, String file) throws PluginException {
    return loader.load(spec.writeTo(dir, file));
  }

  /** Waits (bounded, polling) for a file another thread writes; false if it never appears. */
  private static boolean awaitFile(Path p) throws InterruptedException {
    for (int i = 0; i < 3000 && !Files.exists(p); i++) {
      Thread.sleep(10);
    }
    return Files.exists(p);
  }

  @Test
  void scheduler_blockingTaskOfOnePlugin_othersStillRunAndUnloadInterruptsIt() throws Exception {
    Path marker = work.resolve("alpha-task");
    manager.register(load(plugin("alpha").behave("block-task", "true").behave("block-marker", marker.toString()),
        "a.jar"));
    manager.start("alpha");
    assertTrue(awaitFile(Path.of(marker + ".running")), "alpha's task started and now blocks");
    manager.register(load(plugin("beta").behave("tick", "true"), "b.jar"));
    manager.start("beta");
    assertEquals("tick", inbox.next().messageId(), "beta's periodic task runs although alpha's task blocks");
    assertEquals("beta", inbox.next().thread().platform());
    manager.unregister("alpha");
    assertTrue(awaitFile(Path.of(marker + ".interrupted")), "unloading alpha interrupts its running task");
    assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().startsWith("integration-alpha-") && t.isAlive() && awaitDeath(t)),
        "no thread of the unloaded plugin survives");
    inbox.messages.clear();
    assertEquals("tick", inbox.next().messageId(), "beta keeps ticking");
  }

  /** True if the thread is still alive after a bounded wait. */
  private static boolean awaitDeath(Thread t) {
    try {
      t.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return t.isAlive();
  }

  @Test
  void register_configTypeThrowsErrorWhileBinding_reportedForThatPluginOthersRegistered() throws Exception {
    load(plugin("alpha").behave("config", "error"), "a.jar").close();
    PluginScan scan;
    try (PluginLoader scanner = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow2"))
        .exclusive(false).build()) {
      plugin("beta").writeTo(dir, "b.jar");
      scan = scanner.scan();
      java.util.List<PluginException> failures = manager.registerAll(scan);
      assertEquals(1, failures.size(), failures.toString());
      assertEquals("alpha", failures.get(0).integrationId().orElseThrow());
      assertEquals(PluginException.Reason.CONFIG_INVALID, failures.get(0).reason(), failures.get(0).getMessage());
      assertTrue(manager.status("alpha").isEmpty(), "the failed plugin left no registration behind");
      manager.start("beta");
      assertEquals(IntegrationState.RUNNING, manager.status("beta").orElseThrow().state());
    }
  }

  @Test
  void register_configTypeHangsWhileBinding_timesOutAndIdStaysUsable() throws Exception {
    manager.close();
    manager = IntegrationManager.builder().auditSink(audit).configSource(PluginConfigSource.fromFile(config, null))
        .inboundSink(inbox).lifecycleTimeout(Duration.ofMillis(500)).build();
    PluginException e = assertThrows(PluginException.class,
        () -> manager.register(load(plugin("alpha").behave("config", "hang"), "a.jar")));
    assertEquals(PluginException.Reason.TIMEOUT, e.reason(), e.getMessage());
    manager.register(load(plugin("alpha"), "a2.jar"));
    manager.start("alpha");
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
  }

  @Test
  void register_exceptionWhoseGetMessageHangsOrThrows_neverRunsOnTheHostThread() throws Exception {
    manager.close();
    manager = IntegrationManager.builder().auditSink(audit).configSource(PluginConfigSource.fromFile(config, null))
        .inboundSink(inbox).lifecycleTimeout(Duration.ofSeconds(2)).build();
    PluginException hang = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> assertThrows(PluginException.class, () -> manager.register(
            load(plugin("alpha").behave("hostile", "init").behave("hostile-mode", "hang"), "a.jar"))),
        "safety net only: the host thread must not run the plugin's getMessage()");
    assertEquals(PluginException.Reason.TIMEOUT, hang.reason(), hang.getMessage());
    PluginException thrower = assertThrows(PluginException.class, () -> manager.register(
        load(plugin("beta").behave("hostile", "init").behave("hostile-mode", "throw"), "b.jar")));
    assertEquals(PluginException.Reason.INIT_FAILED, thrower.reason(), thrower.getMessage());
    assertTrue(thrower.getMessage().contains("fixture.HostileException"), thrower.getMessage());
    // the cause the host may log is a host-made copy: printing it runs no plugin code
    java.io.StringWriter w = new java.io.StringWriter();
    thrower.printStackTrace(new java.io.PrintWriter(w));
    assertTrue(w.toString().contains("fixture.HostileException"));
    assertTrue(manager.status("alpha").isEmpty() && manager.status("beta").isEmpty());
  }

  @Test
  void register_wrongTypedSecretInConfig_valueNeverInMessageOrAudit() throws Exception {
    Files.writeString(config, """
        integrations:
          alpha: { greeting: "a", max_replies: "tok-SECRET-4711" }
        """);
    PluginException e = assertThrows(PluginException.class, () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(PluginException.Reason.CONFIG_INVALID, e.reason());
    java.io.StringWriter w = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(w));
    assertFalse(w.toString().contains("SECRET-4711"), w.toString());
    assertFalse(audit.events.toString().contains("SECRET-4711"), audit.events.toString());
  }

  @Test
  void pluginAudit_floodOrOversizedEvents_refusedPerPluginHostLogIntact() throws Exception {
    TestClock clock = TestClock.create();
    manager.close();
    manager = IntegrationManager.builder().auditSink(audit).configSource(PluginConfigSource.fromFile(config, null))
        .inboundSink(inbox).lifecycleTimeout(Duration.ofSeconds(20)).clock(clock).build();
    manager.register(load(plugin("alpha"), "a.jar"));
    manager.register(load(plugin("beta"), "b.jar"));
    manager.start("alpha");
    manager.start("beta");
    dev.secureyeoman.integrations.IntegrationContext alpha = context("alpha");
    dev.secureyeoman.integrations.IntegrationContext beta = context("beta");
    dev.secureyeoman.audit.AuditEvent ev = dev.secureyeoman.audit.AuditEvent.builder("spam").message("x").build();
    int accepted = 0;
    try {
      for (int i = 0; i < 10_000; i++) {
        alpha.audit().record(ev);
        accepted++;
      }
    } catch (dev.secureyeoman.audit.AuditException refused) {
      assertTrue(refused.getMessage().contains("rate"), refused.getMessage());
    }
    assertEquals(ScopedContext.AUDIT_BURST, accepted, "a burst is accepted, a flood is not");
    assertEquals(accepted, audit.named("integration.alpha.spam").size());
    assertEquals(1, audit.named("integration.audit_throttled").size(), "the throttling itself is audited once");
    beta.audit().record(ev); // another plugin's budget is its own
    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < ScopedContext.AUDIT_PER_SECOND; i++) {
      alpha.audit().record(ev);
    }
    org.junit.jupiter.api.Assertions.assertThrows(dev.secureyeoman.audit.AuditException.class,
        () -> alpha.audit().record(ev));
    java.util.List<Object> big = new java.util.ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      big.add("0123456789");
    }
    dev.secureyeoman.audit.AuditEvent huge = dev.secureyeoman.audit.AuditEvent.builder("huge")
        .put("rows", big).build();
    dev.secureyeoman.audit.AuditException tooBig = org.junit.jupiter.api.Assertions.assertThrows(
        dev.secureyeoman.audit.AuditException.class, () -> beta.audit().record(huge));
    assertTrue(tooBig.getMessage().contains("larger than"), tooBig.getMessage());
    assertTrue(audit.named("integration.beta.huge").isEmpty());
  }

  private dev.secureyeoman.integrations.IntegrationContext context(String id) throws Exception {
    return (dev.secureyeoman.integrations.IntegrationContext) manager.classLoaderOf(id)
        .loadClass("fixture.FixtureIntegration").getField("lastContext").get(null);
  }

  @Test
  void register_configTypeWithoutSchema_refusedBeforeBindingUnvalidatedKeys() throws Exception {
    Files.writeString(config, """
        integrations:
          alpha: { greeting: "a", max_replies: 999, not_a_field: "anything" }
          beta: { greeting: "b" }
        """);
    for (String type : new String[] {"map", "object"}) {
      PluginException e = assertThrows(PluginException.class, () -> manager.register(
          load(plugin("alpha").behave("config-type", type), "a-" + type + ".jar")));
      assertEquals(PluginException.Reason.FACTORY_INVALID, e.reason(), e.getMessage());
      assertTrue(e.getMessage().contains("configType()"), e.getMessage());
    }
    manager.register(load(plugin("beta"), "b.jar"));
    manager.start("beta");
  }

  @Test
  void health_pluginHangs_reportsDownWithoutBlockingTheCallerOrPilingUpThreads() throws Exception {
    manager.close();
    manager = IntegrationManager.builder().auditSink(audit).configSource(PluginConfigSource.fromFile(config, null))
        .inboundSink(inbox).lifecycleTimeout(Duration.ofSeconds(1)).build();
    manager.register(load(plugin("alpha").behave("hang", "health"), "a.jar"));
    manager.register(load(plugin("beta"), "b.jar"));
    manager.startAll();
    dev.secureyeoman.integrations.Health h = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(60), () -> manager.health("alpha"), "safety net only");
    assertEquals(dev.secureyeoman.integrations.Health.Status.DOWN, h.status());
    assertTrue(h.toString().contains("did not return"), h.toString());
    dev.secureyeoman.integrations.Health again = manager.health("alpha");
    assertEquals(dev.secureyeoman.integrations.Health.Status.DOWN, again.status(), "the timed-out call was "
        + "interrupted; an instance whose health() ignores interrupts gets no second worker (reported at once)");
    assertEquals(dev.secureyeoman.integrations.Health.Status.UP, manager.health("beta").status());
  }

  @Test
  void handleWebhook_hostSessionCookies_neverReachThePlugin() throws Exception {
    manager.register(load(plugin("alpha").behave("echo-headers", "true"), "a.jar"));
    manager.start("alpha");
    dev.secureyeoman.integrations.WebhookRequest req = dev.secureyeoman.integrations.WebhookRequest
        .builder("POST", "/").header("Cookie", "refresh_token=host-session-secret")
        .header("X-Signature", "platform-signature").header("Authorization", "Bearer platform-jwt")
        .body(TestPlugins.utf8("{}")).receivedAt(java.time.Instant.EPOCH).build();
    assertEquals(200, manager.handleWebhook("alpha", req).status());
    assertEquals("authorization,x-signature", inbox.next().text(),
        "the platform's headers arrive, the host's cookies (a browser's session with the host) do not");
  }
}
