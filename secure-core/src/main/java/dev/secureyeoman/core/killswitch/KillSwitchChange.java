package dev.secureyeoman.core.killswitch;

import java.util.Objects;

/**
 * A change about to be persisted, as handed to a {@link KillSwitchListener}.
 *
 * @param previous the state read from the file under the lock
 * @param next the state that will be written if the listener returns normally
 */
public record KillSwitchChange(KillSwitchState previous, KillSwitchState next) {
  /** Validates the fields. */
  public KillSwitchChange {
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(next, "next");
  }
}
