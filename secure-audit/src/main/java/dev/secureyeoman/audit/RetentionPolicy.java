package dev.secureyeoman.audit;

import dev.secureyeoman.core.config.SecurityConfig;

/**
 * How much history {@link AuditStore#enforceRetention(RetentionPolicy)} keeps.
 *
 * <p>Entries older than {@code maxAgeDays} are purged, and the oldest entries are purged until at most {@code maxEntries}
 * remain (counting the {@code retention_purge} entry the purge appends). Only a contiguous prefix of the log is ever
 * deleted, and the newest entry (the head) is never deleted.
 *
 * @param maxAgeDays maximum age in days, or {@link #NO_AGE_LIMIT}
 * @param maxEntries maximum number of entries kept (at least 2), or {@link #NO_COUNT_LIMIT}
 */
public record RetentionPolicy(int maxAgeDays, long maxEntries) {
  /** {@code maxAgeDays} value that disables the age limit. */
  public static final int NO_AGE_LIMIT = 0;

  /** {@code maxEntries} value that disables the count limit. */
  public static final long NO_COUNT_LIMIT = 0;

  /** Default maximum age: 90 days. */
  public static final int DEFAULT_MAX_AGE_DAYS = 90;

  /** Default maximum number of entries: 1 000 000. */
  public static final long DEFAULT_MAX_ENTRIES = 1_000_000L;

  /** Validates the limits. */
  public RetentionPolicy {
    if (maxAgeDays < 0 || maxAgeDays > 365_000) {
      throw new IllegalArgumentException("maxAgeDays must be 0 (no limit) or 1..365000, got " + maxAgeDays);
    }
    if (maxEntries < 0 || maxEntries == 1) {
      throw new IllegalArgumentException("maxEntries must be 0 (no limit) or >= 2, got " + maxEntries);
    }
  }

  /**
   * The defaults of the specification: 90 days, 1 000 000 entries.
   *
   * @return the default policy
   */
  public static RetentionPolicy defaults() {
    return new RetentionPolicy(DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_ENTRIES);
  }

  /**
   * The policy configured under {@code security.audit} ({@code retention_days}, {@code max_entries}).
   *
   * @param audit the validated {@code security.audit} section
   * @return the policy
   * @throws IllegalArgumentException if {@code max_entries} is 1 or a value is out of range
   */
  public static RetentionPolicy fromConfig(SecurityConfig.Audit audit) {
    if (audit == null) {
      throw new IllegalArgumentException("audit must not be null");
    }
    return new RetentionPolicy(audit.retentionDays(), audit.maxEntries());
  }

  /**
   * Age limit only.
   *
   * @param days maximum age in days, at least 1
   * @return the policy
   */
  public static RetentionPolicy maxAge(int days) {
    if (days < 1) {
      throw new IllegalArgumentException("days must be >= 1, got " + days);
    }
    return new RetentionPolicy(days, NO_COUNT_LIMIT);
  }

  /**
   * Count limit only.
   *
   * @param entries maximum entries kept, at least 2
   * @return the policy
   */
  public static RetentionPolicy maxEntries(long entries) {
    if (entries < 2) {
      throw new IllegalArgumentException("entries must be >= 2, got " + entries);
    }
    return new RetentionPolicy(NO_AGE_LIMIT, entries);
  }
}
