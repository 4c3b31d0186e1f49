package dev.secureyeoman.examples.gateway;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A response from a route: status, content type, body and extra headers (the pipeline adds the security headers, the
 * request id, CORS and rate-limit headers to every response).
 *
 * @param status HTTP status
 * @param contentType the content type, empty for no body
 * @param body the body
 * @param headers extra headers (multi-valued {@code Set-Cookie} joined by {@code \n})
 */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
  static final String JSON = "application/json; charset=utf-8";

  /** Validates and copies. */
  public ApiResponse {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }

  /**
   * A JSON response.
   *
   * @param status the status
   * @param json the JSON text
   * @return the response
   */
  public static ApiResponse json(int status, String json) {
    return new ApiResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /**
   * An empty response.
   *
   * @param status the status (e.g. 204)
   * @return the response
   */
  public static ApiResponse empty(int status) {
    return new ApiResponse(status, "", new byte[0], Map.of());
  }

  /**
   * This response with one more header.
   *
   * @param name the name
   * @param value the value
   * @return a new response
   */
  public ApiResponse withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.merge(name, value, (a, b) -> a + "\n" + b);
    return new ApiResponse(status, contentType, body, h);
  }
}
