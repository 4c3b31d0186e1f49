package dev.secureyeoman.sandbox;

import java.util.Objects;

/**
 * One limit the kernel enforced for a run, and how.
 *
 * @param limit the resource
 * @param value the limit in the resource's unit (bytes, processes, seconds, millicores)
 * @param enforcement the mechanism that enforced it
 */
public record AppliedLimit(ResourceLimit limit, long value, LimitEnforcement enforcement) {
  /**
   * Validates the components.
   *
   * @param limit the resource
   * @param value the limit
   * @param enforcement the mechanism
   */
  public AppliedLimit {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(enforcement, "enforcement");
  }
}
