package dev.secureyeoman.integrations.adapters.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

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
  public record Reply(int status, @Nullable JsonNode json) {
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
      boolean waited = waitWhileBlocked(what);
      if ((waited || attempt > 1) && options.sendsHalted()) {
        throw new IntegrationException(platform + " " + what + " halted after a rate-limit wait: sends are paused");
      }
      HttpResponse<byte[]> response;
      CompletableFuture<HttpResponse<byte[]>> pending =
          options.httpClient().sendAsync(request.get().timeout(timeout).build(), info -> new BoundedBody());
      try {
        // HttpRequest.timeout only covers the wait for the headers: this deadline covers the body as well
        response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        pending.cancel(true);
        throw new IntegrationException(platform + " " + what + " failed: HttpTimeoutException");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IntegrationException(platform + " " + what + " failed: " + cause.getClass().getSimpleName());
      } catch (InterruptedException e) {
        pending.cancel(true);
        Thread.currentThread().interrupt();
        throw new IntegrationException(platform + " " + what + " interrupted");
      }
      byte[] body = response.body();
      if (body == BoundedBody.OVERSIZE) {
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

  /** Collects a response body of at most {@link #MAX_RESPONSE_BYTES}; a longer one is cancelled as {@link #OVERSIZE}. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    static final byte[] OVERSIZE = new byte[0];
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > MAX_RESPONSE_BYTES) {
          Flow.Subscription s = subscription;
          if (s != null) { // onSubscribe comes before any onNext (Flow contract)
            s.cancel();
          }
          result.complete(OVERSIZE);
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }

  private boolean waitWhileBlocked(String what) throws IntegrationException {
    Duration remaining = Duration.between(clock.instant(), blockedUntil.get());
    if (remaining.isNegative() || remaining.isZero()) {
      return false;
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
    return true;
  }

  /**
   * Parses a Retry-After value in (possibly fractional) seconds; HTTP dates and junk are ignored.
   *
   * @param value the header value
   * @return the delay, at least 1 ms
   */
  public static Optional<Duration> retryAfter(@Nullable String value) {
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
