package dev.secureyeoman.integrations;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer to a {@link WebhookRequest}, which the host's web layer writes back unchanged.
 *
 * @param status the HTTP status, 100–599
 * @param contentType the media type of the body (e.g. {@code application/json}), or empty for no body
 * @param body the body bytes (copied on the way in and out)
 */
public record WebhookResponse(int status, String contentType, byte[] body) {

  /** Validates the fields and copies the body. */
  public WebhookResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599], got " + status);
    }
    Checks.text("contentType", contentType, 256);
    body = Objects.requireNonNull(body, "body").clone();
  }

  /**
   * A response without a body.
   *
   * @param status the HTTP status
   * @return the response
   */
  public static WebhookResponse status(int status) {
    return new WebhookResponse(status, "", new byte[0]);
  }

  /**
   * A JSON response.
   *
   * @param status the HTTP status
   * @param json the JSON text
   * @return the response
   */
  public static WebhookResponse json(int status, String json) {
    return new WebhookResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns a copy of the body.
   *
   * @return the body bytes
   */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /**
   * Compares status, type and body content.
   *
   * @param o the other object
   * @return whether both responses are the same
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookResponse r && r.status == status && r.contentType.equals(contentType)
        && java.util.Arrays.equals(r.body, body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * status + contentType.hashCode()) + java.util.Arrays.hashCode(body);
  }

  /** Shows status, type and body size only. */
  @Override
  public String toString() {
    return "WebhookResponse[" + status + ", " + (contentType.isEmpty() ? "no body" : contentType) + ", <"
        + body.length + " bytes>]";
  }
}
