package dev.secureyeoman.integrations;

import java.util.Objects;
import java.util.Optional;

/** Validation and normalisation shared by the message value types. */
final class Checks {
  private Checks() {}

  /**
   * Requires 1..max characters without control characters (identifiers chosen by a platform or the SDK).
   *
   * @throws IllegalArgumentException naming the field and the bound
   */
  static String token(String name, String value, int max) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty() || value.length() > max) {
      throw new IllegalArgumentException(name + " must be 1-" + max + " characters, got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
    return value;
  }

  /** Like {@link #token} for an optional value. */
  static Optional<String> optionalToken(String name, Optional<String> value, int max) {
    Objects.requireNonNull(value, name);
    value.ifPresent(v -> token(name, v, max));
    return value;
  }

  /** Requires at most {@code max} characters (text may be empty and may contain line breaks). */
  static String text(String name, String value, int max) {
    Objects.requireNonNull(value, name);
    if (value.length() > max) {
      throw new IllegalArgumentException(name + " must be at most " + max + " characters, got " + value.length());
    }
    return value;
  }

  /**
   * Normalises text received from a remote platform for display-only use: control characters become U+FFFD and the
   * result is cut to {@code max} characters. Never used for identifiers.
   */
  static String display(String value, int max) {
    StringBuilder sb = new StringBuilder(Math.min(value.length(), max));
    for (int i = 0; i < value.length() && sb.length() < max; i++) {
      char c = value.charAt(i);
      sb.append(Character.isISOControl(c) ? '\uFFFD' : c);
    }
    return sb.toString();
  }
}
