package dev.secureyeoman.integrations.discord;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.MediaResolver;
import dev.secureyeoman.integrations.media.MediaRequest;
import dev.secureyeoman.integrations.discord.internal.DiscordAdapter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates Discord adapters (integration id {@code discord}) for {@code IntegrationManager.registerBuiltIn}. Also the
 * {@link MediaResolver} for Discord attachments: it asks the adapter instance that currently runs.
 */
public final class DiscordIntegrationFactory implements IntegrationFactory, MediaResolver {
  private final AdapterOptions options;
  private final AtomicReference<DiscordAdapter> running = new AtomicReference<>();

  /** A factory with {@link AdapterOptions#defaults()}. */
  public DiscordIntegrationFactory() {
    this(AdapterOptions.defaults());
  }

  /**
   * A factory whose adapters use the given options.
   *
   * @param options HTTP client, retries, limits
   */
  public DiscordIntegrationFactory(AdapterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public Integration<?> create() {
    return new DiscordAdapter(options, running);
  }

  /**
   * Resolves a Discord attachment (a signed CDN URL) to a download request; no token is sent.
   *
   * @param attachment the attachment
   * @return the request
   * @throws IntegrationException if no Discord adapter runs or the reference is not a URL
   */
  @Override
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    DiscordAdapter a = running.get();
    if (a == null) {
      throw new IntegrationException("discord is not running");
    }
    return a.resolve(attachment);
  }
}
