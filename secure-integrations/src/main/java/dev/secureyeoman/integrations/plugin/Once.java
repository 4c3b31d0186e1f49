package dev.secureyeoman.integrations.plugin;

import org.jspecify.annotations.Nullable;

/** The builders' rule: every option is set at most once and never to null. */
final class Once {
  private Once() {}

  /**
   * Returns {@code value} if the option was not set yet.
   *
   * @throws IllegalArgumentException if {@code value} is null
   * @throws IllegalStateException naming the option and the earlier value if it was already set
   */
  static <V> V set(String name, @Nullable V current, V value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (current != null) {
      throw new IllegalStateException(name + " was already set to " + current);
    }
    return value;
  }
}
