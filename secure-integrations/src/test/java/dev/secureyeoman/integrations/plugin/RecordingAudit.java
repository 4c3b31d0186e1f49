package dev.secureyeoman.integrations.plugin;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory audit sink that can be switched to fail, as a full disk or a closed store would. */
final class RecordingAudit implements AuditSink {
  final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  volatile boolean failing;

  @Override
  public void record(AuditEvent event) throws AuditException {
    if (failing) {
      throw new AuditException("audit store unavailable (test)");
    }
    events.add(event);
  }

  List<AuditEvent> named(String name) {
    return events.stream().filter(e -> e.event().equals(name)).toList();
  }

  List<String> names() {
    return events.stream().map(AuditEvent::event).toList();
  }
}
