package dev.secureyeoman.auth;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A real, list-backed audit sink for tests (until the SQLite AuditStore lands); can be switched to fail. */
public final class MemoryAuditSink implements AuditSink {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private volatile boolean failing;
  private volatile java.util.function.Predicate<AuditEvent> failOn = e -> false;

  @Override
  public void record(AuditEvent event) throws AuditException {
    if (failing || failOn.test(event)) {
      throw new AuditException("audit store unavailable");
    }
    events.add(event);
  }

  public List<AuditEvent> events() {
    return List.copyOf(events);
  }

  public List<AuditEvent> named(String name) {
    return events.stream().filter(e -> e.event().equals(name)).collect(Collectors.toList());
  }

  public void setFailing(boolean failing) {
    this.failing = failing;
  }

  /** Fails only the events that match (a sink that breaks in the middle of a transaction's events). */
  public void failOn(java.util.function.Predicate<AuditEvent> failOn) {
    this.failOn = failOn;
  }

  /** Every event rendered as text (to search for leaked secrets). */
  public String dump() {
    return events.stream().map(AuditEvent::toString).collect(Collectors.joining("\n"));
  }
}
