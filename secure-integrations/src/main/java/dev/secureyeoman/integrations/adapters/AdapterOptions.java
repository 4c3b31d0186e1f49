package dev.secureyeoman.integrations.adapters;

import dev.secureyeoman.core.config.SecurityConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Host-side options shared by the built-in adapters: the HTTP client, how 429 answers are retried, webhook limits and
 * the sleeper (injected so tests never sleep). Immutable; build with {@link #builder()} or {@link #builder(SecurityConfig.Integrations.Adapters)}.
 *
 * <p>Defaults: {@value #DEFAULT_MAX_WEBHOOK_BODY_BYTES} bytes of webhook body, signatures older than 5 minutes refused,
 * 3 attempts per API call, a 429 whose Retry-After exceeds 30 s fails at once, 10 s connect / 30 s request timeout, at
 * most 16 parts per split message.
 */
public final class AdapterOptions {

  /** Default largest webhook body (256 KiB): platforms' events are a few KiB. */
  public static final int DEFAULT_MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

  /** Waits for a duration; the default is {@link Thread#sleep(long)}, tests record the waits instead. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Waits.
     *
     * @param duration how long
     * @throws InterruptedException if interrupted
     */
    void sleep(Duration duration) throws InterruptedException;
  }

  private final HttpClient httpClient;
  private final Sleeper sleeper;
  private final int maxWebhookBodyBytes;
  private final Duration signatureMaxAge;
  private final int maxAttempts;
  private final Duration maxRetryWait;
  private final Duration requestTimeout;
  private final int maxParts;
  private final BooleanSupplier sendsHalted;

  private AdapterOptions(Builder b) {
    this.sleeper = b.sleeper == null ? d -> Thread.sleep(d.toMillis()) : b.sleeper;
    this.sendsHalted = b.sendsHalted == null ? () -> false : b.sendsHalted;
    this.maxWebhookBodyBytes = b.maxWebhookBodyBytes == null ? DEFAULT_MAX_WEBHOOK_BODY_BYTES : b.maxWebhookBodyBytes;
    this.signatureMaxAge = b.signatureMaxAge == null ? Duration.ofMinutes(5) : b.signatureMaxAge;
    this.maxAttempts = b.maxAttempts == null ? 3 : b.maxAttempts;
    this.maxRetryWait = b.maxRetryWait == null ? Duration.ofSeconds(30) : b.maxRetryWait;
    this.requestTimeout = b.requestTimeout == null ? Duration.ofSeconds(30) : b.requestTimeout;
    this.maxParts = b.maxParts == null ? 16 : b.maxParts;
    this.httpClient =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
  }

  /**
   * A builder with every default.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The defaults.
   *
   * @return options with every default
   */
  public static AdapterOptions defaults() {
    return builder().build();
  }

  /**
   * A builder preset from {@code security.integrations.adapters}.
   *
   * @param config the bound, validated section
   * @return the builder (HTTP client and sleeper still settable)
   */
  public static Builder builder(SecurityConfig.Integrations.Adapters config) {
    Objects.requireNonNull(config, "config");
    return builder()
        .maxWebhookBodyBytes(config.webhookMaxBodyBytes())
        .signatureMaxAge(config.signatureMaxAge())
        .maxAttempts(config.sendMaxAttempts())
        .maxRetryWait(config.maxRetryWait());
  }

  /**
   * Returns the HTTP client for platform API calls (redirects are not followed).
   *
   * @return the client
   */
  public HttpClient httpClient() {
    return httpClient;
  }

  /**
   * Returns the sleeper used to honour Retry-After.
   *
   * @return the sleeper
   */
  public Sleeper sleeper() {
    return sleeper;
  }

  /**
   * Returns the largest webhook body accepted; larger ones get 413 before any parsing.
   *
   * @return bytes
   */
  public int maxWebhookBodyBytes() {
    return maxWebhookBodyBytes;
  }

  /**
   * Returns how old (or how far in the future) a signed timestamp may be (Slack, Discord).
   *
   * @return the window
   */
  public Duration signatureMaxAge() {
    return signatureMaxAge;
  }

  /**
   * Returns how many times one API call is tried when the platform answers 429.
   *
   * @return attempts, at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns the longest Retry-After the adapter waits for; longer ones fail the call at once.
   *
   * @return the bound
   */
  public Duration maxRetryWait() {
    return maxRetryWait;
  }

  /**
   * Returns the timeout of one API request.
   *
   * @return the timeout
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Returns the most messages one outbound text may be split into; longer texts are refused.
   *
   * @return parts
   */
  public int maxParts() {
    return maxParts;
  }

  /**
   * Whether outbound calls must stop now (see {@link Builder#haltSendsWhile}): checked before each part of a split
   * message and before a call is retried after a rate-limit wait.
   *
   * @return true while sends are halted
   */
  public boolean sendsHalted() {
    return sendsHalted.getAsBoolean();
  }

  @Override
  public String toString() {
    return "AdapterOptions[maxWebhookBodyBytes=" + maxWebhookBodyBytes + ", signatureMaxAge=" + signatureMaxAge
        + ", maxAttempts=" + maxAttempts + ", maxRetryWait=" + maxRetryWait + ", requestTimeout=" + requestTimeout
        + ", maxParts=" + maxParts + "]";
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private @Nullable HttpClient httpClient;
    private @Nullable Sleeper sleeper;
    private @Nullable Integer maxWebhookBodyBytes;
    private @Nullable Duration signatureMaxAge;
    private @Nullable Integer maxAttempts;
    private @Nullable Duration maxRetryWait;
    private @Nullable Duration requestTimeout;
    private @Nullable Integer maxParts;
    private @Nullable BooleanSupplier sendsHalted;

    private Builder() {}

    private static void once(@Nullable Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    /**
     * Sets the HTTP client (default: a new client, 10 s connect timeout, no redirects).
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      once(httpClient, "httpClient");
      httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets the sleeper (default {@link Thread#sleep(long)}).
     *
     * @param s the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper s) {
      once(sleeper, "sleeper");
      sleeper = Objects.requireNonNull(s, "sleeper");
      return this;
    }

    /**
     * Sets the largest webhook body, 1 KiB..1 MiB.
     *
     * @param bytes the bound
     * @return this builder
     */
    public Builder maxWebhookBodyBytes(int bytes) {
      once(maxWebhookBodyBytes, "maxWebhookBodyBytes");
      if (bytes < 1024 || bytes > dev.secureyeoman.integrations.WebhookRequest.MAX_BODY_BYTES) {
        throw new IllegalArgumentException("maxWebhookBodyBytes must be in [1024, 1048576], got " + bytes);
      }
      maxWebhookBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the signature timestamp window, 1 s..5 min (Slack's documented window is the upper bound).
     *
     * @param window the window
     * @return this builder
     */
    public Builder signatureMaxAge(Duration window) {
      once(signatureMaxAge, "signatureMaxAge");
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("signatureMaxAge must be in [PT1S, PT5M], got " + window);
      }
      signatureMaxAge = window;
      return this;
    }

    /**
     * Sets the attempts per API call, 1..10.
     *
     * @param n attempts
     * @return this builder
     */
    public Builder maxAttempts(int n) {
      once(maxAttempts, "maxAttempts");
      if (n < 1 || n > 10) {
        throw new IllegalArgumentException("maxAttempts must be in [1, 10], got " + n);
      }
      maxAttempts = n;
      return this;
    }

    /**
     * Sets the longest Retry-After honoured, 0..10 min.
     *
     * @param wait the bound
     * @return this builder
     */
    public Builder maxRetryWait(Duration wait) {
      once(maxRetryWait, "maxRetryWait");
      if (wait.isNegative() || wait.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("maxRetryWait must be in [PT0S, PT10M], got " + wait);
      }
      maxRetryWait = wait;
      return this;
    }

    /**
     * Sets the timeout of one API request, 1 s..5 min.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      once(requestTimeout, "requestTimeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("requestTimeout must be in [PT1S, PT5M], got " + timeout);
      }
      requestTimeout = timeout;
      return this;
    }

    /**
     * Sets the most parts of one split message, 1..100.
     *
     * @param n parts
     * @return this builder
     */
    public Builder maxParts(int n) {
      once(maxParts, "maxParts");
      if (n < 1 || n > 100) {
        throw new IllegalArgumentException("maxParts must be in [1, 100], got " + n);
      }
      maxParts = n;
      return this;
    }

    /**
     * Halts outbound calls while a condition holds — pass {@code killSwitch::isEngaged}: the router checks the kill
     * switch before it sends a reply, this stops a reply already going out before its next part and before a retry
     * after a 429 wait (default: never halted).
     *
     * @param halted answers true while nothing may be sent
     * @return this builder
     */
    public Builder haltSendsWhile(BooleanSupplier halted) {
      once(sendsHalted, "haltSendsWhile");
      sendsHalted = Objects.requireNonNull(halted, "halted");
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public AdapterOptions build() {
      return new AdapterOptions(this);
    }
  }
}
