package dev.secureyeoman.integrations.slack;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Configuration of the Slack adapter: section {@code integrations.slack} of the host's (encrypted) config file.
 *
 * <pre>
 * integrations:
 *   slack:
 *     bot_token: "xoxb-..."            # required; keep it in an *.enc.yaml file
 *     signing_secret: "..."            # required, 16-256 characters (App credentials → Signing Secret)
 *     bot_user_id: "U0123ABCD"         # optional: messages from this user are not handed on
 *     api_base_url: https://slack.com/api   # optional; plain http only to a loopback address (tests)
 * </pre>
 *
 * @param botToken the bot token ({@code xoxb-…}), sent as bearer to the Web API and to {@code files.slack.com}
 * @param signingSecret the app's signing secret, key of the request-signature HMAC
 * @param botUserId the bot's own user id, if known
 * @param apiBaseUrl the Web API base URL (default {@code https://slack.com/api})
 */
public record SlackConfig(
    @NotBlank @Size(max = 512) @Pattern(regexp = "[\\x21-\\x7e]+") String botToken,
    @NotBlank @Size(min = 16, max = 256) String signingSecret,
    @Size(max = 64) @Pattern(regexp = "[A-Z0-9]*") String botUserId,
    @NotBlank @Size(max = 512) String apiBaseUrl) {

  /** Fills in the defaults. */
  public SlackConfig {
    apiBaseUrl = apiBaseUrl == null ? "https://slack.com/api" : apiBaseUrl;
    botUserId = botUserId == null ? "" : botUserId;
  }

  /** Never shows the token or the secret. */
  @Override
  public String toString() {
    return "SlackConfig[botToken=██, signingSecret=██, botUserId=" + botUserId + ", apiBaseUrl=" + apiBaseUrl + "]";
  }
}
