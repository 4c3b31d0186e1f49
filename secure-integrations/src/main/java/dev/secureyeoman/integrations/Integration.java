package dev.secureyeoman.integrations;

/**
 * A chat-platform integration: the SPI that built-in adapters (Telegram, Discord, Slack) and plugins implement.
 *
 * <h2>Lifecycle</h2>
 *
 * <p>The host (normally {@code IntegrationManager}) drives one instance through
 * {@code init → start → (send | inbound)* → stop}. An instance is never restarted: after {@link #stop()} (or a failed
 * {@link #start()}) the host creates a fresh instance through the {@link IntegrationFactory}. Calls are made one at a
 * time per instance, except {@link #send(OutboundMessage)} and {@link #health()}, which may be called concurrently
 * while the instance runs.
 *
 * <ol>
 *   <li>{@link #init(Object, IntegrationContext)} receives the configuration <em>after</em> it was bound and validated:
 *       the object the plugin sees is exactly the validated, normalised one. It must not start threads, open sockets or
 *       call remote APIs: the host may initialise a new instance while the previous one is still running and discard it
 *       if anything fails.
 *   <li>{@link #start()} begins work (polling, connections). Schedule periodic work through
 *       {@link IntegrationContext#scheduler()}, never on threads of your own: the host cancels it on stop and can then
 *       unload the plugin's classes.
 *   <li>{@link #stop()} must release everything {@code start} acquired and return promptly; the host applies a timeout.
 * </ol>
 *
 * <p>Configuration secrets (bot tokens, signing secrets) come from the host's encrypted configuration through
 * {@link #configType()}; they are never read from the plugin jar, and must never appear in messages, logs or
 * {@code toString} (override the record's {@code toString} for fields that hold secrets).
 *
 * @param <C> the configuration type: a record (or bean) with Jakarta Bean Validation constraints
 */
public interface Integration<C> {

  /**
   * Returns the integration id, which is also the platform name in every {@link ThreadKey} and {@link UnifiedMessage}
   * of this integration: 1–63 characters of {@code [a-z0-9_-]}, starting with a letter. For a plugin it must equal the
   * descriptor's {@code id}.
   *
   * @return the id, constant for the instance
   */
  String id();

  /**
   * Returns the configuration type, bound from the host's configuration section for this integration (snake_case keys,
   * unknown keys rejected) and validated with Jakarta Bean Validation before {@link #init} is called.
   *
   * @return the type, constant for the instance
   */
  Class<C> configType();

  /**
   * Receives the validated configuration and the context. Must not start work (see the class documentation).
   *
   * @param config the validated, normalised configuration
   * @param context what the integration may use from the host
   * @throws IntegrationException if the configuration cannot be used
   */
  void init(C config, IntegrationContext context) throws IntegrationException;

  /**
   * Starts receiving and sending.
   *
   * @throws IntegrationException if the integration cannot start; the host stops and discards the instance
   */
  void start() throws IntegrationException;

  /**
   * Stops all work started by {@link #start()}; idempotent.
   *
   * @throws IntegrationException if something could not be released (the host discards the instance anyway)
   */
  void stop() throws IntegrationException;

  /**
   * Sends a message into the thread it names.
   *
   * @param message the message
   * @return the platform's id of the sent message
   * @throws IntegrationException if the platform refused or could not be reached
   */
  SendReceipt send(OutboundMessage message) throws IntegrationException;

  /**
   * Reports health cheaply (no remote call that may block for long).
   *
   * @return the current health
   */
  Health health();
}
