package dev.secureyeoman.integrations.telegram;

import dev.secureyeoman.core.config.DurationRange;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/**
 * Configuration of the Telegram adapter: section {@code integrations.telegram} of the host's (encrypted) config file.
 *
 * <pre>
 * integrations:
 *   telegram:
 *     bot_token: "123456:ABC..."        # required; keep it in an *.enc.yaml file
 *     mode: webhook                     # webhook (default) | polling
 *     webhook_secret: "..."             # required for webhook: 16-256 of [A-Za-z0-9_-], given to setWebhook as secret_token
 *     api_base_url: https://api.telegram.org   # optional; plain http only to a loopback address (tests)
 *     poll_interval: PT1S               # polling: pause between getUpdates calls, PT0.1S..PT1M
 *     poll_timeout_seconds: 25          # polling: long-poll timeout, 0..50
 *     state_file: /var/lib/app/telegram.offset   # polling, optional: sealed offset file (see below)
 * </pre>
 *
 * <p>{@code state_file} (polling mode only): the {@code getUpdates} offset is sealed with the {@code SecretStore} given to
 * {@link TelegramIntegrationFactory#TelegramIntegrationFactory(dev.secureyeoman.integrations.adapters.AdapterOptions,
 * dev.secureyeoman.core.crypto.SecretStore)} (associated data binds it to the integration id and the bot id), written
 * atomically (mode {@code 0600}) after each processed batch and loaded at start, so a restarted adapter continues after
 * the last processed update. A tampered or foreign file stops the start with a {@link TelegramStateException}; it is
 * never silently reset. Without {@code state_file} the offset lives in memory only: after a restart the last batch
 * (not yet confirmed to Telegram) is fetched and handed on again.
 *
 * @param botToken the bot token from BotFather; it is part of every API URL, so URLs are never logged
 * @param mode {@code webhook} or {@code polling}
 * @param webhookSecret the secret token Telegram echoes in {@code X-Telegram-Bot-Api-Secret-Token} (webhook mode)
 * @param apiBaseUrl the Bot API base URL (default {@code https://api.telegram.org})
 * @param pollInterval delay between two {@code getUpdates} calls
 * @param pollTimeoutSeconds the {@code timeout} of {@code getUpdates}
 * @param stateFile path of the sealed offset file (polling), empty for none (offset in memory only)
 */
public record TelegramConfig(
    @NotBlank @Size(max = 256) @Pattern(regexp = "[0-9]{1,20}:[A-Za-z0-9_-]{1,200}") String botToken,
    @NotBlank @Pattern(regexp = "webhook|polling") String mode,
    @Size(max = 256) @Pattern(regexp = "|[A-Za-z0-9_-]{16,256}") String webhookSecret,
    @NotBlank @Size(max = 512) String apiBaseUrl,
    @NotNull @DurationRange(min = "PT0.1S", max = "PT1M") Duration pollInterval,
    @NotNull @Min(0) @Max(50) Integer pollTimeoutSeconds,
    @Size(max = 4096) String stateFile) {

  /** Fills in the defaults. */
  public TelegramConfig {
    mode = mode == null ? "webhook" : mode;
    webhookSecret = webhookSecret == null ? "" : webhookSecret;
    apiBaseUrl = apiBaseUrl == null ? "https://api.telegram.org" : apiBaseUrl;
    pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    pollTimeoutSeconds = pollTimeoutSeconds == null ? 25 : pollTimeoutSeconds;
    stateFile = stateFile == null ? "" : stateFile;
  }

  /**
   * A configuration without a state file (offset in memory only).
   *
   * @param botToken the bot token
   * @param mode {@code webhook} or {@code polling}
   * @param webhookSecret the secret token (webhook mode)
   * @param apiBaseUrl the API base URL
   * @param pollInterval delay between two {@code getUpdates} calls
   * @param pollTimeoutSeconds the {@code timeout} of {@code getUpdates}
   */
  @SuppressWarnings("NullAway") // the canonical constructor replaces a null stateFile with its default ("")
  public TelegramConfig(String botToken, String mode, String webhookSecret, String apiBaseUrl, Duration pollInterval,
      Integer pollTimeoutSeconds) {
    this(botToken, mode, webhookSecret, apiBaseUrl, pollInterval, pollTimeoutSeconds, null);
  }

  /**
   * A webhook-mode configuration with the other defaults.
   *
   * @param botToken the bot token
   * @param webhookSecret the secret token
   * @param apiBaseUrl the API base URL
   * @return the configuration
   */
  @SuppressWarnings("NullAway") // the canonical constructor replaces the null poll settings with their defaults
  public static TelegramConfig webhook(String botToken, String webhookSecret, String apiBaseUrl) {
    return new TelegramConfig(botToken, "webhook", webhookSecret, apiBaseUrl, null, null, null);
  }

  /** Never shows the token or the secret. */
  @Override
  public String toString() {
    return "TelegramConfig[botToken=██, mode=" + mode + ", webhookSecret=" + (webhookSecret.isEmpty() ? "none" : "██")
        + ", apiBaseUrl=" + apiBaseUrl + ", pollInterval=" + pollInterval + ", pollTimeoutSeconds="
        + pollTimeoutSeconds + ", stateFile=" + (stateFile.isEmpty() ? "none" : stateFile) + "]";
  }
}
