package dev.secureyeoman.audit;

import dev.secureyeoman.audit.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON helpers for the audit export format and for metadata given as JSON text (e.g. on the command line). */
public final class AuditJson {
  private AuditJson() {}

  /**
   * Parses a JSON object into metadata suitable for {@link AuditEvent}. Integers become {@code Long}, other numbers
   * {@code Double}; input is bounded to 1 MiB and 32 levels of nesting.
   *
   * @param json JSON text of one object
   * @return an unmodifiable map in document order
   * @throws IllegalArgumentException if the text is not a well-formed JSON object (duplicate keys are rejected)
   */
  public static Map<String, Object> parseObject(String json) {
    return Json.parseObject(json);
  }

  /**
   * Renders metadata as a compact JSON object (the form it is stored in).
   *
   * @param metadata an entry's or event's metadata
   * @return compact JSON text
   */
  public static String toJson(Map<String, Object> metadata) {
    if (metadata == null) {
      throw new IllegalArgumentException("metadata must not be null");
    }
    return Json.write(metadata);
  }

  /**
   * Renders one entry as a JSON object with the keys {@code seq, timestamp, level, event, actor, message, metadata,
   * correlation_id, key_id, prev_hash, hash}.
   *
   * @param entry the entry
   * @return compact JSON text
   */
  public static String toJson(AuditEntry entry) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", entry.seq());
    m.put("timestamp", entry.timestamp().toString());
    m.put("level", entry.level().name());
    m.put("event", entry.event());
    m.put("actor", entry.actor());
    m.put("message", entry.message());
    m.put("metadata", entry.metadata());
    m.put("correlation_id", entry.correlationId().orElse(null));
    m.put("key_id", (long) entry.keyId());
    m.put("prev_hash", entry.prevHash());
    m.put("hash", entry.hash());
    return Json.write(m);
  }
}
