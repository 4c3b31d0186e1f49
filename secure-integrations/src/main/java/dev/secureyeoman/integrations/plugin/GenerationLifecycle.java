package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.core.config.ConfigViolation;
import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.plugin.ManagedIntegration.Generation;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one integration's lifecycle that {@link IntegrationManager} composes: create a configured, initialised
 * generation; start it; stop and discard it; swap one generation for another with rollback. Callers hold the
 * integration's lock.
 */
final class GenerationLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationLifecycle.class);

  private final PluginCalls calls;
  private final PluginConfigSource configs;
  private final LifecycleAudit audit;
  private final AuditSink auditSink;
  private final InboundMessageSink inbound;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  GenerationLifecycle(PluginCalls calls, PluginConfigSource configs, LifecycleAudit audit, AuditSink auditSink,
      InboundMessageSink inbound, ScheduledExecutorService scheduler, Clock clock) {
    this.calls = calls;
    this.configs = configs;
    this.audit = audit;
    this.auditSink = auditSink;
    this.inbound = inbound;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** What {@code create()} returned, read in one plugin call. */
  private record Created(Integration<?> instance, String id, Class<?> configType) {}

  /**
   * Creates, configures and initialises a new instance. {@code given} is a configuration object to use instead of
   * loading from the source (an update, a restart or a rollback); it is validated all the same.
   */
  Generation newGeneration(
      ManagedIntegration m, IntegrationFactory factory, @Nullable LoadedPlugin plugin, @Nullable Object given)
      throws PluginException {
    String jar = plugin == null ? null : plugin.fileName();
    ClassLoader loader = plugin == null ? factory.getClass().getClassLoader() : plugin.classLoader();
    if (loader == null) {
      throw PluginException.forIntegration(Reason.ILLEGAL_STATE, m.id, jar, "plugin is closed", null);
    }
    Created c = calls.lifecycle(m.id, jar, loader, "create()", Reason.FACTORY_FAILED, () -> {
      Integration<?> i = factory.create();
      if (i == null) {
        throw new IllegalStateException("create() returned null");
      }
      return new Created(i, i.id(), i.configType());
    });
    if (!m.id.equals(c.id())) {
      throw PluginException.forIntegration(Reason.ID_MISMATCH, m.id, jar,
          "the integration's id() is '" + Texts.oneLine(c.id(), 64) + "', expected '" + m.id + "'", null);
    }
    if (c.configType() == null) {
      throw PluginException.forIntegration(Reason.FACTORY_FAILED, m.id, jar, "configType() returned null", null);
    }
    if (plugin != null && !isSchema(c.configType(), loader)) {
      // a Map, Object or host type would receive the raw section: no unknown-key check and no constraints at all
      throw PluginException.forIntegration(Reason.FACTORY_INVALID, m.id, jar, "configType() must be a concrete "
          + "record or class of the plugin itself (with its constraints), got " + c.configType().getName(), null);
    }
    // binding runs the config type's constructor and validation its validators: plugin code, so on a worker with the
    // timeout, and whatever it throws is this plugin's configuration failure, never the caller's
    Object config = given != null ? given : calls.lifecycle(m.id, jar, loader, "configuration binding",
        Reason.CONFIG_INVALID, () -> configs.load(m.id, c.configType()));
    if (config == null || !c.configType().isInstance(config)) {
      throw PluginException.configInvalid(m.id, jar, "configuration is a "
          + (config == null ? "null" : config.getClass().getName()) + ", the integration expects "
          + c.configType().getName(), List.of(), null);
    }
    ConfigValidation validation = new ConfigValidation();
    ScopedContext context = null;
    try {
      List<ConfigViolation> violations = validate(m, jar, loader, validation, config);
      if (!violations.isEmpty()) {
        throw PluginException.configInvalid(m.id, jar, violations.size()
            + (violations.size() == 1 ? " violation" : " violations"), violations, null);
      }
      ScopedContext ctx = new ScopedContext(m.id, loader, auditSink, audit, inbound, scheduler, clock);
      context = ctx;
      calls.step(m.id, jar, loader, "init()", Reason.INIT_FAILED, () -> {
        init(c.instance(), config, ctx);
      });
      return new Generation(c.instance(), config, ctx, validation, factory, plugin, loader);
    } catch (PluginException e) {
      if (context != null) {
        context.close();
      }
      validation.close();
      throw e;
    }
  }

  private static boolean isSchema(Class<?> type, ClassLoader pluginLoader) {
    int mods = type.getModifiers();
    return type.getClassLoader() == pluginLoader && !type.isInterface() && !type.isArray() && !type.isEnum()
        && !type.isPrimitive() && !java.lang.reflect.Modifier.isAbstract(mods);
  }

  private static <C> void init(Integration<C> instance, Object config, IntegrationContext context)
      throws IntegrationException {
    instance.init(instance.configType().cast(config), context);
  }

  private List<ConfigViolation> validate(ManagedIntegration m, @Nullable String jar, ClassLoader loader,
      ConfigValidation validation, Object config) throws PluginException {
    return calls.lifecycle(m.id, jar, loader, "configuration validation", Reason.CONFIG_INVALID,
        () -> validation.validate(m.id, config));
  }

  void revalidate(ManagedIntegration m, Generation g) throws PluginException {
    List<ConfigViolation> violations = validate(m, g.jar(), g.loader(), g.validation(), g.config());
    if (!violations.isEmpty()) {
      throw PluginException.configInvalid(m.id, m.jar(), violations.size()
          + (violations.size() == 1 ? " violation" : " violations"), violations, null);
    }
  }

  void startGeneration(ManagedIntegration m, Generation g) throws PluginException {
    m.state = IntegrationState.STARTING;
    g.context().phase(ScopedContext.Phase.STARTING);
    try {
      calls.step(m.id, g.jar(), g.loader(), "start()", Reason.START_FAILED, () -> {
        g.instance().start();
      });
    } catch (PluginException e) {
      m.state = IntegrationState.FAILED;
      m.lastError = e.shortReason();
      stopQuietly(m, g);
      m.state = IntegrationState.FAILED;
      throw e;
    }
    g.context().phase(ScopedContext.Phase.RUNNING);
    m.state = IntegrationState.RUNNING;
    m.lastError = null;
  }

  /** Calls {@code stop} and discards the generation whatever happens. */
  void stopGeneration(ManagedIntegration m, Generation g) throws PluginException {
    g.context().phase(ScopedContext.Phase.STOPPING);
    try {
      calls.step(m.id, g.jar(), g.loader(), "stop()", Reason.STOP_FAILED, () -> {
        g.instance().stop();
      });
    } finally {
      g.discard();
      m.state = IntegrationState.STOPPED;
    }
  }

  /** Stops and discards a generation, auditing the outcome (best effort: a stop is never blocked). */
  void stopAudited(ManagedIntegration m, Generation g) throws PluginException {
    try {
      stopGeneration(m, g);
      audit.bestEffort("integration.stopped", AuditLevel.INFO, "integration '" + m.id + "' stopped",
          LifecycleAudit.meta(m.id, g.plugin()));
    } catch (PluginException e) {
      m.lastError = e.shortReason();
      audit.bestEffort("integration.stop_failed", AuditLevel.WARN, e.getMessage(),
          LifecycleAudit.failure(LifecycleAudit.meta(m.id, g.plugin()), e));
      throw e;
    }
  }

  void stopQuietly(ManagedIntegration m, Generation g) {
    try {
      stopAudited(m, g);
    } catch (PluginException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  /**
   * Switches from {@code old} to {@code next}, both initialised. If the integration was running, {@code old} is stopped
   * and {@code next} started; if {@code next} fails to start, a fresh instance of {@code old}'s factory and
   * configuration is started instead and the start failure is thrown (marked as rolled back).
   */
  void swap(ManagedIntegration m, Generation old, Generation next) throws PluginException {
    boolean wasRunning = m.state == IntegrationState.RUNNING || m.state == IntegrationState.STARTING;
    if (!wasRunning) {
      if (m.state == IntegrationState.INITIALIZED) {
        old.discard();
      }
      m.current = next;
      m.state = IntegrationState.INITIALIZED;
      return;
    }
    stopQuietly(m, old);
    try {
      startGeneration(m, next);
      m.current = next;
    } catch (PluginException startFailure) {
      Map<String, Object> meta = LifecycleAudit.failure(LifecycleAudit.meta(m.id, old.plugin()), startFailure);
      try {
        Generation restored = newGeneration(m, old.factory(), old.plugin(), old.config());
        startGeneration(m, restored);
        m.current = restored;
        audit.bestEffort("integration.rolled_back", AuditLevel.WARN, "integration '" + m.id
            + "' restarted with its previous version and configuration after: " + startFailure.getMessage(), meta);
      } catch (PluginException rollbackFailure) {
        m.current = old;
        m.state = IntegrationState.FAILED;
        meta.put("rollback_detail", rollbackFailure.shortReason());
        audit.bestEffort("integration.rollback_failed", AuditLevel.ERROR, "integration '" + m.id
            + "' could not be restarted with its previous version: " + rollbackFailure.getMessage(), meta);
      }
      m.lastError = startFailure.shortReason();
      throw startFailure;
    }
  }
}
