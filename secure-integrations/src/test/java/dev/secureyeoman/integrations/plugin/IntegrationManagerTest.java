package dev.secureyeoman.integrations.plugin;

import static dev.secureyeoman.integrations.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageSender;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrationManagerTest {
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
          alpha: { greeting: "  hello  " }
          beta: { greeting: "hi beta", max_replies: 7, channels: [ops, dev] }
          gamma: { greeting: "g" }
          delta: { greeting: "d" }
          epsilon: { greeting: "e" }
        """);
    loader = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow")).build();
    manager = manager(Duration.ofSeconds(20), null);
  }

  private IntegrationManager manager(Duration timeout, ScheduledThreadPoolExecutor scheduler) {
    IntegrationManager.Builder b = IntegrationManager.builder().auditSink(audit)
        .configSource(PluginConfigSource.fromFile(config, null)).inboundSink(inbox).lifecycleTimeout(timeout);
    if (scheduler != null) {
      b.scheduler(scheduler);
    }
    return b.build();
  }

  @AfterEach
  void tearDown() {
    manager.close();
    loader.close();
  }

  private LoadedPlugin load(TestPlugins.Spec spec, String file) throws PluginException {
    return loader.load(spec.writeTo(dir, file));
  }

  private static OutboundMessage to(String id, String text) {
    return OutboundMessage.to(new ThreadKey(id, "chat", "main"), text);
  }

  private static List<String> lines(PluginException e) {
    return e.violations().stream().map(ConfigViolation::toString).toList();
  }

  @Test
  void register_validConfigWithDefaults_pluginSeesNormalizedValues() throws Exception {
    manager.register(load(plugin("alpha"), "alpha.jar"));
    assertEquals(IntegrationState.INITIALIZED, manager.status("alpha").orElseThrow().state());
    manager.start("alpha");
    // greeting stripped, max_replies and channels defaulted by the config record
    assertEquals("v1|hello|3|general|hi", manager.send(to("alpha", "hi")).messageId());
    manager.register(load(plugin("beta"), "beta.jar"));
    manager.start("beta");
    assertEquals("v1|hi beta|7|ops,dev|x", manager.send(to("beta", "x")).messageId());
    IntegrationStatus s = manager.status("alpha").orElseThrow();
    assertEquals(IntegrationState.RUNNING, s.state());
    assertEquals("alpha.jar", s.fileName().orElseThrow());
    assertEquals(PluginLoaderTest.sha256(dir.resolve("alpha.jar")), s.sha256().orElseThrow());
    AuditEvent registered = audit.named("integration.registered").get(0);
    assertEquals(s.sha256().orElseThrow(), registered.metadata().get("sha256"));
    assertEquals("1.0.0", registered.metadata().get("plugin_version"));
    assertEquals(2, audit.named("integration.started").size());
    assertEquals(Health.up("v1"), manager.health("alpha"));
  }

  @Test
  void register_invalidConfig_everyViolatedPathNamedAndPluginClosed() throws Exception {
    Files.writeString(config, """
        integrations:
          alpha:
            greeting: " "
            max_replies: 99
            channels: [ok, "Bad!"]
            endpoint: { url: "", timeout_seconds: -1 }
            colour: red
        """);
    LoadedPlugin p = load(plugin("alpha"), "alpha.jar");
    PluginException e = assertThrows(PluginException.class, () -> manager.register(p));
    assertEquals(Reason.CONFIG_INVALID, e.reason());
    assertEquals(List.of(
        "alpha.channels[1]: must match \"[a-z]+\"",
        "alpha.colour: unknown key",
        "alpha.endpoint.timeout_seconds: must be greater than 0",
        "alpha.endpoint.url: must not be blank",
        "alpha.greeting: must not be blank",
        "alpha.max_replies: must be less than or equal to 10"), lines(e));
    assertFalse(e.getMessage().contains("red"), "messages never carry configuration values");
    assertTrue(p.isClosed());
    assertTrue(manager.status("alpha").isEmpty());
    AuditEvent rejected = audit.named("integration.rejected").get(0);
    assertEquals("config-invalid", rejected.metadata().get("reason"));
    assertEquals(6, ((List<?>) rejected.metadata().get("violations")).size());
  }

  @Test
  void register_missingRequiredFieldOrSection_detected() throws Exception {
    Files.writeString(config, "integrations:\n  alpha: {}\n");
    PluginException empty = assertThrows(PluginException.class, () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(List.of("alpha.greeting: must not be blank"), lines(empty));
    Files.writeString(config, "integrations: {}\n");
    PluginException missing = assertThrows(PluginException.class,
        () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(List.of("alpha.greeting: must not be blank"), lines(missing));
  }

  @Test
  void register_unknownKeyAlone_rejected() throws Exception {
    Files.writeString(config, "integrations:\n  alpha: { greeting: hi, greetng: typo }\n");
    PluginException e = assertThrows(PluginException.class, () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(List.of("alpha.greetng: unknown key"), lines(e));
  }

  @Test
  void register_unreadableConfigFile_configInvalidWithoutViolations() throws Exception {
    Files.delete(config);
    PluginException e = assertThrows(PluginException.class, () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(Reason.CONFIG_INVALID, e.reason());
    assertTrue(e.violations().isEmpty());
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void update_invalidConfig_runningInstanceUntouchedThenValidUpdateApplies() throws Exception {
    manager.register(load(plugin("alpha"), "alpha.jar"));
    manager.start("alpha");
    ClassLoader before = manager.classLoaderOf("alpha");
    Files.writeString(config, "integrations:\n  alpha: { greeting: \"\", max_replies: 0 }\n");
    PluginException e = assertThrows(PluginException.class, () -> manager.update("alpha"));
    assertEquals(List.of("alpha.greeting: must not be blank", "alpha.max_replies: must be greater than or equal to 1"),
        lines(e));
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals("v1|hello|3|general|still", manager.send(to("alpha", "still")).messageId());
    assertEquals(1, audit.named("integration.config_rejected").size());

    Files.writeString(config, "integrations:\n  alpha: { greeting: updated, max_replies: 5 }\n");
    manager.update("alpha");
    assertEquals("v1|updated|5|general|now", manager.send(to("alpha", "now")).messageId());
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals(before, manager.classLoaderOf("alpha"), "a config update keeps the plugin version");
    assertEquals(1, audit.named("integration.config_updated").size());
  }

  @Test
  void update_configObject_validatedAndTypeChecked() throws Exception {
    manager.register(load(plugin("alpha"), "alpha.jar"));
    manager.start("alpha");
    Class<?> type = manager.classLoaderOf("alpha").loadClass("fixture.FixtureConfig");
    Object invalid = type.getConstructors()[0].newInstance("", 11, List.of("x"), null);
    PluginException e = assertThrows(PluginException.class, () -> manager.update("alpha", invalid));
    assertEquals(List.of("alpha.greeting: must not be blank", "alpha.max_replies: must be less than or equal to 10"),
        lines(e));
    assertEquals(Reason.CONFIG_INVALID, assertThrows(PluginException.class,
        () -> manager.update("alpha", "a string")).reason());
    manager.update("alpha", type.getConstructors()[0].newInstance("obj", 2, List.of("x"), null));
    assertEquals("v1|obj|2|x|m", manager.send(to("alpha", "m")).messageId());
  }

  @Test
  void update_stoppedIntegration_appliesOnNextStart() throws Exception {
    manager.register(load(plugin("alpha"), "alpha.jar"));
    manager.start("alpha");
    manager.stop("alpha");
    Files.writeString(config, "integrations:\n  alpha: { greeting: later }\n");
    manager.update("alpha");
    assertEquals(IntegrationState.INITIALIZED, manager.status("alpha").orElseThrow().state());
    manager.start("alpha");
    assertEquals("v1|later|3|general|m", manager.send(to("alpha", "m")).messageId());
  }

  /** A host-side (built-in) integration with a mutable bean config, to show validation on start. */
  public static final class MutableConfig {
    @jakarta.validation.constraints.NotBlank public String name = "ok";
  }

  @Test
  void start_configChangedAfterRegister_validatedAgain() throws Exception {
    MutableConfig shared = new MutableConfig();
    IntegrationManager m = IntegrationManager.builder().auditSink(audit).inboundSink(inbox)
        .configSource(new PluginConfigSource() {
          @Override
          public <C> C load(String integrationId, Class<C> type) {
            return type.cast(shared);
          }
        }).build();
    try {
      String id = m.registerBuiltIn(() -> new HostIntegration("telegram"));
      assertEquals("telegram", id, "built-ins may use reserved ids");
      shared.name = " ";
      PluginException e = assertThrows(PluginException.class, () -> m.start("telegram"));
      assertEquals(List.of("telegram.name: must not be blank"), lines(e));
      assertEquals(IntegrationState.INITIALIZED, m.status("telegram").orElseThrow().state());
      shared.name = "fine";
      m.start("telegram");
      assertEquals(IntegrationState.RUNNING, m.status("telegram").orElseThrow().state());
      assertTrue(m.status("telegram").orElseThrow().builtIn());
      assertEquals(Reason.DUPLICATE_ID, assertThrows(PluginException.class,
          () -> m.registerBuiltIn(() -> new HostIntegration("telegram"))).reason());
    } finally {
      m.close();
    }
  }

  @Test
  void registerAndStart_pluginsThrowingInConstructorCreateInitOrStart_reportedOthersKeepRunning() throws Exception {
    plugin("alpha").writeTo(dir, "a-ok.jar");
    plugin("beta").behave("fail", "constructor").writeTo(dir, "b-ctor.jar");
    plugin("gamma").behave("fail", "init").writeTo(dir, "c-init.jar");
    plugin("delta").behave("fail", "start").writeTo(dir, "d-start.jar");
    plugin("epsilon").behave("fail", "create").writeTo(dir, "e-create.jar");
    List<PluginException> registration = manager.registerAll(loader.scan());
    assertEquals(List.of(Reason.FACTORY_FAILED, Reason.INIT_FAILED, Reason.FACTORY_FAILED),
        registration.stream().map(PluginException::reason).toList());
    assertEquals("b-ctor.jar: factory-failed: factory constructor threw "
        + "java.lang.IllegalStateException: boom in constructor", registration.get(0).getMessage());
    assertTrue(registration.get(1).getMessage().contains("init() threw java.lang.IllegalStateException: boom in init"));
    List<PluginException> starting = manager.startAll();
    assertEquals(1, starting.size());
    assertEquals(Reason.START_FAILED, starting.get(0).reason());
    assertEquals("integration 'delta' (d-start.jar): start-failed: start() threw java.lang.IllegalStateException: "
        + "boom in start", starting.get(0).getMessage());
    assertEquals(IntegrationState.FAILED, manager.status("delta").orElseThrow().state());
    assertTrue(manager.status("delta").orElseThrow().lastError().orElseThrow().contains("boom in start"));
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
    assertEquals("v1|hello|3|general|ok", manager.send(to("alpha", "ok")).messageId());
    assertEquals(List.of("alpha", "delta"), manager.statuses().stream().map(IntegrationStatus::id).toList());
    assertEquals(3, audit.named("integration.rejected").size());
    assertEquals(1, audit.named("integration.start_failed").size());
  }

  @Test
  void start_pluginHangs_timesOutAndOthersKeepRunning() throws Exception {
    manager.close();
    manager = manager(Duration.ofMillis(300), null);
    manager.register(load(plugin("alpha").behave("hang", "start"), "a.jar"));
    manager.register(load(plugin("beta"), "b.jar"));
    PluginException e = assertThrows(PluginException.class, () -> manager.start("alpha"));
    assertEquals(Reason.TIMEOUT, e.reason());
    assertEquals("timeout: start() did not return within PT0.3S", e.shortReason());
    assertEquals(IntegrationState.FAILED, manager.status("alpha").orElseThrow().state());
    manager.start("beta");
    assertEquals(IntegrationState.RUNNING, manager.status("beta").orElseThrow().state());
  }

  @Test
  void stop_pluginHangsInStop_timesOutAndInstanceIsDiscardedAnyway() throws Exception {
    manager.close();
    manager = manager(Duration.ofMillis(300), null);
    manager.register(load(plugin("alpha").behave("hang", "stop"), "a.jar"));
    manager.start("alpha");
    IntegrationContext ctx = (IntegrationContext) manager.classLoaderOf("alpha")
        .loadClass("fixture.FixtureIntegration").getField("lastContext").get(null);
    PluginException e = assertThrows(PluginException.class, () -> manager.stop("alpha"));
    assertEquals(Reason.TIMEOUT, e.reason());
    assertEquals(IntegrationState.STOPPED, manager.status("alpha").orElseThrow().state());
    UnifiedMessage late = UnifiedMessage.builder(new ThreadKey("alpha", "chat", "main"), "late")
        .sender(new MessageSender("u", "U", false)).receivedAt(Instant.EPOCH).build();
    assertThrows(IntegrationException.class, () -> ctx.inbound().accept(late), "the hung instance cannot act");
    assertEquals(1, audit.named("integration.stop_failed").size());
    manager.start("alpha"); // a fresh instance
    assertEquals(IntegrationState.RUNNING, manager.status("alpha").orElseThrow().state());
  }

  @Test
  void register_duplicateIdMismatchedIdAndBuiltInId_rejected() throws Exception {
    manager.register(load(plugin("alpha"), "a1.jar"));
    LoadedPlugin second = load(plugin("alpha").version("2.0.0"), "a2.jar");
    PluginException dup = assertThrows(PluginException.class, () -> manager.register(second));
    assertEquals("integration 'alpha' (a2.jar): duplicate-id: id 'alpha' is already registered by a1.jar",
        dup.getMessage());
    assertTrue(second.isClosed());

    PluginException mismatch = assertThrows(PluginException.class,
        () -> manager.register(load(plugin("beta").behave("id", "gamma"), "b.jar")));
    assertEquals(Reason.ID_MISMATCH, mismatch.reason());

    try (PluginLoader permissive = PluginLoader.builder().directory(dir).shadowDirectory(work.resolve("shadow"))
        .exclusive(false)
        .reservedIds(Set.of()).build()) {
      LoadedPlugin slack = permissive.load(plugin("slack").writeTo(dir, "slack.jar"));
      PluginException builtIn = assertThrows(PluginException.class, () -> manager.register(slack));
      assertEquals(Reason.BUILTIN_ID, builtIn.reason());
      assertEquals(AuditLevel.SECURITY, audit.named("integration.rejected").stream()
          .filter(a -> "builtin-id".equals(a.metadata().get("reason"))).findFirst().orElseThrow().level());
    }
  }

  @Test
  void webhook_inboundAcceptedForOwnPlatformRefusedForAnotherAndAfterStop() throws Exception {
    manager.register(load(plugin("alpha"), "a.jar"));
    manager.register(load(plugin("beta").behave("spoof-platform", "telegram"), "b.jar"));
    WebhookRequest req = WebhookRequest.builder("POST", "/").body("hello".getBytes(StandardCharsets.UTF_8))
        .receivedAt(Instant.EPOCH).build();
    assertEquals(503, manager.handleWebhook("alpha", req).status(), "not started yet");
    manager.startAll();
    assertEquals(WebhookResponse.json(200, "{\"ok\":true}"), manager.handleWebhook("alpha", req));
    UnifiedMessage got = inbox.next();
    assertEquals("alpha", got.platform());
    assertEquals("hello", got.text());

    assertEquals(500, manager.handleWebhook("beta", req).status(), "a message for another platform is refused");
    assertTrue(inbox.messages.isEmpty());
    AuditEvent spoof = audit.named("integration.inbound_rejected").get(0);
    assertEquals(AuditLevel.SECURITY, spoof.level());
    assertEquals("telegram", spoof.metadata().get("claimed_platform"));
    assertEquals(404, manager.handleWebhook("nobody", req).status());

    IntegrationContext stale = (IntegrationContext) manager.classLoaderOf("alpha")
        .loadClass("fixture.FixtureIntegration").getField("lastContext").get(null);
    manager.stop("alpha");
    assertEquals(503, manager.handleWebhook("alpha", req).status());
    UnifiedMessage late = UnifiedMessage.builder(new ThreadKey("alpha", "chat", "main"), "late")
        .sender(new MessageSender("u", "U", false)).receivedAt(Instant.EPOCH).build();
    assertThrows(IntegrationException.class, () -> stale.inbound().accept(late));
    assertThrows(AuditException.class, () -> stale.audit().record(AuditEvent.builder("late").build()));
    assertThrows(IllegalStateException.class, () -> stale.scheduler().schedule(() -> { }, Duration.ZERO));
    assertTrue(inbox.messages.isEmpty());
    assertEquals(Health.Status.DOWN, manager.health("alpha").status());
  }

  @Test
  void stop_periodicTask_cancelledAndRemovedFromScheduler() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    try {
      manager.close();
      manager = manager(Duration.ofSeconds(20), scheduler);
      manager.register(load(plugin("alpha").behave("tick", "true"), "a.jar"));
      manager.start("alpha");
      assertEquals("tick", inbox.next().messageId());
      assertEquals("tick", inbox.next().messageId());
      ScheduledFuture<?> tick = (ScheduledFuture<?>) manager.classLoaderOf("alpha")
          .loadClass("fixture.FixtureIntegration").getField("lastTick").get(null);
      manager.stop("alpha");
      assertTrue(tick.isCancelled());
      assertTrue(scheduler.getQueue().isEmpty(), "nothing of the plugin stays queued");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void pluginAudit_eventsPrefixedAndActorForced() throws Exception {
    manager.register(load(plugin("alpha").behave("audit", "true"), "a.jar"));
    manager.start("alpha");
    AuditEvent e = audit.named("integration.alpha.started").get(0);
    assertEquals("integration:alpha", e.actor());
    assertEquals("alpha", e.metadata().get("integration_id"));
    assertEquals("fixture v1", e.message());
  }

  @Test
  void auditSinkFailing_enablingStepsUndoneDisablingStepsProceed() throws Exception {
    audit.failing = true;
    PluginException reg = assertThrows(PluginException.class, () -> manager.register(load(plugin("alpha"), "a.jar")));
    assertEquals(Reason.AUDIT_FAILED, reg.reason());
    assertTrue(manager.status("alpha").isEmpty(), "registration undone");
    audit.failing = false;
    manager.register(load(plugin("alpha"), "a.jar"));
    audit.failing = true;
    assertEquals(Reason.AUDIT_FAILED, assertThrows(PluginException.class, () -> manager.start("alpha")).reason());
    assertEquals(IntegrationState.STOPPED, manager.status("alpha").orElseThrow().state(), "start undone");
    assertEquals(Reason.SEND_FAILED, assertThrows(PluginException.class,
        () -> manager.send(to("alpha", "x"))).reason());
    audit.failing = false;
    manager.start("alpha");
    audit.failing = true;
    manager.stop("alpha"); // never blocked by the audit log
    assertEquals(IntegrationState.STOPPED, manager.status("alpha").orElseThrow().state());
    manager.unregister("alpha");
    assertTrue(manager.status("alpha").isEmpty());
  }

  @Test
  void send_unknownOrNotRunning_sendFailed() throws Exception {
    assertEquals(Reason.NOT_REGISTERED, assertThrows(PluginException.class,
        () -> manager.send(to("alpha", "x"))).reason());
    manager.register(load(plugin("alpha"), "a.jar"));
    PluginException e = assertThrows(PluginException.class, () -> manager.send(to("alpha", "x")));
    assertEquals("integration 'alpha' (a.jar): send-failed: integration is not running", e.getMessage());
    assertEquals(Reason.NOT_REGISTERED, assertThrows(PluginException.class, () -> manager.start("zeta")).reason());
  }

  @Test
  void unregister_closesPluginAndDeletesShadowCopy() throws Exception {
    LoadedPlugin p = load(plugin("alpha"), "a.jar");
    manager.register(p);
    manager.start("alpha");
    manager.unregister("alpha");
    assertTrue(p.isClosed());
    assertTrue(manager.status("alpha").isEmpty());
    assertEquals(List.of("integration.registered", "integration.started", "integration.stopped",
        "integration.unregistered"), audit.names());
    assertInstanceOf(PluginException.class, assertThrows(PluginException.class, () -> manager.unregister("alpha")));
  }

  @Test
  void close_registerAfterClose_refused() throws Exception {
    LoadedPlugin p = load(plugin("alpha"), "a.jar");
    manager.close();
    assertEquals(Reason.ILLEGAL_STATE, assertThrows(PluginException.class, () -> manager.register(p)).reason());
  }

  @Test
  void builder_requiredAndOnceOnly() {
    assertThrows(IllegalStateException.class, () -> IntegrationManager.builder().build());
    IntegrationManager.Builder b = IntegrationManager.builder().auditSink(audit);
    assertThrows(IllegalStateException.class, () -> b.auditSink(audit));
    assertThrows(IllegalArgumentException.class, () -> b.lifecycleTimeout(Duration.ZERO));
  }
}
