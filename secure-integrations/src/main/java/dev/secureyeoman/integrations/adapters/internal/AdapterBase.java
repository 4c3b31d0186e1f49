package dev.secureyeoman.integrations.adapters.internal;

import dev.secureyeoman.integrations.Health;
import dev.secureyeoman.integrations.IntegrationContext;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.WebhookResponse;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.media.MediaRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** State and checks every built-in adapter shares: context, options, running flag, counters, health. */
public abstract class AdapterBase {
  protected final AdapterOptions options;
  // set by initBase (from the adapter's init), read after it: null only before init
  private volatile @Nullable IntegrationContext context;
  private volatile @Nullable PlatformHttp http;
  private volatile @Nullable ReplayCache replays;
  protected volatile boolean running;
  protected final AtomicLong accepted = new AtomicLong();
  protected final AtomicLong rejected = new AtomicLong();
  protected final AtomicLong sent = new AtomicLong();

  protected AdapterBase(AdapterOptions options) {
    this.options = options;
  }

  /** Prepares the shared parts; called from {@code init}. */
  protected void initBase(IntegrationContext ctx, PlatformHttp platformHttp) {
    this.context = ctx;
    this.http = platformHttp;
    // a timestamp is accepted while |floor(now) - ts| <= window, i.e. for up to 2 * window + 1 s (one side in the
    // future): remember keys a little longer, so a request is refused by its timestamp before its entry expires
    this.replays = new ReplayCache(ctx.clock(), options.signatureMaxAge().multipliedBy(2).plusSeconds(2), 200_000);
  }

  /**
   * Returns the context given to {@code init}.
   *
   * @return the context
   * @throws IllegalStateException before {@code init}
   */
  protected IntegrationContext context() {
    IntegrationContext c = context;
    if (c == null) {
      throw new IllegalStateException("adapter not initialised: no context before init");
    }
    return c;
  }

  /**
   * Returns the platform HTTP client made in {@code init}.
   *
   * @return the client
   * @throws IllegalStateException before {@code init}
   */
  protected PlatformHttp http() {
    PlatformHttp h = http;
    if (h == null) {
      throw new IllegalStateException("adapter not initialised: no platform client before init");
    }
    return h;
  }

  /**
   * Returns the webhook replay cache made in {@code init}.
   *
   * @return the cache
   * @throws IllegalStateException before {@code init}
   */
  protected ReplayCache replays() {
    ReplayCache r = replays;
    if (r == null) {
      throw new IllegalStateException("adapter not initialised: no replay cache before init");
    }
    return r;
  }

  /**
   * Refuses what every webhook refuses before looking at credentials: wrong method, oversized body, stopped adapter.
   *
   * @param request the request
   * @return the refusal, or null to go on
   */
  protected @Nullable WebhookResponse precheck(WebhookRequest request) {
    if (!"POST".equals(request.method())) {
      return reject(405, "method not allowed", "method");
    }
    if (request.body().length > options.maxWebhookBodyBytes()) {
      return reject(413, "body too large", "body size");
    }
    if (!running) {
      return Webhooks.error(503, "not running");
    }
    return null;
  }

  /** Counts and logs a refused webhook request (the reason is a fixed word; nothing from the request). */
  protected WebhookResponse reject(int status, String error, String why) {
    rejected.incrementAndGet();
    context().logger().warn("webhook request refused: {}", why);
    return Webhooks.error(status, error);
  }

  /** Throws unless started. */
  protected void requireRunning() throws IntegrationException {
    if (!running) {
      IntegrationContext c = context;
      throw new IntegrationException(c == null ? "adapter not initialised" : c.integrationId() + " is not running");
    }
  }

  /**
   * Throws while sends are halted ({@link AdapterOptions#sendsHalted()}, e.g. the kill switch): called before each part.
   *
   * @throws IntegrationException if halted
   */
  protected void requireSendsAllowed() throws IntegrationException {
    if (options.sendsHalted()) {
      throw new IntegrationException(context().integrationId() + " send halted: sends are paused");
    }
  }

  /**
   * Reports health from the counters: DOWN when stopped, DEGRADED while the platform rate-limits us.
   *
   * @return the health
   */
  public Health health() {
    PlatformHttp h = http;
    String detail = "accepted " + accepted.get() + ", refused " + rejected.get() + ", sent " + sent.get()
        + (h == null ? "" : ", rate-limited " + h.rateLimitedCount());
    if (!running) {
      return Health.down("stopped; " + detail);
    }
    return h != null && h.blocked() ? Health.degraded("rate limited; " + detail) : Health.up(detail);
  }

  /**
   * Starts a media request for an attachment whose platform reference is an absolute URL (Discord's CDN, Slack's
   * {@code url_private_download}), carrying the declared size, type and file name.
   *
   * @param integrationId the adapter's integration id
   * @param platform the platform name used in error messages
   * @param attachment the attachment
   * @return the builder (the caller adds credentials, if any)
   * @throws IntegrationException if the reference is not an absolute URL
   */
  protected static MediaRequest.Builder mediaRequestFor(String integrationId, String platform, MessageAttachment attachment)
      throws IntegrationException {
    URI url;
    try {
      url = new URI(attachment.platformRef());
    } catch (URISyntaxException e) {
      throw new IntegrationException(platform + " attachment reference is not a URL");
    }
    if (!url.isAbsolute()) {
      throw new IntegrationException(platform + " attachment reference is not an absolute URL");
    }
    MediaRequest.Builder b = MediaRequest.builder(integrationId, url);
    attachment.declaredSize().ifPresent(b::declaredSize);
    attachment.contentType().ifPresent(b::declaredType);
    attachment.fileName().ifPresent(b::fileName);
    return b;
  }
}
