package com.example.echo;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Configuration of the echo plugin: section {@code integrations.echo} of the host's (encrypted) config file.
 *
 * <pre>
 * integrations:
 *   echo:
 *     prefix: "echo: "          # optional, default "echo: "
 *     max_length: 280           # optional, 1-4096, default 280
 *     webhook_secret: "..."     # required, at least 16 characters; keep it in an *.enc.yaml file
 * </pre>
 *
 * <p>The compact constructor fills defaults; the host validates the result before the plugin sees it.
 *
 * @param prefix text put before every echoed message
 * @param maxLength longest reply, in characters
 * @param webhookSecret shared secret that webhook callers present in {@code X-Echo-Secret}
 */
public record EchoConfig(
    @Size(max = 32) String prefix,
    @Min(1) @Max(4096) Integer maxLength,
    @NotBlank @Size(min = 16) String webhookSecret) {

  /** Fills in the defaults. */
  public EchoConfig {
    prefix = prefix == null ? "echo: " : prefix;
    maxLength = maxLength == null ? 280 : maxLength;
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "EchoConfig[prefix=" + prefix + ", maxLength=" + maxLength + ", webhookSecret=██]";
  }
}
