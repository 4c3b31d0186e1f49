package dev.secureyeoman.audit;

/**
 * Where other modules send audit events. The SQLite audit store implements it; a host may also supply its own.
 *
 * <p>Implementations must record the event durably (or throw) before returning, and must never log or persist secrets
 * beyond what the event carries: callers are responsible for keeping passwords, tokens and keys out of events.
 */
@FunctionalInterface
public interface AuditSink {

  /**
   * Records one event.
   *
   * @param event the validated event
   * @throws AuditException if the event could not be recorded durably
   */
  void record(AuditEvent event) throws AuditException;
}
