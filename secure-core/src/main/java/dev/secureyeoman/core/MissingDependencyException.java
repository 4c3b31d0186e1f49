package dev.secureyeoman.core;

import java.util.List;

/**
 * A feature was used whose third-party library is not on the class path (or, on the module path, not resolved).
 *
 * <p>secure-core declares the libraries of some features {@code <optional>}, so that a host that needs only the
 * envelope, the runner or the audit log does not pull them: YAML configuration ({@code EncryptedConfigLoader}:
 * SnakeYAML, Jackson databind and jsr310, Hibernate Validator), Argon2id passphrase keys and password hashes (Bouncy
 * Castle) and the kill switch's state file (Jackson databind). Using such a feature without its libraries fails with
 * this exception, naming the Maven coordinates to add, instead of a {@link NoClassDefFoundError} from deep inside.
 *
 * <p>Unchecked: it is a deployment error to fix in the host's build, not an outcome to handle at run time. Loaders that
 * already throw a checked exception (such as {@code ConfigException}) wrap it as their cause.
 */
public final class MissingDependencyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String feature;
  private final transient List<String> artifacts;

  /**
   * Creates the exception.
   *
   * @param feature what the caller tried to use, e.g. {@code "YAML configuration (EncryptedConfigLoader)"}
   * @param artifacts the missing libraries as {@code groupId:artifactId}, at least one
   * @param detail how to fix it (class path vs module path), appended to the message
   */
  public MissingDependencyException(String feature, List<String> artifacts, String detail) {
    super(message(feature, artifacts, detail));
    this.feature = feature;
    this.artifacts = List.copyOf(artifacts);
  }

  /**
   * Returns the feature that needs the libraries.
   *
   * @return the feature's name
   */
  public String feature() {
    return feature;
  }

  /**
   * Returns the missing libraries.
   *
   * @return {@code groupId:artifactId} of each, in a fixed order
   */
  public List<String> artifacts() {
    return artifacts == null ? List.of() : artifacts;
  }

  private static String message(String feature, List<String> artifacts, String detail) {
    if (feature == null || artifacts == null || artifacts.isEmpty()) {
      throw new IllegalArgumentException("feature and at least one artifact are required");
    }
    String what = artifacts.size() == 1 ? " (an optional dependency" : " (optional dependencies";
    return feature + " needs " + String.join(", ", artifacts) + what + " of secure-core): " + detail;
  }
}
