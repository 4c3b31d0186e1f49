package dev.secureyeoman.integrations.slack;

import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.MediaResolver;
import dev.secureyeoman.integrations.media.MediaRequest;
import dev.secureyeoman.integrations.slack.internal.SlackAdapter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates Slack adapters (integration id {@code slack}) for {@code IntegrationManager.registerBuiltIn}. Also the
 * {@link MediaResolver} for Slack attachments: it asks the adapter instance that currently runs (so it always uses the
 * current configuration's bot token).
 */
public final class SlackIntegrationFactory implements IntegrationFactory, MediaResolver {
  private final AdapterOptions options;
  private final AtomicReference<SlackAdapter> running = new AtomicReference<>();

  /** A factory with {@link AdapterOptions#defaults()}. */
  public SlackIntegrationFactory() {
    this(AdapterOptions.defaults());
  }

  /**
   * A factory whose adapters use the given options.
   *
   * @param options HTTP client, retries, limits
   */
  public SlackIntegrationFactory(AdapterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public Integration<?> create() {
    return new SlackAdapter(options, running);
  }

  /**
   * Resolves a Slack attachment ({@code url_private_download}) to a request carrying the bot token as bearer.
   *
   * @param attachment the attachment
   * @return the request
   * @throws IntegrationException if no Slack adapter runs or the reference is not a URL
   */
  @Override
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    SlackAdapter a = running.get();
    if (a == null) {
      throw new IntegrationException("slack is not running");
    }
    return a.resolve(attachment);
  }
}
