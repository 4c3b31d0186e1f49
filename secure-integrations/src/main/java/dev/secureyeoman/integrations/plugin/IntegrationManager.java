package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.SendReceipt;
import dev.secureyeoman.integrations.WebhookHandler;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.plugin.ManagedIntegration.Generation;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs integrations — built-in ones and plugins from a {@link PluginLoader} — through their lifecycle: register
 * (create, bind and validate the configuration, {@code init}), start, stop, update (new configuration), reload (new plugin
 * version) and unregister.
 *
 * <pre>{@code
 * IntegrationManager manager = IntegrationManager.builder()
 *     .auditSink(auditStore)
 *     .configSource(PluginConfigSource.fromFile(Path.of("app.enc.yaml"), keySource))
 *     .inboundSink(router::onMessage)
 *     .build();
 * manager.registerAll(loader.scan());   // rejections are audited, one bad plugin never stops the others
 * manager.startAll();
 * manager.send(OutboundMessage.replyTo(inbound, "hello"));
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Configuration is bound (unknown keys rejected) and validated with Hibernate Validator on register, update
 *       <em>and</em> start; the validated, normalised object is exactly what {@code init} receives. Errors list every
 *       violation as {@code <id>.<path>: <message>}, never a value.
 *   <li>An update or reload that fails (invalid configuration, {@code init} throws, audit unavailable) leaves the running
 *       instance untouched; if the new instance fails to <em>start</em>, the previous version/configuration is restarted.
 *   <li>Plugin lifecycle calls run with the plugin's context class loader and a timeout; whatever a plugin throws is
 *       reported as a {@link PluginException} for that integration only.
 *   <li>Every step and rejection is audited with the jar's sha256. Steps that enable something are fail-closed: if the
 *       audit sink fails, the step is undone ({@link Reason#AUDIT_FAILED}); stops and rejections are never blocked.
 *   <li>Ids are unique and built-in ids ({@link PluginLoader#BUILT_IN_IDS} by default) cannot be taken by plugins.
 *   <li>A stopped or replaced instance's context is closed: its scheduled tasks are cancelled and its inbound messages,
 *       audit events and webhook deliveries are refused.
 * </ul>
 *
 * <p>Thread-safe: lifecycle operations on one integration are serialised; {@link #send} and {@link #handleWebhook}
 * run concurrently on the caller's thread (bound them there if the plugin is not trusted to return), {@link #health}
 * on a worker with the lifecycle timeout.
 */
public final class IntegrationManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationManager.class);

  private final AuditSink auditSink;
  private final LifecycleAudit audit;
  private final PluginConfigSource configs;
  private final InboundMessageSink inbound;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final Clock clock;
  private final Set<String> reservedIds;
  private final PluginCalls calls;
  private final GenerationLifecycle lifecycle;
  private final Map<String, ManagedIntegration> registry = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private IntegrationManager(Builder b) {
    this.auditSink = Objects.requireNonNull(b.auditSink, "build() checked auditSink");
    this.audit = new LifecycleAudit(auditSink);
    this.configs = Objects.requireNonNull(b.configSource, "build() checked configSource");
    this.inbound = Objects.requireNonNull(b.inboundSink, "build() checked inboundSink");
    if (b.scheduler == null) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "integration-scheduler"); // triggers only: plugin code runs per instance
        t.setDaemon(true);
        t.setContextClassLoader(IntegrationManager.class.getClassLoader());
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      this.scheduler = s;
      this.ownScheduler = true;
    } else {
      this.scheduler = b.scheduler;
      this.ownScheduler = false;
    }
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.reservedIds = b.reservedIds == null ? PluginLoader.BUILT_IN_IDS : b.reservedIds;
    this.calls = new PluginCalls(b.lifecycleTimeout == null ? Duration.ofSeconds(30) : b.lifecycleTimeout);
    this.lifecycle = new GenerationLifecycle(calls, configs, audit, auditSink, inbound, scheduler, clock);
  }

  /**
   * Starts a builder.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------------------------------------ registration

  /**
   * Registers a loaded plugin: instantiates its factory, creates an instance, checks its id, loads and validates its
   * configuration and calls {@code init}. The manager owns the plugin from now on, also when registration fails (the
   * plugin is then closed).
   *
   * @param plugin the plugin
   * @throws PluginException why the plugin was not registered (audited as {@code integration.rejected})
   */
  public void register(LoadedPlugin plugin) throws PluginException {
    Objects.requireNonNull(plugin, "plugin");
    if (closed) {
      plugin.close();
      throw PluginException.forIntegration(Reason.ILLEGAL_STATE, plugin.id(), plugin.fileName(),
          "the manager is closed", null);
    }
    if (plugin.isClosed()) {
      throw PluginException.forIntegration(Reason.ILLEGAL_STATE, plugin.id(), plugin.fileName(), "plugin is closed",
          null);
    }
    String id = plugin.id();
    try {
      if (reservedIds.contains(id)) {
        throw PluginException.forIntegration(Reason.BUILTIN_ID, id, plugin.fileName(),
            "id '" + id + "' is reserved for a built-in integration", null);
      }
      ClassLoader loader = plugin.classLoader();
      if (loader == null) {
        throw PluginException.forIntegration(Reason.ILLEGAL_STATE, id, plugin.fileName(), "plugin is closed", null);
      }
      IntegrationFactory factory = calls.lifecycle(id, plugin.fileName(), loader,
          "factory constructor", Reason.FACTORY_FAILED, plugin::newFactory);
      registerNew(new ManagedIntegration(id, false, plugin), factory);
    } catch (PluginException e) {
      audit.bestEffort("integration.rejected", LifecycleAudit.levelOf(e.reason()), e.getMessage(),
          LifecycleAudit.failure(LifecycleAudit.meta(id, plugin), e));
      plugin.close();
      throw e;
    }
  }

  /**
   * Registers a built-in integration from a host-provided factory (a class on the host's class path); its id may be a
   * reserved one.
   *
   * @param factory the factory
   * @return the integration id
   * @throws PluginException why it was not registered
   */
  public String registerBuiltIn(IntegrationFactory factory) throws PluginException {
    Objects.requireNonNull(factory, "factory");
    ClassLoader loader = factory.getClass().getClassLoader();
    String id = calls.lifecycle("built-in", null, loader, "create()", Reason.FACTORY_FAILED, () -> {
      Integration<?> probe = factory.create();
      return probe == null ? Optional.<String>empty() : Optional.ofNullable(probe.id());
    }).orElse(null);
    if (id == null || !PluginDescriptor.ID.matcher(id).matches()) {
      throw PluginException.forIntegration(Reason.FACTORY_INVALID, String.valueOf(id), null,
          "built-in integration id must match " + PluginDescriptor.ID.pattern(), null);
    }
    try {
      registerNew(new ManagedIntegration(id, true, null), factory);
    } catch (PluginException e) {
      audit.bestEffort("integration.rejected", LifecycleAudit.levelOf(e.reason()), e.getMessage(),
          LifecycleAudit.failure(LifecycleAudit.meta(id, null), e));
      throw e;
    }
    return id;
  }

  private void registerNew(ManagedIntegration m, IntegrationFactory factory) throws PluginException {
    m.lock.lock();
    try {
      if (closed) {
        throw PluginException.forIntegration(Reason.ILLEGAL_STATE, m.id, m.jar(), "the manager is closed", null);
      }
      ManagedIntegration existing = registry.putIfAbsent(m.id, m);
      if (existing != null) {
        throw PluginException.forIntegration(Reason.DUPLICATE_ID, m.id, m.jar(), "id '" + m.id
            + "' is already registered" + (existing.jar() == null ? " (built-in)" : " by " + existing.jar()), null);
      }
      try {
        Generation g = lifecycle.newGeneration(m, factory, m.plugin, null);
        try {
          audit.required("integration.registered", AuditLevel.INFO, "integration '" + m.id + "' registered",
              LifecycleAudit.meta(m.id, m.plugin), m.id, m.jar());
        } catch (PluginException e) {
          g.discard();
          throw e;
        }
        m.factory = factory;
        m.current = g;
        m.state = IntegrationState.INITIALIZED;
      } catch (PluginException | RuntimeException | Error e) {
        registry.remove(m.id, m); // never leave a half-registered id behind
        throw e;
      }
    } finally {
      m.lock.unlock();
    }
  }

  /**
   * Registers every plugin a scan loaded and audits every jar it rejected.
   *
   * @param scan the scan
   * @return every rejection and registration failure, in file-name order (empty if all registered)
   */
  public List<PluginException> registerAll(PluginScan scan) {
    List<PluginException> failures = new ArrayList<>();
    for (PluginScanEntry e : scan.entries()) {
      if (e.loaded()) {
        try {
          register(e.plugin().orElseThrow());
        } catch (PluginException ex) {
          failures.add(ex);
        }
      } else {
        recordRejection(e);
        failures.add(e.error().orElseThrow());
      }
    }
    return failures;
  }

  /**
   * Audits a jar the loader rejected ({@code integration.rejected}, with the sha256 when known).
   *
   * @param entry a rejected scan entry
   */
  public void recordRejection(PluginScanEntry entry) {
    PluginException e = entry.error().orElseThrow(() -> new IllegalArgumentException("entry was not rejected"));
    Map<String, Object> meta = LifecycleAudit.meta(entry.descriptor().map(PluginDescriptor::id).orElse("-"), null);
    meta.put("jar", entry.fileName());
    entry.descriptor().ifPresent(d -> meta.put("plugin_version", d.version()));
    entry.sha256().ifPresent(s -> meta.put("sha256", s));
    audit.bestEffort("integration.rejected", LifecycleAudit.levelOf(e.reason()), e.getMessage(),
        LifecycleAudit.failure(meta, e));
  }

  // ------------------------------------------------------------------------------------------------ lifecycle

  /**
   * Starts an integration: validates its configuration again, then calls {@code start} (a stopped or failed
   * integration gets a fresh instance). Starting a running integration does nothing.
   *
   * @param id the integration id
   * @throws PluginException {@link Reason#CONFIG_INVALID}, {@link Reason#START_FAILED}, {@link Reason#TIMEOUT},
   *     {@link Reason#AUDIT_FAILED} (then stopped again) or {@link Reason#NOT_REGISTERED}
   */
  public void start(String id) throws PluginException {
    ManagedIntegration m = lockRegistered(id);
    try {
      if (m.state == IntegrationState.RUNNING || m.state == IntegrationState.STARTING) {
        return;
      }
      Generation g = m.requireCurrent();
      if (m.state == IntegrationState.INITIALIZED) {
        lifecycle.revalidate(m, g);
      } else {
        g = lifecycle.newGeneration(m, m.requireFactory(), m.plugin, g.config());
        m.current = g;
        m.state = IntegrationState.INITIALIZED;
      }
      lifecycle.startGeneration(m, g);
      try {
        audit.required("integration.started", AuditLevel.INFO, "integration '" + id + "' started",
            LifecycleAudit.meta(id, m.plugin), id, m.jar());
      } catch (PluginException e) {
        lifecycle.stopQuietly(m, g);
        m.lastError = e.shortReason();
        throw e;
      }
    } catch (PluginException e) {
      m.lastError = e.shortReason();
      if (e.reason() != Reason.AUDIT_FAILED) {
        audit.bestEffort(e.reason() == Reason.CONFIG_INVALID ? "integration.config_rejected"
            : "integration.start_failed", AuditLevel.ERROR, e.getMessage(),
            LifecycleAudit.failure(LifecycleAudit.meta(id, m.plugin), e));
      }
      throw e;
    } finally {
      m.lock.unlock();
    }
  }

  /**
   * Starts every registered integration that is not running; one failure never stops the others.
   *
   * @return the failures (empty if all started)
   */
  public List<PluginException> startAll() {
    List<PluginException> failures = new ArrayList<>();
    for (String id : List.copyOf(new java.util.TreeSet<>(registry.keySet()))) {
      try {
        start(id);
      } catch (PluginException e) {
        failures.add(e);
      }
    }
    return failures;
  }

  /**
   * Stops an integration: refuses its inbound messages, calls {@code stop} (with the timeout), cancels its scheduled
   * tasks and drops its webhook handler. Stopping an integration that is not running does nothing.
   *
   * @param id the integration id
   * @throws PluginException {@link Reason#STOP_FAILED} or {@link Reason#TIMEOUT} (the instance is stopped and discarded
   *     anyway), {@link Reason#NOT_REGISTERED}
   */
  public void stop(String id) throws PluginException {
    ManagedIntegration m = lockRegistered(id);
    try {
      if (m.state != IntegrationState.RUNNING && m.state != IntegrationState.STARTING) {
        return;
      }
      lifecycle.stopAudited(m, m.requireCurrent());
    } finally {
      m.lock.unlock();
    }
  }

  /**
   * Re-reads the integration's configuration from the {@link PluginConfigSource} and applies it (see
   * {@link #update(String, Object)}).
   *
   * @param id the integration id
   * @throws PluginException as {@link #update(String, Object)}
   */
  public void update(String id) throws PluginException {
    applyUpdate(id, null);
  }

  /**
   * Applies a new configuration: a new instance is created, validated and initialised while the current one keeps
   * running; only then is the current one stopped and the new one started. Invalid configuration, a failing
   * {@code init} or an unavailable audit log leave the running instance untouched; a failing {@code start} restarts the
   * previous configuration.
   *
   * @param id the integration id
   * @param config the new configuration, an instance of the integration's config type
   * @throws PluginException {@link Reason#CONFIG_INVALID} with every violation, {@link Reason#INIT_FAILED},
   *     {@link Reason#START_FAILED} (rolled back), {@link Reason#AUDIT_FAILED}, {@link Reason#NOT_REGISTERED}
   */
  public void update(String id, Object config) throws PluginException {
    applyUpdate(id, Objects.requireNonNull(config, "config"));
  }

  private void applyUpdate(String id, @Nullable Object given) throws PluginException {
    ManagedIntegration m = lockRegistered(id);
    try {
      Generation old = m.requireCurrent();
      Generation next;
      try {
        next = lifecycle.newGeneration(m, m.requireFactory(), m.plugin, given);
        audit.required("integration.config_updated", AuditLevel.INFO, "integration '" + id
            + "' configuration updated", LifecycleAudit.meta(id, m.plugin), id, m.jar());
      } catch (PluginException e) {
        if (e.reason() != Reason.AUDIT_FAILED) {
          audit.bestEffort(e.reason() == Reason.CONFIG_INVALID ? "integration.config_rejected"
              : "integration.update_failed", AuditLevel.WARN, e.getMessage(),
              LifecycleAudit.failure(LifecycleAudit.meta(id, m.plugin), e));
        }
        throw e;
      }
      lifecycle.swap(m, old, next);
    } finally {
      m.lock.unlock();
    }
  }

  /**
   * Replaces a plugin with a new version of the same id (hot reload): the new version is instantiated, configured and
   * initialised while the old one runs; then the old one is stopped and the new one started. If anything fails before
   * the switch, the old version keeps running; if the new version fails to start, the old version is restarted. The
   * replaced plugin is closed (its class loader becomes unreachable once nothing refers to its classes). The manager
   * owns {@code next} from now on.
   *
   * @param next the new version
   * @throws PluginException why the new version was not taken (the old one runs on)
   */
  public void reload(LoadedPlugin next) throws PluginException {
    Objects.requireNonNull(next, "next");
    String id = next.id();
    ManagedIntegration m;
    try {
      m = lockRegistered(id);
    } catch (PluginException e) {
      next.close();
      throw e;
    }
    try {
      if (m.builtIn) {
        throw PluginException.forIntegration(Reason.BUILTIN_ID, id, next.fileName(),
            "cannot replace the built-in integration '" + id + "'", null);
      }
      LoadedPlugin previous = m.plugin;
      if (previous == null) { // only built-ins have none, refused above
        throw new IllegalStateException("integration '" + id + "' has no plugin to replace");
      }
      Generation old = m.requireCurrent();
      Map<String, Object> meta = LifecycleAudit.meta(id, next);
      meta.put("previous_version", previous.descriptor().version());
      meta.put("previous_sha256", previous.sha256());
      Generation ng;
      try {
        ClassLoader nextLoader = next.classLoader();
        if (nextLoader == null) {
          throw PluginException.forIntegration(Reason.ILLEGAL_STATE, id, next.fileName(), "plugin is closed", null);
        }
        IntegrationFactory f = calls.lifecycle(id, next.fileName(), nextLoader, "factory constructor",
            Reason.FACTORY_FAILED, next::newFactory);
        ng = lifecycle.newGeneration(m, f, next, null);
        try {
          audit.required("integration.reloaded", AuditLevel.INFO, "integration '" + id + "' reloaded: "
              + previous.descriptor().version() + " -> " + next.descriptor().version(), meta, id, next.fileName());
        } catch (PluginException e) {
          ng.discard();
          throw e;
        }
      } catch (PluginException e) {
        if (e.reason() != Reason.AUDIT_FAILED) {
          audit.bestEffort("integration.reload_failed", AuditLevel.ERROR, e.getMessage(),
              LifecycleAudit.failure(meta, e));
        }
        next.close();
        throw e;
      }
      try {
        lifecycle.swap(m, old, ng);
      } catch (PluginException e) {
        next.close(); // rolled back (or failed): the old version stays
        throw e;
      }
      m.plugin = next;
      m.factory = ng.factory();
      previous.close();
    } finally {
      m.lock.unlock();
    }
  }

  /**
   * Stops (if running) and removes an integration; a plugin's class loader is closed and its shadow copy deleted.
   *
   * @param id the integration id
   * @throws PluginException {@link Reason#NOT_REGISTERED}
   */
  public void unregister(String id) throws PluginException {
    ManagedIntegration m = lockRegistered(id);
    try {
      unregisterLocked(m);
    } finally {
      m.lock.unlock();
    }
  }

  private void unregisterLocked(ManagedIntegration m) {
    Generation cur = m.current;
    if (cur != null) {
      if (m.state == IntegrationState.RUNNING || m.state == IntegrationState.STARTING) {
        lifecycle.stopQuietly(m, cur);
      } else {
        cur.discard();
      }
    }
    registry.remove(m.id, m);
    m.current = null;
    if (m.plugin != null) {
      m.plugin.close();
    }
    audit.bestEffort("integration.unregistered", AuditLevel.INFO, "integration '" + m.id + "' unregistered",
        LifecycleAudit.meta(m.id, m.plugin));
  }

  // ------------------------------------------------------------------------------------------------ traffic

  /**
   * Sends a message through the integration named by the thread's platform, on the caller's thread.
   *
   * @param message the message
   * @return the platform's receipt
   * @throws PluginException {@link Reason#SEND_FAILED} (not running, or the plugin failed), {@link Reason#NOT_REGISTERED}
   */
  public SendReceipt send(OutboundMessage message) throws PluginException {
    String id = message.thread().platform();
    ManagedIntegration m = registered(id);
    Generation g = m.current;
    if (m.state != IntegrationState.RUNNING || g == null || g.context().phase() != ScopedContext.Phase.RUNNING) {
      throw PluginException.forIntegration(Reason.SEND_FAILED, id, m.jar(), "integration is not running", null);
    }
    ClassLoader loader = g.context().loader();
    try {
      SendReceipt r = PluginCalls.inContext(loader == null ? g.loader() : loader, () -> g.instance().send(message));
      if (r == null) {
        throw PluginException.forIntegration(Reason.SEND_FAILED, id, m.jar(), "send() returned null", null);
      }
      return r;
    } catch (PluginException e) {
      throw e;
    } catch (IntegrationException e) {
      throw PluginException.forIntegration(Reason.SEND_FAILED, id, m.jar(), Texts.oneLine(e.getMessage(), 300), e);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Exception | Error e) {
      throw PluginException.forIntegration(Reason.SEND_FAILED, id, m.jar(), "send() threw " + Texts.describe(e), e);
    }
  }

  /**
   * Hands a webhook delivery to the integration's handler on the caller's thread. Never throws: unknown integrations get
   * 404, stopped ones 503, and a failing handler 500 (details only in the log). {@code Cookie} and
   * {@code Proxy-Authorization} headers (a browser's credentials for the host, never a platform's) are removed first.
   *
   * @param id the integration id (from the host's route, e.g. {@code /hooks/{id}})
   * @param request the request
   * @return the response to write back
   */
  public WebhookResponse handleWebhook(String id, WebhookRequest request) {
    Objects.requireNonNull(request, "request");
    ManagedIntegration m = id == null ? null : registry.get(id);
    if (m == null) {
      return WebhookResponse.json(404, "{\"error\":\"unknown integration\"}");
    }
    Generation g = m.current;
    ScopedContext.Phase phase = g == null ? ScopedContext.Phase.CLOSED : g.context().phase();
    WebhookHandler handler = g == null ? null : g.context().webhook();
    ClassLoader loader = g == null ? null : g.context().loader();
    if (handler == null || loader == null
        || (phase != ScopedContext.Phase.RUNNING && phase != ScopedContext.Phase.STARTING)) {
      return WebhookResponse.json(503, "{\"error\":\"integration not running\"}");
    }
    WebhookRequest forPlugin = withoutHostCredentials(request);
    try {
      WebhookResponse r = PluginCalls.inContext(loader, () -> handler.handle(forPlugin));
      if (r != null) {
        return r;
      }
      LOG.warn("webhook handler of integration {} returned null", id);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Exception | Error e) {
      LOG.warn("webhook handler of integration {} failed: {}", id, Texts.describe(e));
    }
    return WebhookResponse.json(500, "{\"error\":\"webhook handler failed\"}");
  }

  /** Headers that carry a browser's credentials for the host itself; no chat platform signs webhooks with them. */
  private static final Set<String> HOST_CREDENTIAL_HEADERS = Set.of("cookie", "cookie2", "proxy-authorization");

  /** The request without the host's credentials: a plugin must not harvest sessions of browsers that reach the host. */
  private static WebhookRequest withoutHostCredentials(WebhookRequest request) {
    if (request.headers().keySet().stream().noneMatch(HOST_CREDENTIAL_HEADERS::contains)) {
      return request;
    }
    WebhookRequest.Builder b = WebhookRequest.builder(request.method(), request.path()).body(request.body())
        .receivedAt(request.receivedAt());
    request.headers().forEach((name, values) -> {
      if (!HOST_CREDENTIAL_HEADERS.contains(name)) {
        values.forEach(v -> b.header(name, v));
      }
    });
    return b.build();
  }

  /**
   * Asks a running integration for its health (on a lifecycle worker, bounded by the lifecycle timeout); other states
   * report {@code DOWN} without calling the plugin. While an earlier call of the same instance has not returned,
   * further calls report {@code DOWN} at once.
   *
   * @param id the integration id
   * @return the health
   * @throws PluginException {@link Reason#NOT_REGISTERED}
   */
  public Health health(String id) throws PluginException {
    ManagedIntegration m = registered(id);
    Generation g = m.current;
    ClassLoader loader = g == null ? null : g.context().loader();
    if (g == null || m.state != IntegrationState.RUNNING || loader == null) {
      return Health.down("integration is " + m.state.name().toLowerCase(java.util.Locale.ROOT));
    }
    // on a lifecycle worker with a timeout: a hanging health() must not hang the host's health endpoint, and while
    // one call of this instance still hangs no further worker is spent on it
    java.util.concurrent.atomic.AtomicBoolean busy = g.context().healthBusy();
    if (!busy.compareAndSet(false, true)) {
      return Health.down("a previous health() call is still running");
    }
    boolean handedOff = false;
    try {
      Health h = calls.lifecycle(id, m.jar(), loader, "health()", Reason.ILLEGAL_STATE, () -> {
        try {
          return g.instance().health();
        } finally {
          busy.set(false);
        }
      });
      handedOff = true;
      return h == null ? Health.down("health() returned null") : h;
    } catch (PluginException e) {
      handedOff = e.reason() == Reason.TIMEOUT; // the worker still runs it and clears the flag when it returns
      return Health.down(e.reason() == Reason.TIMEOUT ? "health() did not return within the lifecycle timeout"
          : Texts.oneLine(e.shortReason(), 300));
    } finally {
      if (!handedOff) {
        busy.set(false);
      }
    }
  }

  /**
   * Returns the status of one integration.
   *
   * @param id the integration id
   * @return the status, or empty if not registered
   */
  public Optional<IntegrationStatus> status(String id) {
    return Optional.ofNullable(registry.get(id)).map(ManagedIntegration::status);
  }

  /**
   * Returns the status of every registered integration.
   *
   * @return the statuses, sorted by id
   */
  public List<IntegrationStatus> statuses() {
    return registry.values().stream().map(ManagedIntegration::status)
        .sorted(java.util.Comparator.comparing(IntegrationStatus::id)).toList();
  }

  /** Unregisters everything (stopping what runs) and releases the manager's threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (ManagedIntegration m : List.copyOf(registry.values())) {
      m.lock.lock();
      try {
        if (registry.get(m.id) == m) {
          unregisterLocked(m);
        }
      } finally {
        m.lock.unlock();
      }
    }
    calls.close();
    if (ownScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** For tests: the class loader of the current instance of an integration. */
  @Nullable ClassLoader classLoaderOf(String id) {
    ManagedIntegration m = registry.get(id);
    return m == null || m.current == null ? null : m.current.loader();
  }

  // ------------------------------------------------------------------------------------------------ internals

  private ManagedIntegration registered(String id) throws PluginException {
    ManagedIntegration m = id == null ? null : registry.get(id);
    if (m == null) {
      throw PluginException.forIntegration(Reason.NOT_REGISTERED, String.valueOf(id), null,
          "no integration with this id is registered", null);
    }
    return m;
  }

  /** Returns the integration locked, re-checking after locking that it is still the registered one. */
  private ManagedIntegration lockRegistered(String id) throws PluginException {
    ManagedIntegration m = registered(id);
    m.lock.lock();
    if (registry.get(id) != m) {
      m.lock.unlock();
      throw PluginException.forIntegration(Reason.NOT_REGISTERED, id, null, "integration was unregistered", null);
    }
    return m;
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private @Nullable AuditSink auditSink;
    private @Nullable PluginConfigSource configSource;
    private @Nullable InboundMessageSink inboundSink;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Clock clock;
    private @Nullable Set<String> reservedIds;
    private @Nullable Duration lifecycleTimeout;

    private Builder() {}

    /**
     * Sets where lifecycle events go (required); usually the host's {@code AuditStore}.
     *
     * @param sink the audit sink
     * @return this builder
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Once.set("auditSink", this.auditSink, sink);
      return this;
    }

    /**
     * Sets where configurations come from (required).
     *
     * @param source the source
     * @return this builder
     */
    public Builder configSource(PluginConfigSource source) {
      this.configSource = Once.set("configSource", this.configSource, source);
      return this;
    }

    /**
     * Sets the receiver of inbound messages from all integrations (required).
     *
     * @param sink the host's message router
     * @return this builder
     */
    public Builder inboundSink(InboundMessageSink sink) {
      this.inboundSink = Once.set("inboundSink", this.inboundSink, sink);
      return this;
    }

    /**
     * Sets the scheduler that <em>triggers</em> integrations' background tasks (default: one daemon thread owned by the
     * manager). Plugin code never runs on it: each integration instance runs its tasks on its own worker thread, so a
     * task that blocks delays only its own integration, and stopping the instance interrupts it.
     *
     * @param scheduler the scheduler; the host keeps ownership
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Once.set("scheduler", this.scheduler, scheduler);
      return this;
    }

    /**
     * Sets the clock handed to integrations (default UTC system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Once.set("clock", this.clock, clock);
      return this;
    }

    /**
     * Replaces the ids plugins may not take (default {@link PluginLoader#BUILT_IN_IDS}).
     *
     * @param ids the reserved ids
     * @return this builder
     */
    public Builder reservedIds(Set<String> ids) {
      this.reservedIds = Once.set("reservedIds", this.reservedIds, Set.copyOf(ids));
      return this;
    }

    /**
     * Sets how long a plugin's factory constructor, {@code create}, {@code init}, {@code start} or {@code stop} may take
     * (default 30 s).
     *
     * @param timeout 1 ms to 10 minutes
     * @return this builder
     */
    public Builder lifecycleTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("lifecycleTimeout must be in [PT0.001S, PT10M], got " + timeout);
      }
      this.lifecycleTimeout = Once.set("lifecycleTimeout", this.lifecycleTimeout, timeout);
      return this;
    }

    /**
     * Builds the manager.
     *
     * @return the manager
     */
    public IntegrationManager build() {
      if (auditSink == null || configSource == null || inboundSink == null) {
        throw new IllegalStateException("auditSink, configSource and inboundSink are required");
      }
      return new IntegrationManager(this);
    }
  }
}
