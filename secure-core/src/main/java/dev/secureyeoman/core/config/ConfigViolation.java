package dev.secureyeoman.core.config;

/**
 * One problem in a configuration document.
 *
 * @param path the YAML path in snake_case, e.g. {@code security.audit.retention_days} or
 *     {@code security.http.cors.allowed_origins[0]}
 * @param message what is wrong, e.g. {@code must be greater than 0}; never the offending value
 */
public record ConfigViolation(String path, String message) implements Comparable<ConfigViolation> {

  /**
   * Formats as {@code path: message}.
   *
   * @return the line
   */
  @Override
  public String toString() {
    return path + ": " + message;
  }

  @Override
  public int compareTo(ConfigViolation o) {
    int c = path.compareTo(o.path);
    return c != 0 ? c : message.compareTo(o.message);
  }
}
