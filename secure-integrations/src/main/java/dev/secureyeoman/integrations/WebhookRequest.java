package dev.secureyeoman.integrations;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request that the host's web layer received for an integration's webhook (a Telegram update, a Slack event, a
 * Discord interaction), passed on unchanged so the integration can verify the platform's signature over the exact body.
 *
 * <p>Immutable. Header names are case-insensitive (stored lower-case). {@link #toString()} shows neither header values
 * nor the body: both may carry signatures, tokens or personal data.
 */
public final class WebhookRequest {

  /** Largest body accepted, in bytes (1 MiB): the host should refuse bigger requests before reading them. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final Instant receivedAt;

  private WebhookRequest(Builder b) {
    this.method = Checks.token("method", b.method, 16).toUpperCase(Locale.ROOT);
    this.path = Checks.token("path", b.path, 2048);
    Map<String, List<String>> h = new TreeMap<>();
    b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    if (b.body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("body must be at most " + MAX_BODY_BYTES + " bytes, got " + b.body.length);
    }
    this.body = b.body.clone();
    this.receivedAt = Objects.requireNonNull(b.receivedAt, "receivedAt");
  }

  /**
   * Starts a builder.
   *
   * @param method the HTTP method
   * @param path the request path below the integration's webhook prefix (e.g. {@code /} or {@code /events})
   * @return a builder
   */
  public static Builder builder(String method, String path) {
    return new Builder(method, path);
  }

  /**
   * Returns the HTTP method in upper case.
   *
   * @return the method
   */
  public String method() {
    return method;
  }

  /**
   * Returns the path below the integration's webhook prefix.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * Returns all headers (lower-case names, unmodifiable).
   *
   * @return the headers
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the header name, any case
   * @return the first value, if present
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns a copy of the raw body.
   *
   * @return the body bytes
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * Returns the body decoded as UTF-8 (malformed bytes replaced).
   *
   * @return the body text
   */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Returns when the host received the request (by the host's clock).
   *
   * @return the time
   */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** Shows method, path, header names and body size only. */
  @Override
  public String toString() {
    return "WebhookRequest[" + method + " " + path + ", headers=" + headers.keySet() + ", body=<" + body.length
        + " bytes>]";
  }

  /** Builder for {@link WebhookRequest}. */
  public static final class Builder {
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers = new TreeMap<>();
    private byte[] body = new byte[0];
    private @Nullable Instant receivedAt;

    private Builder(String method, String path) {
      this.method = method;
      this.path = path;
    }

    /**
     * Adds a header value.
     *
     * @param name the name (any case)
     * @param value the value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Checks.token("header name", name, 256);
      Objects.requireNonNull(value, "header value");
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
      return this;
    }

    /**
     * Sets the body (copied).
     *
     * @param bytes the raw body
     * @return this builder
     */
    public Builder body(byte[] bytes) {
      this.body = Objects.requireNonNull(bytes, "body").clone();
      return this;
    }

    /**
     * Sets the reception time (required).
     *
     * @param at the time
     * @return this builder
     */
    public Builder receivedAt(Instant at) {
      this.receivedAt = at;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public WebhookRequest build() {
      return new WebhookRequest(this);
    }
  }
}
