package dev.secureyeoman.integrations;

import java.util.Objects;

/**
 * The health an integration reports.
 *
 * @param status the status
 * @param detail a short human-readable detail without secrets, at most 512 characters (may be empty)
 */
public record Health(Status status, String detail) {

  /** Health states. */
  public enum Status {
    /** Working. */
    UP,
    /** Working with problems (retrying, rate-limited). */
    DEGRADED,
    /** Not working. */
    DOWN
  }

  /** Validates the fields. */
  public Health {
    Objects.requireNonNull(status, "status");
    detail = Checks.display(Objects.requireNonNull(detail, "detail"), 512);
  }

  /**
   * Healthy.
   *
   * @param detail short detail
   * @return {@link Status#UP}
   */
  public static Health up(String detail) {
    return new Health(Status.UP, detail);
  }

  /**
   * Degraded.
   *
   * @param detail what is wrong
   * @return {@link Status#DEGRADED}
   */
  public static Health degraded(String detail) {
    return new Health(Status.DEGRADED, detail);
  }

  /**
   * Down.
   *
   * @param detail what is wrong
   * @return {@link Status#DOWN}
   */
  public static Health down(String detail) {
    return new Health(Status.DOWN, detail);
  }
}
