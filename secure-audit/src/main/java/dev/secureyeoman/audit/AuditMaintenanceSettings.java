package dev.secureyeoman.audit;

import dev.secureyeoman.core.config.SecurityConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AuditMaintenance} does and how often: a full verification, then (only if the log verifies) retention and a
 * checkpoint (when the store has a sink). Built from plain values so hosts can map their configuration ({@code security.audit.retention_days},
 * {@code max_entries}, {@code maintenance_interval}) onto it.
 *
 * @param retention the retention policy
 * @param interval time between runs (1 s .. 7 days)
 * @param checkpoint whether to sign a checkpoint on each run (needs a configured sink)
 * @param verify whether to verify the log first on each run (a checkpoint verifies against the existing checkpoints
 *     on its own either way)
 * @param fullVerifyEvery with checkpoints configured, every this many runs (counting from the first) the verification
 *     is a full one and the others are incremental ({@link VerifyOptions#sinceCheckpoint()}: only entries after the
 *     newest trusted checkpoint are re-MACed); 1 = always full (1..10000). Without checkpoints every run is full.
 */
public record AuditMaintenanceSettings(
    RetentionPolicy retention, Duration interval, boolean checkpoint, boolean verify, int fullVerifyEvery) {

  /** Default: a full verification every 24th run (daily at the default hourly interval), incremental otherwise. */
  public static final int DEFAULT_FULL_VERIFY_EVERY = SecurityConfig.Audit.DEFAULT_FULL_VERIFY_EVERY;

  /** Default interval: one hour. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);

  /** Validates the values. */
  public AuditMaintenanceSettings {
    Objects.requireNonNull(retention, "retention");
    if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("interval must be between PT1S and P7D, got " + interval);
    }
    if (fullVerifyEvery < 1 || fullVerifyEvery > 10_000) {
      throw new IllegalArgumentException("fullVerifyEvery must be 1..10000, got " + fullVerifyEvery);
    }
  }

  /**
   * Settings that verify the whole log on every run.
   *
   * @param retention the retention policy
   * @param interval time between runs
   * @param checkpoint whether to sign a checkpoint on each run
   * @param verify whether to verify the whole log first on each run
   */
  public AuditMaintenanceSettings(RetentionPolicy retention, Duration interval, boolean checkpoint, boolean verify) {
    this(retention, interval, checkpoint, verify, 1);
  }

  /**
   * Returns a copy with another full-verification period.
   *
   * @param every a full verification every this many runs (1 = always)
   * @return the copy
   */
  public AuditMaintenanceSettings withFullVerifyEvery(int every) {
    return new AuditMaintenanceSettings(retention, interval, checkpoint, verify, every);
  }

  /**
   * Settings from configuration values, with checkpoint and verification on.
   *
   * @param retentionDays {@code security.audit.retention_days} (0 = no age limit)
   * @param maxEntries {@code security.audit.max_entries} (0 = no count limit)
   * @param interval {@code security.audit.maintenance_interval}
   * @return the settings
   */
  public static AuditMaintenanceSettings of(int retentionDays, long maxEntries, Duration interval) {
    return new AuditMaintenanceSettings(
        new RetentionPolicy(retentionDays, maxEntries), interval, true, true, DEFAULT_FULL_VERIFY_EVERY);
  }

  /**
   * Settings from the loaded configuration ({@code security.audit.retention_days}, {@code max_entries},
   * {@code maintenance_interval}, {@code full_verify_every}), with checkpoint and verification on.
   *
   * @param audit the validated {@code security.audit} section
   * @return the settings
   * @throws IllegalArgumentException if a value is outside what retention and scheduling accept
   */
  public static AuditMaintenanceSettings fromConfig(SecurityConfig.Audit audit) {
    if (audit == null) {
      throw new IllegalArgumentException("audit must not be null");
    }
    return new AuditMaintenanceSettings(
        RetentionPolicy.fromConfig(audit), audit.maintenanceInterval(), true, true, audit.fullVerifyEvery());
  }

  /**
   * The defaults: 90 days, 1 000 000 entries, hourly, checkpoint and verify on (full every 24th run).
   *
   * @return the defaults
   */
  public static AuditMaintenanceSettings defaults() {
    return new AuditMaintenanceSettings(
        RetentionPolicy.defaults(), DEFAULT_INTERVAL, true, true, DEFAULT_FULL_VERIFY_EVERY);
  }
}
