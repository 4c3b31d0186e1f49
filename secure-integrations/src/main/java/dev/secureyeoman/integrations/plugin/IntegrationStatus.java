package dev.secureyeoman.integrations.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one registered integration.
 *
 * @param id the integration id
 * @param builtIn whether it was registered as a built-in (not from a plugin jar)
 * @param version the plugin version, for plugins
 * @param fileName the plugin jar's file name, for plugins
 * @param sha256 the plugin jar's sha256, for plugins
 * @param state the lifecycle state
 * @param lastError the last failure (reason and detail, no secrets), if any since registration
 */
public record IntegrationStatus(
    String id,
    boolean builtIn,
    Optional<String> version,
    Optional<String> fileName,
    Optional<String> sha256,
    IntegrationState state,
    Optional<String> lastError) {

  /** Checks for nulls. */
  public IntegrationStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastError, "lastError");
  }
}
