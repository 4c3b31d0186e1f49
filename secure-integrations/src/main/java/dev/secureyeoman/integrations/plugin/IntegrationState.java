package dev.secureyeoman.integrations.plugin;

/** Where a registered integration is in its lifecycle. */
public enum IntegrationState {
  /** Registered: configuration validated and {@code init} done, not started. */
  INITIALIZED,
  /** {@code start} is running; inbound messages are already accepted. */
  STARTING,
  /** Started and serving. */
  RUNNING,
  /** Stopped by the host; {@code start} creates a fresh instance with the current configuration. */
  STOPPED,
  /** {@code start} failed or timed out; {@code start} may be retried (fresh instance). */
  FAILED
}
