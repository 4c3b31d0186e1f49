package dev.secureyeoman.integrations.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link HotReloader} did with one jar.
 *
 * @param kind what happened
 * @param fileName the jar's file name
 * @param integrationId the integration concerned, when known
 * @param version the plugin version now serving (for {@link Kind#LOADED} and {@link Kind#RELOADED}) or the rejected
 *     one, when known
 * @param error why a jar was rejected or could not be started
 */
public record ReloadEvent(
    Kind kind, String fileName, Optional<String> integrationId, Optional<String> version,
    Optional<PluginException> error) {

  /** Kinds of reload events. */
  public enum Kind {
    /** A new jar was loaded, registered and started. */
    LOADED,
    /** A changed jar replaced the running version, which was stopped and unloaded. */
    RELOADED,
    /** A deleted jar's integration was stopped and unloaded. */
    UNLOADED,
    /** A new or changed jar was refused; whatever ran before keeps running. */
    REJECTED
  }

  /** Checks for nulls and that {@link Kind#REJECTED} carries an error. */
  public ReloadEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(integrationId, "integrationId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(error, "error");
    if ((kind == Kind.REJECTED) != error.isPresent()) {
      throw new IllegalArgumentException("an error is present exactly for REJECTED events");
    }
  }
}
