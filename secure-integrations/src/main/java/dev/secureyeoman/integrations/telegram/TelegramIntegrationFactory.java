package dev.secureyeoman.integrations.telegram;

import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.IntegrationFactory;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.MediaResolver;
import dev.secureyeoman.integrations.media.MediaRequest;
import dev.secureyeoman.integrations.telegram.internal.TelegramAdapter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Creates Telegram adapters (integration id {@code telegram}) for {@code IntegrationManager.registerBuiltIn}. Also the
 * {@link MediaResolver} for Telegram attachments: it asks the adapter instance that currently runs (so it always uses the
 * current configuration's bot token, which is part of Telegram's file URLs).
 */
public final class TelegramIntegrationFactory implements IntegrationFactory, MediaResolver {
  private final AdapterOptions options;
  private final @Nullable SecretStore stateSealer;
  private final AtomicReference<TelegramAdapter> running = new AtomicReference<>();

  /** A factory with {@link AdapterOptions#defaults()}. */
  public TelegramIntegrationFactory() {
    this(AdapterOptions.defaults());
  }

  /**
   * A factory whose adapters use the given options.
   *
   * @param options HTTP client, retries, limits
   */
  public TelegramIntegrationFactory(AdapterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.stateSealer = null;
  }

  /**
   * A factory whose adapters may persist their polling offset ({@link TelegramConfig#stateFile()}), sealed with the
   * host's {@link SecretStore} (as the SQLite conversation store seals message bodies).
   *
   * @param options HTTP client, retries, limits
   * @param stateSealer seals and opens the state file (for example {@code SecretStores.withKey(key)})
   */
  public TelegramIntegrationFactory(AdapterOptions options, SecretStore stateSealer) {
    this.options = Objects.requireNonNull(options, "options");
    this.stateSealer = Objects.requireNonNull(stateSealer, "stateSealer");
  }

  @Override
  public Integration<?> create() {
    return new TelegramAdapter(options, running, stateSealer);
  }

  /**
   * Resolves a Telegram attachment ({@code file_id}) with {@code getFile} to the file's download URL.
   *
   * @param attachment the attachment
   * @return the request
   * @throws IntegrationException if no Telegram adapter runs or {@code getFile} failed
   */
  @Override
  public MediaRequest resolve(MessageAttachment attachment) throws IntegrationException {
    TelegramAdapter a = running.get();
    if (a == null) {
      throw new IntegrationException("telegram is not running");
    }
    return a.resolve(attachment);
  }
}
