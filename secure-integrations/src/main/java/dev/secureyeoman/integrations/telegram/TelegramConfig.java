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
 * </pre>
 *
 * @param botToken the bot token from BotFather; it is part of every API URL, so URLs are never logged
 * @param mode {@code webhook} or {@code polling}
 * @param webhookSecret the secret token Telegram echoes in {@code X-Telegram-Bot-Api-Secret-Token} (webhook mode)
 * @param apiBaseUrl the Bot API base URL (default {@code https://api.telegram.org})
 * @param pollInterval delay between two {@code getUpdates} calls
 * @param pollTimeoutSeconds the {@code timeout} of {@code getUpdates}
 */
public record TelegramConfig(
    @NotBlank @Size(max = 256) @Pattern(regexp = "[0-9]{1,20}:[A-Za-z0-9_-]{1,200}") String botToken,
    @NotBlank @Pattern(regexp = "webhook|polling") String mode,
    @Size(max = 256) @Pattern(regexp = "|[A-Za-z0-9_-]{16,256}") String webhookSecret,
    @NotBlank @Size(max = 512) String apiBaseUrl,
    @NotNull @DurationRange(min = "PT0.1S", max = "PT1M") Duration pollInterval,
    @NotNull @Min(0) @Max(50) Integer pollTimeoutSeconds) {

  /** Fills in the defaults. */
  public TelegramConfig {
    mode = mode == null ? "webhook" : mode;
    webhookSecret = webhookSecret == null ? "" : webhookSecret;
    apiBaseUrl = apiBaseUrl == null ? "https://api.telegram.org" : apiBaseUrl;
    pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    pollTimeoutSeconds = pollTimeoutSeconds == null ? 25 : pollTimeoutSeconds;
  }

  /**
   * A webhook-mode configuration with the other defaults.
   *
   * @param botToken the bot token
   * @param webhookSecret the secret token
   * @param apiBaseUrl the API base URL
   * @return the configuration
   */
  public static TelegramConfig webhook(String botToken, String webhookSecret, String apiBaseUrl) {
    return new TelegramConfig(botToken, "webhook", webhookSecret, apiBaseUrl, null, null);
  }

  /** Never shows the token or the secret. */
  @Override
  public String toString() {
    return "TelegramConfig[botToken=██, mode=" + mode + ", webhookSecret=" + (webhookSecret.isEmpty() ? "none" : "██")
        + ", apiBaseUrl=" + apiBaseUrl + ", pollInterval=" + pollInterval + ", pollTimeoutSeconds="
        + pollTimeoutSeconds + "]";
  }
}
