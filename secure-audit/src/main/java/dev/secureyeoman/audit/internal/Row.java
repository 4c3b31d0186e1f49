package dev.secureyeoman.audit.internal;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One stored audit row exactly as persisted (before any interpretation).
 *
 * @param seq dense sequence number, 1-based
 * @param timestampMillis epoch milliseconds
 * @param level level name
 * @param event event name
 * @param actor actor
 * @param message message
 * @param metadata parsed metadata
 * @param correlationId correlation id or null
 * @param keyId MAC key id
 * @param prevHash hash of the previous entry (32 zero bytes for the first entry ever)
 * @param hash this entry's HMAC
 */
public record Row(
    long seq,
    long timestampMillis,
    String level,
    String event,
    String actor,
    String message,
    Map<String, Object> metadata,
    @Nullable String correlationId,
    int keyId,
    byte[] prevHash,
    byte[] hash) {}
