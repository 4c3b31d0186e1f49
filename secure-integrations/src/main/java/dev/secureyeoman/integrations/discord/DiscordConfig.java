package dev.secureyeoman.integrations.discord;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Configuration of the Discord adapter: section {@code integrations.discord} of the host's (encrypted) config file.
 *
 * <pre>
 * integrations:
 *   discord:
 *     bot_token: "..."                  # required; keep it in an *.enc.yaml file
 *     public_key: "e7f1...64 hex"       # required: the application's Ed25519 public key (General Information)
 *     api_base_url: https://discord.com/api/v10   # optional; plain http only to a loopback address (tests)
 * </pre>
 *
 * @param botToken the bot token, sent as {@code Authorization: Bot <token>}
 * @param publicKey the application's Ed25519 public key, 64 hex digits
 * @param apiBaseUrl the API base URL (default {@code https://discord.com/api/v10})
 */
public record DiscordConfig(
    @NotBlank @Size(max = 256) @Pattern(regexp = "[A-Za-z0-9._-]+") String botToken,
    @NotBlank @Pattern(regexp = "[0-9a-fA-F]{64}") String publicKey,
    @NotBlank @Size(max = 512) String apiBaseUrl) {

  /** Fills in the defaults. */
  public DiscordConfig {
    apiBaseUrl = apiBaseUrl == null ? "https://discord.com/api/v10" : apiBaseUrl;
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "DiscordConfig[botToken=██, publicKey=" + publicKey + ", apiBaseUrl=" + apiBaseUrl + "]";
  }
}
