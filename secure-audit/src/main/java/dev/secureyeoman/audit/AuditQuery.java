package dev.secureyeoman.audit;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Filters and a page for {@link AuditStore#query(AuditQuery)}. Results are ordered by ascending sequence number; page with
 * {@link Builder#afterSeq(long)} set to the last seq of the previous page.
 *
 * @param minLevel lowest level included
 * @param event exact event name
 * @param actor exact actor
 * @param from inclusive lower bound on the timestamp
 * @param to exclusive upper bound on the timestamp
 * @param afterSeq only entries with a larger seq
 * @param limit maximum entries returned (1..10000)
 */
public record AuditQuery(
    Optional<AuditLevel> minLevel,
    Optional<String> event,
    Optional<String> actor,
    Optional<Instant> from,
    Optional<Instant> to,
    long afterSeq,
    int limit) {

  /** Largest page size. */
  public static final int MAX_LIMIT = 10_000;

  /** Validates the values. */
  public AuditQuery {
    if (minLevel == null || event == null || actor == null || from == null || to == null) {
      throw new IllegalArgumentException("optional filters must not be null (use Optional.empty())");
    }
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must be >= 0, got " + afterSeq);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
    }
  }

  /**
   * Starts a builder (no filters, limit 100).
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link AuditQuery}. */
  public static final class Builder {
    private @Nullable AuditLevel minLevel;
    private @Nullable String event;
    private @Nullable String actor;
    private @Nullable Instant from;
    private @Nullable Instant to;
    private long afterSeq;
    private int limit = 100;

    private Builder() {}

    /**
     * Includes only entries at or above a level.
     *
     * @param level lowest level
     * @return this builder
     */
    public Builder minLevel(AuditLevel level) {
      this.minLevel = level;
      return this;
    }

    /**
     * Includes only one event name.
     *
     * @param event exact event name
     * @return this builder
     */
    public Builder event(String event) {
      this.event = event;
      return this;
    }

    /**
     * Includes only one actor.
     *
     * @param actor exact actor
     * @return this builder
     */
    public Builder actor(String actor) {
      this.actor = actor;
      return this;
    }

    /**
     * Includes only entries at or after an instant.
     *
     * @param from inclusive lower bound
     * @return this builder
     */
    public Builder from(Instant from) {
      this.from = from;
      return this;
    }

    /**
     * Includes only entries before an instant.
     *
     * @param to exclusive upper bound
     * @return this builder
     */
    public Builder to(Instant to) {
      this.to = to;
      return this;
    }

    /**
     * Starts after a sequence number (pagination cursor).
     *
     * @param seq last seq of the previous page
     * @return this builder
     */
    public Builder afterSeq(long seq) {
      this.afterSeq = seq;
      return this;
    }

    /**
     * Sets the page size.
     *
     * @param limit 1..10000
     * @return this builder
     */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /**
     * Builds the query.
     *
     * @return the validated query
     */
    public AuditQuery build() {
      return new AuditQuery(
          Optional.ofNullable(minLevel),
          Optional.ofNullable(event),
          Optional.ofNullable(actor),
          Optional.ofNullable(from),
          Optional.ofNullable(to),
          afterSeq,
          limit);
    }
  }
}
