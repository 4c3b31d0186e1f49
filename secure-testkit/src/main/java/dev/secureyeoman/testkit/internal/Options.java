package dev.secureyeoman.testkit.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The "each option may be set once" rule of the testkit's builders, with messages naming the option. */
public final class Options {
  private Options() {}

  /**
   * Returns {@code value} if the option is still unset.
   *
   * @param <T> the option's type
   * @param current the option's current value (null when unset)
   * @param value the new value
   * @param option the option's name
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalStateException if the option was already set (the message names the earlier value)
   */
  public static <T> T once(@Nullable T current, T value, String option) {
    Objects.requireNonNull(value, option);
    if (current != null) {
      throw new IllegalStateException(option + " was already set to " + current);
    }
    return value;
  }

  /**
   * {@link #once} for a secret: the message does not show the earlier value.
   *
   * @param current the option's current value (null when unset)
   * @param value the new value
   * @param option the option's name
   * @return {@code value}
   */
  public static String onceSecret(@Nullable String current, String value, String option) {
    Objects.requireNonNull(value, option);
    if (current != null) {
      throw new IllegalStateException(option + " was already set");
    }
    return value;
  }

  /**
   * The path chosen explicitly, else the one a system property names, else the default.
   *
   * @param explicit set on the builder, or null
   * @param property a system property
   * @param fallback the default
   * @return the path to use
   */
  public static java.nio.file.Path pathOrProperty(
      java.nio.file.@Nullable Path explicit, String property, java.nio.file.Path fallback) {
    if (explicit != null) {
      return explicit;
    }
    String configured = System.getProperty(property);
    return configured == null || configured.isBlank() ? fallback : java.nio.file.Path.of(configured);
  }

  /**
   * Checks that {@code timeout} is positive.
   *
   * @param timeout a duration
   * @param option the option's name
   * @return {@code timeout}
   */
  public static java.time.Duration positive(java.time.Duration timeout, String option) {
    Objects.requireNonNull(timeout, option);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, got " + timeout);
    }
    return timeout;
  }
}
