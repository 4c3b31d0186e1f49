package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit events of the plugin host. Steps that enable something (register, start, update, reload) use
 * {@link #required}: if the event cannot be recorded the caller undoes the step (fail-closed). Steps that disable
 * something (stop, unregister, a rejection) use {@link #bestEffort}: never block a shutdown on the audit log.
 */
final class LifecycleAudit {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleAudit.class);

  private final AuditSink sink;

  LifecycleAudit(AuditSink sink) {
    this.sink = sink;
  }

  /** Event builder with the integration's identity filled in. */
  static Map<String, Object> meta(String id, @Nullable LoadedPlugin plugin) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("integration_id", id);
    if (plugin != null) {
      m.put("plugin_version", plugin.descriptor().version());
      m.put("jar", plugin.fileName());
      m.put("sha256", plugin.sha256());
    }
    return m;
  }

  /** Metadata describing a failure. */
  static Map<String, Object> failure(Map<String, Object> meta, PluginException e) {
    meta.put("reason", e.reason().code());
    meta.put("detail", e.shortReason());
    if (!e.violations().isEmpty()) {
      meta.put("violations", e.violations().stream().map(Object::toString).toList());
    }
    return meta;
  }

  void required(
      String event, AuditLevel level, String message, Map<String, Object> meta, String id, @Nullable String jar)
      throws PluginException {
    try {
      sink.record(event(event, level, message, meta));
    } catch (AuditException | RuntimeException e) {
      LOG.error("audit event {} for integration {} could not be recorded: {}", event, id, e.getMessage());
      throw PluginException.forIntegration(Reason.AUDIT_FAILED, id, jar,
          "cannot record " + event + " in the audit log; step undone", e);
    }
  }

  void bestEffort(String event, AuditLevel level, String message, Map<String, Object> meta) {
    try {
      sink.record(event(event, level, message, meta));
    } catch (AuditException | RuntimeException e) {
      LOG.error("audit event {} could not be recorded: {}", event, e.getMessage());
    }
  }

  /** Level of a rejection: attempts to get around a security control are SECURITY, other problems WARN. */
  static AuditLevel levelOf(Reason reason) {
    return switch (reason) {
      case UNTRUSTED, SYMLINK, NOT_A_FILE, BUILTIN_ID, BUNDLES_SDK, CLASS_PATH -> AuditLevel.SECURITY;
      default -> AuditLevel.WARN;
    };
  }

  private static AuditEvent event(String event, AuditLevel level, String message, Map<String, Object> meta) {
    return new AuditEvent(level, event, "system", Texts.oneLine(message, 1000), meta, java.util.Optional.empty());
  }
}
