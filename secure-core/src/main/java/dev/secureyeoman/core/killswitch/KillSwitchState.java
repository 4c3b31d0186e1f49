package dev.secureyeoman.core.killswitch;

import java.time.Instant;
import java.util.Objects;

/**
 * One state of the kill switch.
 *
 * @param engaged whether bot activity is paused
 * @param changedAt when the state was last changed ({@link Instant#EPOCH} if it never was)
 * @param changedBy who changed it (a user id or {@code system}); empty if it never was
 * @param reason why, as the operator gave it (may be empty)
 */
public record KillSwitchState(boolean engaged, Instant changedAt, String changedBy, String reason) {

  /** The state of a switch that was never set: released. */
  public static final KillSwitchState NEVER_SET = new KillSwitchState(false, Instant.EPOCH, "", "");

  /** Validates the fields. */
  public KillSwitchState {
    Objects.requireNonNull(changedAt, "changedAt");
    Objects.requireNonNull(changedBy, "changedBy");
    Objects.requireNonNull(reason, "reason");
  }
}
