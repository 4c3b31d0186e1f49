package dev.secureyeoman.examples.gateway;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One HTTP request as the routes see it, independent of the server library.
 *
 * @param method the method
 * @param path the path (no query)
 * @param query query parameters (first value of each)
 * @param headers header lookup by case-insensitive name (first value), null when absent
 * @param cookies cookie values by name
 * @param body the body, already bounded by {@code security.http.max_body_bytes}
 * @param clientAddress the client: the socket peer, or the address a trusted proxy forwarded
 *     ({@code security.http.trusted_proxies}; {@code X-Forwarded-For} from anyone else is ignored)
 * @param secure whether the request came over TLS (to the gateway, or to a trusted proxy that says so)
 * @param requestId the id of this request
 */
public record ApiRequest(
    String method,
    String path,
    Map<String, String> query,
    Function<String, String> headers,
    Map<String, String> cookies,
    byte[] body,
    InetAddress clientAddress,
    boolean secure,
    String requestId) {

  /** Validates the fields. */
  public ApiRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    query = Map.copyOf(query);
    Objects.requireNonNull(headers, "headers");
    cookies = Map.copyOf(cookies);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(requestId, "requestId");
  }

  /**
   * A header value.
   *
   * @param name the header name
   * @return the first value, if present
   */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.apply(name));
  }

  /**
   * Whether a browser sent this request from page script or navigation: Fetch Metadata ({@code Sec-Fetch-Mode}) is a
   * forbidden header that page script can neither set nor remove, and every current browser sends it.
   *
   * @return true for browser requests
   */
  public boolean fromBrowser() {
    return header("Sec-Fetch-Mode").isPresent();
  }

}
