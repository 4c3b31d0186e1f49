package dev.secureyeoman.core.config;

import dev.secureyeoman.core.SecureYeomanException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file could not be loaded: unreadable, not decryptable, not valid YAML, or not valid against the
 * schema. {@link #violations()} lists every problem found with its YAML path; the message lists them too, one
 * {@code path: message} per line after a summary line. Messages never contain configuration values.
 */
public final class ConfigException extends SecureYeomanException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigViolation> violations;

  /**
   * Creates an exception for a file-level failure (read, decrypt, parse).
   *
   * @param message what failed, naming the file and key source where relevant
   */
  public ConfigException(String message) {
    super(message);
    this.violations = List.of();
  }

  /**
   * Creates an exception for a file-level failure with a cause.
   *
   * @param message what failed
   * @param cause the underlying failure
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.violations = List.of();
  }

  /**
   * Creates an exception listing schema violations.
   *
   * @param source the file or document name
   * @param violations every violation found, at least one
   */
  public ConfigException(String source, List<ConfigViolation> violations) {
    super(summary(source, violations));
    this.violations = List.copyOf(violations);
  }

  /**
   * Returns the schema violations (empty for file-level failures).
   *
   * @return the violations, sorted by path
   */
  public List<ConfigViolation> violations() {
    return violations == null ? List.of() : violations;
  }

  private static String summary(String source, List<ConfigViolation> violations) {
    if (violations == null || violations.isEmpty()) {
      throw new IllegalArgumentException("violations must not be empty");
    }
    return source + ": " + violations.size() + (violations.size() == 1 ? " violation" : " violations") + "\n"
        + violations.stream().map(ConfigViolation::toString).collect(Collectors.joining("\n"));
  }
}
