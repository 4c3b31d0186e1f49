package dev.secureyeoman.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An event to append to the audit log: immutable, validated on construction.
 *
 * <p>{@code metadata} may nest maps and lists of strings, numbers, booleans and nulls; it is deep-copied into unmodifiable
 * collections so the value that is MAC'd is exactly the value the caller saw.
 *
 * @param level severity
 * @param event machine-readable event name, e.g. {@code auth.login.failure}: 1–128 chars of {@code [a-z0-9_.-]}
 * @param actor who acted (user id, {@code system}); at most 256 chars
 * @param message human-readable description without secrets; at most 4096 chars
 * @param metadata structured detail (deep-copied, unmodifiable)
 * @param correlationId optional request or trace id
 */
public record AuditEvent(
    AuditLevel level,
    String event,
    String actor,
    String message,
    Map<String, Object> metadata,
    Optional<String> correlationId) {

  /** Maximum nesting depth of metadata. */
  public static final int MAX_METADATA_DEPTH = 8;

  /** Validates and deep-copies the fields. */
  public AuditEvent {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(correlationId, "correlationId");
    if (event.isEmpty() || event.length() > 128 || !event.matches("[a-z0-9_.-]+")) {
      throw new IllegalArgumentException("event must be 1-128 chars of [a-z0-9_.-], got length " + event.length());
    }
    if (actor.length() > 256) {
      throw new IllegalArgumentException("actor must be at most 256 chars, got " + actor.length());
    }
    if (message.length() > 4096) {
      throw new IllegalArgumentException("message must be at most 4096 chars, got " + message.length());
    }
    correlationId.ifPresent(
        id -> {
          if (id.isEmpty() || id.length() > 200) {
            throw new IllegalArgumentException("correlationId must be 1-200 chars, got " + id.length());
          }
        });
    metadata = metadata == null ? Map.of() : copyMap(metadata, 1);
  }

  /**
   * Starts a builder.
   *
   * @param event the event name
   * @return a builder with level {@link AuditLevel#INFO}, actor {@code system} and an empty message
   */
  public static Builder builder(String event) {
    return new Builder(event);
  }

  @SuppressWarnings("unchecked")
  private static Object copyValue(Object v, int depth) {
    if (v == null || v instanceof String || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("metadata numbers must be finite");
      }
      return d;
    }
    if (v instanceof Map<?, ?> m) {
      return copyMap((Map<String, Object>) m, depth + 1);
    }
    if (v instanceof List<?> l) {
      if (depth + 1 > MAX_METADATA_DEPTH) {
        throw new IllegalArgumentException("metadata nested deeper than " + MAX_METADATA_DEPTH);
      }
      return l.stream().map(x -> copyValue(x, depth + 1)).toList(); // unmodifiable, keeps nulls
    }
    throw new IllegalArgumentException(
        "metadata values must be String, Number, Boolean, null, Map or List, got " + v.getClass().getName());
  }

  private static Map<String, Object> copyMap(Map<String, Object> in, int depth) {
    if (depth > MAX_METADATA_DEPTH) {
      throw new IllegalArgumentException("metadata nested deeper than " + MAX_METADATA_DEPTH);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : in.entrySet()) {
      if (!(e.getKey() instanceof String k)) {
        throw new IllegalArgumentException("metadata keys must be strings");
      }
      if (hasUnpairedSurrogate(k)) {
        // keys are sorted as UTF-16 for the MAC but stored as UTF-8, where a lone surrogate becomes '?': the verifier
        // would sort (and MAC) different bytes than the writer did
        throw new IllegalArgumentException("metadata keys must be well-formed UTF-16 (no unpaired surrogate)");
      }
      out.put(k, copyValue(e.getValue(), depth));
    }
    return Collections.unmodifiableMap(out);
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Builder for {@link AuditEvent}; validation happens in {@link #build()}. */
  public static final class Builder {
    private final String event;
    private AuditLevel level = AuditLevel.INFO;
    private String actor = "system";
    private String message = "";
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private @Nullable String correlationId;

    private Builder(String event) {
      this.event = event;
    }

    /**
     * Sets the level.
     *
     * @param level severity
     * @return this builder
     */
    public Builder level(AuditLevel level) {
      this.level = level;
      return this;
    }

    /**
     * Sets the actor.
     *
     * @param actor who acted
     * @return this builder
     */
    public Builder actor(String actor) {
      this.actor = actor;
      return this;
    }

    /**
     * Sets the message.
     *
     * @param message description without secrets
     * @return this builder
     */
    public Builder message(String message) {
      this.message = message;
      return this;
    }

    /**
     * Adds one metadata entry.
     *
     * @param key the key
     * @param value a String, Number, Boolean, null, Map or List
     * @return this builder
     */
    public Builder put(String key, Object value) {
      metadata.put(key, value);
      return this;
    }

    /**
     * Sets the correlation id.
     *
     * @param correlationId request or trace id
     * @return this builder
     */
    public Builder correlationId(String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    /**
     * Builds the validated event.
     *
     * @return the event
     */
    public AuditEvent build() {
      return new AuditEvent(level, event, actor, message, metadata, Optional.ofNullable(correlationId));
    }
  }
}
