package dev.secureyeoman.integrations.adapters.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls a platform's HTTP API with the JDK client: bounded responses (1 MiB), JSON parsed with tight limits, and HTTP 429
 * honoured — the Retry-After (header, or the platform's JSON field) is waited out through the injected sleeper when it
 * is within {@link AdapterOptions#maxRetryWait()}, and every call waits while the platform's block lasts.
 *
 * <p>Exception messages name the platform and the API method, never the URL (Telegram's carries the bot token), a
 * header or a body.
 */
public final class PlatformHttp {
  /** Largest API response read. */
  public static final int MAX_RESPONSE_BYTES = 1 << 20;

  /** An API answer. */
  public record Reply(int status, JsonNode json) {
    /**
     * Whether the status is 2xx.
     *
     * @return true for success statuses
     */
    public boolean success() {
      return status >= 200 && status < 300;
    }
  }

  private final String platform;
  private final AdapterOptions options;
  private final Clock clock;
  private final Function<JsonNode, Optional<Duration>> bodyRetryAfter;
  private final AtomicReference<Instant> blockedUntil = new AtomicReference<>(Instant.MIN);
  private final AtomicLong rateLimited = new AtomicLong();

  /**
   * Creates the caller.
   *
   * @param platform the platform id (for messages)
   * @param options the options
   * @param clock the clock
   * @param bodyRetryAfter reads a retry delay from a 429 JSON body (Telegram {@code parameters.retry_after}, Discord
   *     {@code retry_after}) when there is no Retry-After header
   */
  public PlatformHttp(
      String platform, AdapterOptions options, Clock clock, Function<JsonNode, Optional<Duration>> bodyRetryAfter) {
    this.platform = platform;
    this.options = options;
    this.clock = clock;
    this.bodyRetryAfter = bodyRetryAfter;
  }

  /**
   * Returns how many 429 answers were received.
   *
   * @return the count
   */
  public long rateLimitedCount() {
    return rateLimited.get();
  }

  /**
   * Whether the platform asked us to wait and the wait has not passed.
   *
   * @return true while blocked
   */
  public boolean blocked() {
    return clock.instant().isBefore(blockedUntil.get());
  }

  /**
   * Calls the API.
   *
   * @param what the API method, for messages (e.g. {@code sendMessage})
   * @param request makes a fresh request builder for each attempt
   * @return the answer (any status but 429)
   * @throws IntegrationException on I/O failure, an oversized answer, or a 429 that cannot be waited out
   */
  public Reply call(String what, Supplier<HttpRequest.Builder> request) throws IntegrationException {
    return call(what, request, options.requestTimeout());
  }

  /**
   * Calls the API with a specific request timeout (long polling).
   *
   * @param what the API method, for messages
   * @param request makes a fresh request builder for each attempt
   * @param timeout the request timeout
   * @return the answer (any status but 429)
   * @throws IntegrationException on I/O failure, an oversized answer, or a 429 that cannot be waited out
   */
  public Reply call(String what, Supplier<HttpRequest.Builder> request, Duration timeout) throws IntegrationException {
    for (int attempt = 1; ; attempt++) {
      waitWhileBlocked(what);
      HttpResponse<InputStream> response;
      byte[] body;
      try {
        response =
            options.httpClient().send(request.get().timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
          body = in.readNBytes(MAX_RESPONSE_BYTES + 1);
        }
      } catch (IOException e) {
        throw new IntegrationException(platform + " " + what + " failed: " + e.getClass().getSimpleName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IntegrationException(platform + " " + what + " interrupted");
      }
      if (body.length > MAX_RESPONSE_BYTES) {
        throw new IntegrationException(platform + " " + what + " answer exceeds " + MAX_RESPONSE_BYTES + " bytes");
      }
      JsonNode json = Webhooks.parseObject(body).orElse(null);
      if (response.statusCode() != 429) {
        return new Reply(response.statusCode(), json);
      }
      rateLimited.incrementAndGet();
      Duration wait =
          retryAfter(response.headers().firstValue("retry-after").orElse(null))
              .or(() -> json == null ? Optional.empty() : bodyRetryAfter.apply(json))
              .orElse(Duration.ofSeconds(1));
      Instant until = clock.instant().plus(wait);
      blockedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
      if (attempt >= options.maxAttempts() || wait.compareTo(options.maxRetryWait()) > 0) {
        throw new IntegrationException(platform + " " + what + ": rate limited (HTTP 429, retry after "
            + Math.max(1, wait.toSeconds()) + " s)");
      }
    }
  }

  private void waitWhileBlocked(String what) throws IntegrationException {
    Duration remaining = Duration.between(clock.instant(), blockedUntil.get());
    if (remaining.isNegative() || remaining.isZero()) {
      return;
    }
    if (remaining.compareTo(options.maxRetryWait()) > 0) {
      throw new IntegrationException(platform + " " + what + ": rate limited for another "
          + Math.max(1, remaining.toSeconds()) + " s");
    }
    try {
      options.sleeper().sleep(remaining);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IntegrationException(platform + " " + what + " interrupted while rate limited");
    }
    // a sleeper that returns early (tests) moves on: the platform will answer 429 again if it still blocks
    blockedUntil.set(Instant.MIN);
  }

  /**
   * Parses a Retry-After value in (possibly fractional) seconds; HTTP dates and junk are ignored.
   *
   * @param value the header value
   * @return the delay, at least 1 ms
   */
  public static Optional<Duration> retryAfter(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      double seconds = Double.parseDouble(value.strip());
      if (!(seconds >= 0) || seconds > 86_400) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis(Math.max(1, (long) Math.ceil(seconds * 1000))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * A JSON POST request builder.
   *
   * @param uri the URI
   * @param json the body
   * @return the builder
   */
  public static HttpRequest.Builder postJson(java.net.URI uri, JsonNode json) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(json.toString()));
  }
}
