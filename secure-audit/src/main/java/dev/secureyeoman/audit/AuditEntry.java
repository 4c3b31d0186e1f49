package dev.secureyeoman.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One committed audit log entry as read back from the store.
 *
 * @param seq dense sequence number (1-based, no gaps in a verified log)
 * @param timestamp when the store committed the entry (millisecond precision)
 * @param level severity
 * @param event event name
 * @param actor who acted
 * @param message human-readable description
 * @param metadata structured detail (unmodifiable)
 * @param correlationId optional request or trace id
 * @param keyId id (epoch) of the MAC key that authenticated this entry
 * @param prevHash lowercase hex of the previous entry's MAC (64 zeros for the first entry ever)
 * @param hash lowercase hex of this entry's HMAC-SHA256
 */
public record AuditEntry(
    long seq,
    Instant timestamp,
    AuditLevel level,
    String event,
    String actor,
    String message,
    Map<String, Object> metadata,
    Optional<String> correlationId,
    int keyId,
    String prevHash,
    String hash) {

  /** Validates non-null fields. */
  public AuditEntry {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(correlationId, "correlationId");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(hash, "hash");
  }

  /**
   * Renders the entry as one line of JSON (the {@code export} format).
   *
   * @return a JSON object without a trailing newline
   */
  public String toJson() {
    return AuditJson.toJson(this);
  }
}
