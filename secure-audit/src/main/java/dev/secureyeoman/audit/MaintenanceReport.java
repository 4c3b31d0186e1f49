package dev.secureyeoman.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Outcome of one {@link AuditMaintenance} run.
 *
 * @param startedAt when the run started (maintenance clock)
 * @param finishedAt when it finished
 * @param purged entries deleted by retention
 * @param checkpoint the checkpoint written, if any
 * @param verification the verification result, if verification ran
 * @param failure the exception that stopped the run, if any
 */
public record MaintenanceReport(
    Instant startedAt,
    Instant finishedAt,
    long purged,
    Optional<Checkpoint> checkpoint,
    Optional<VerificationResult> verification,
    Optional<Exception> failure) {

  /** Validates non-null fields. */
  public MaintenanceReport {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(verification, "verification");
    Objects.requireNonNull(failure, "failure");
  }

  /**
   * Whether the run completed and the log verified.
   *
   * @return true when there was no failure and verification (if run) passed
   */
  public boolean ok() {
    return failure.isEmpty() && verification.map(VerificationResult::valid).orElse(true);
  }
}
