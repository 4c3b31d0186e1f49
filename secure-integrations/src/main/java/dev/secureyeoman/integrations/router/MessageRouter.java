package dev.secureyeoman.integrations.router;

import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditLevel;
import dev.secureyeoman.audit.AuditSink;
import dev.secureyeoman.core.TextNeutralizer;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.core.killswitch.KillSwitchListener;
import dev.secureyeoman.integrations.InboundMessageSink;
import dev.secureyeoman.integrations.MessageAttachment;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.adapters.MediaResolver;
import dev.secureyeoman.integrations.conversation.AiResponder;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.conversation.Turn;
import dev.secureyeoman.integrations.media.MediaHandle;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaRejectedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes inbound messages to the AI and its replies back into the same thread.
 *
 * <pre>{@code
 * MessageRouter router = MessageRouter.builder()
 *     .killSwitch(killSwitch).tracker(tracker).responder(ai)
 *     .media(mediaHandler).resolver("slack", slackFactory).resolver("telegram", telegramFactory)
 *     .executor(workers)                       // webhooks must answer fast: process elsewhere
 *     .build();
 * IntegrationManager manager = IntegrationManager.builder().inboundSink(router)...build();
 * router.sendThrough(manager::send);
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 *
 * <ul>
 *   <li><b>Kill switch.</b> Checked when a message arrives, again before the AI is asked and again before the reply is
 *       sent. While engaged, a message is acknowledged (the adapter answers the platform normally, so it does not
 *       retry) but nothing else happens: no download, no conversation record, no AI call, no outbound request. The
 *       switch is core's persisted {@link KillSwitch}: its state survives restarts and is shared by processes; an
 *       unreadable state file counts as engaged. {@link #auditing(AuditSink)} audits each pause and resume.
 *   <li><b>Bots are not answered</b> (no reply loops between bots, no answering our own messages).
 *   <li><b>Attachments</b> go only through the {@link MediaHandler} (policy, size cap, scanner); the AI sees a
 *       description with type, size, sha256 and scan verdict — never the platform's URL or file name as a path — and
 *       every file is deleted when the message is done, also on failure.
 *   <li><b>Context isolation</b>: the responder receives the context of the message's own thread only (through
 *       {@link ConversationTracker#exchange}).
 * </ul>
 *
 * <p><b>Non-goals.</b> Work already in flight when the switch is engaged is not interrupted (the checks stop it at the
 * next step); adapters built with {@code AdapterOptions.haltSendsWhile(killSwitch::isEngaged)} also stop a reply
 * between its parts and before a retry after a 429 wait. Outbound escaping and splitting are the adapters' job.
 *
 * <p>Thread-safe; messages are processed on the configured executor (default: the caller's thread).
 */
public final class MessageRouter implements InboundMessageSink {
  private static final Logger LOG = LoggerFactory.getLogger(MessageRouter.class);

  private final KillSwitch killSwitch;
  private final ConversationTracker tracker;
  private final AiResponder responder;
  private volatile OutboundSender sender;
  private final MediaHandler media;
  private final Map<String, MediaResolver> resolvers;
  private final MediaConsumer mediaConsumer;
  private final Executor executor;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong paused = new AtomicLong();
  private final AtomicLong bots = new AtomicLong();
  private final AtomicLong replied = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong mediaAccepted = new AtomicLong();
  private final AtomicLong mediaRefused = new AtomicLong();

  private MessageRouter(Builder b) {
    this.killSwitch = b.killSwitch;
    this.tracker = b.tracker;
    this.responder = b.responder;
    this.sender = b.sender;
    this.media = b.media;
    this.resolvers = Map.copyOf(b.resolvers);
    this.mediaConsumer = b.mediaConsumer;
    this.executor = b.executor == null ? Runnable::run : b.executor;
  }

  /**
   * A new builder.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A kill-switch listener that records {@code killswitch.engaged} / {@code killswitch.released} (actor, reason) in the
   * audit log before the change is written — pass it to {@code KillSwitch.builder(file).listener(...)}. If the audit
   * write fails, the switch does not change.
   *
   * @param audit the audit sink
   * @return the listener
   */
  public static KillSwitchListener auditing(AuditSink audit) {
    Objects.requireNonNull(audit, "audit");
    return change -> audit.record(AuditEvent.builder(change.next().engaged() ? "killswitch.engaged"
            : "killswitch.released")
        .level(change.next().engaged() ? AuditLevel.WARN : AuditLevel.INFO)
        .actor(change.next().changedBy())
        .message(change.next().engaged() ? "all bot activity paused" : "bot activity resumed")
        .put("reason", change.next().reason())
        .build());
  }

  /**
   * Sets the sender when it can only be created after the router (the manager takes the router as its inbound sink).
   *
   * @param outbound the sender, normally {@code manager::send}
   */
  public void sendThrough(OutboundSender outbound) {
    this.sender = Objects.requireNonNull(outbound, "outbound");
  }

  /**
   * Returns the counters.
   *
   * @return a snapshot
   */
  public RouterStats stats() {
    return new RouterStats(received.get(), paused.get(), bots.get(), replied.get(), failed.get(), mediaAccepted.get(),
        mediaRefused.get());
  }

  /**
   * Accepts a message: returns at once (the adapter then acknowledges it to the platform) and processes it on the
   * executor unless the kill switch is engaged or the sender is a bot.
   *
   * @param message the message
   */
  @Override
  public void accept(UnifiedMessage message) {
    Objects.requireNonNull(message, "message");
    received.incrementAndGet();
    if (killSwitch.isEngaged()) {
      paused.incrementAndGet();
      LOG.info("kill switch engaged: message {} in {} acknowledged, not processed", message.messageId(),
          message.thread().canonical());
      return;
    }
    if (message.sender().bot()) {
      bots.incrementAndGet();
      return;
    }
    executor.execute(() -> process(message));
  }

  private void process(UnifiedMessage message) {
    List<MediaHandle> handles = new ArrayList<>();
    try {
      if (killSwitch.isEngaged()) {
        paused.incrementAndGet();
        return;
      }
      StringBuilder text = new StringBuilder(message.text());
      int n = 0;
      for (MessageAttachment a : message.attachments()) {
        n++;
        text.append(text.length() == 0 ? "" : "\n").append(describe(message, a, n, handles));
      }
      String t = text.length() == 0 ? "[empty message]" : text.toString();
      if (t.length() > Turn.MAX_TEXT_CHARS) {
        t = t.substring(0, Turn.MAX_TEXT_CHARS);
      }
      String author = message.sender().displayName().isBlank() ? message.sender().id()
          : message.sender().displayName();
      Turn user = Turn.user(author, t, message.receivedAt());
      AiResponder guarded = ctx -> killSwitch.isEngaged() ? Optional.empty() : responder.respond(ctx);
      Optional<Turn> reply = tracker.exchange(message.thread(), user, guarded);
      if (reply.isEmpty()) {
        if (killSwitch.isEngaged()) {
          paused.incrementAndGet();
        }
        return;
      }
      if (killSwitch.isEngaged()) {
        paused.incrementAndGet(); // engaged while the AI was thinking: the reply is withheld
        return;
      }
      OutboundSender out = sender;
      if (out == null) {
        throw new IllegalStateException("no outbound sender (call sendThrough)");
      }
      out.send(OutboundMessage.replyTo(message, reply.get().text()));
      replied.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.incrementAndGet();
    } catch (Exception e) {
      failed.incrementAndGet();
      LOG.warn("message {} in {} failed: {}", message.messageId(), message.thread().canonical(),
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())));
    } finally {
      for (MediaHandle h : handles) {
        h.close();
      }
    }
  }

  private String describe(UnifiedMessage message, MessageAttachment a, int n, List<MediaHandle> handles)
      throws InterruptedException {
    String label = "[attachment " + n + " (" + a.kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
    MediaResolver resolver = resolvers.get(message.platform());
    if (media == null || resolver == null) {
      return label + " not downloaded]";
    }
    MediaHandle h;
    try {
      h = media.download(resolver.resolve(a));
    } catch (MediaRejectedException e) {
      mediaRefused.incrementAndGet();
      return label + " refused: " + e.reason() + "]";
    } catch (dev.secureyeoman.integrations.IntegrationException e) {
      mediaRefused.incrementAndGet();
      return label + " refused: not resolvable]";
    }
    handles.add(h);
    mediaAccepted.incrementAndGet();
    if (mediaConsumer != null) {
      try {
        mediaConsumer.accept(message, h);
      } catch (Exception e) {
        LOG.warn("media consumer failed on an attachment of {}: {}", message.messageId(), e.getClass().getSimpleName());
      }
    }
    String sha;
    try {
      sha = h.sha256().substring(0, 16);
    } catch (java.io.IOException e) {
      sha = "unavailable";
    }
    return label + ": " + h.contentType() + ", " + h.size() + " bytes, sha256 " + sha + "…"
        + h.scanResult().map(r -> ", scan " + r.verdict()).orElse(", not scanned") + "]";
  }

  /** Exception text in a log line: line breaks become spaces, other controls, bidi and separators are escaped. */
  private static final TextNeutralizer ONE_LINE =
      TextNeutralizer.builder().lineBreaksAsSpace(true).maxChars(200).build();

  private static String oneLine(String s) {
    return ONE_LINE.neutralize(s);
  }

  /** Builder; each option may be set once. */
  public static final class Builder {
    private KillSwitch killSwitch;
    private ConversationTracker tracker;
    private AiResponder responder;
    private OutboundSender sender;
    private MediaHandler media;
    private final Map<String, MediaResolver> resolvers = new HashMap<>();
    private MediaConsumer mediaConsumer;
    private Executor executor;

    private Builder() {}

    /** The one rule of every setter: non-null, and set at most once (naming the option and its earlier value). */
    private static <T> T setOnce(T current, T value, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
      return Objects.requireNonNull(value, option);
    }

    /**
     * Sets the kill switch (required).
     *
     * @param ks the switch
     * @return this builder
     */
    public Builder killSwitch(KillSwitch ks) {
      killSwitch = setOnce(killSwitch, ks, "killSwitch");
      return this;
    }

    /**
     * Sets the conversation tracker (required).
     *
     * @param t the tracker
     * @return this builder
     */
    public Builder tracker(ConversationTracker t) {
      tracker = setOnce(tracker, t, "tracker");
      return this;
    }

    /**
     * Sets the AI responder (required).
     *
     * @param r the responder
     * @return this builder
     */
    public Builder responder(AiResponder r) {
      responder = setOnce(responder, r, "responder");
      return this;
    }

    /**
     * Sets the sender (or call {@link MessageRouter#sendThrough} later).
     *
     * @param s the sender
     * @return this builder
     */
    public Builder sender(OutboundSender s) {
      sender = setOnce(sender, s, "sender");
      return this;
    }

    /**
     * Sets the media handler (without one, attachments are described as not downloaded).
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder media(MediaHandler handler) {
      media = setOnce(media, handler, "media");
      return this;
    }

    /**
     * Sets the media resolver of a platform (the adapter factories are resolvers).
     *
     * @param platform the platform id
     * @param resolver the resolver
     * @return this builder
     */
    public Builder resolver(String platform, MediaResolver resolver) {
      if (resolvers.putIfAbsent(Objects.requireNonNull(platform, "platform"),
          Objects.requireNonNull(resolver, "resolver")) != null) {
        throw new IllegalStateException("resolver for " + platform + " was already set");
      }
      return this;
    }

    /**
     * Sets a consumer of accepted attachments.
     *
     * @param consumer the consumer
     * @return this builder
     */
    public Builder mediaConsumer(MediaConsumer consumer) {
      mediaConsumer = setOnce(mediaConsumer, consumer, "mediaConsumer");
      return this;
    }

    /**
     * Sets the executor that processes messages (default: the caller's thread).
     *
     * @param e the executor
     * @return this builder
     */
    public Builder executor(Executor e) {
      executor = setOnce(executor, e, "executor");
      return this;
    }

    /**
     * Builds the router.
     *
     * @return the router
     * @throws IllegalStateException if the kill switch, tracker or responder is missing
     */
    public MessageRouter build() {
      if (killSwitch == null || tracker == null || responder == null) {
        throw new IllegalStateException("killSwitch, tracker and responder are required");
      }
      return new MessageRouter(this);
    }
  }
}
