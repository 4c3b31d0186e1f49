/**
 * What the built-in chat adapters (Telegram, Discord, Slack) share: {@link dev.secureyeoman.integrations.adapters.AdapterOptions}
 * (HTTP client, rate-limit retries, webhook limits, injected sleeper) and
 * {@link dev.secureyeoman.integrations.adapters.MediaResolver}, which turns a declared attachment into a
 * {@link dev.secureyeoman.integrations.media.MediaRequest} for the {@link dev.secureyeoman.integrations.media.MediaHandler}.
 *
 * <p><b>Security guarantees of every adapter</b> (details in {@code docs/integrations.md}): webhook requests are
 * authenticated before their body is parsed (Slack v0 HMAC-SHA256 with a 5-minute timestamp window, Discord Ed25519,
 * Telegram secret token), compared in constant time, and a replayed request is refused; bodies above
 * {@link dev.secureyeoman.integrations.adapters.AdapterOptions#maxWebhookBodyBytes()} are refused with 413; outbound text
 * is escaped so that user text cannot ping {@code @everyone}/{@code @channel} or inject formatting, and split to the
 * platform's limit; HTTP 429 is honoured (Retry-After) within a bounded wait; bot tokens, signing secrets and
 * interaction tokens never appear in logs, exceptions or {@code toString}.
 *
 * <p><b>Non-goals.</b> The adapters do not talk to the Discord gateway (WebSocket) or Slack Socket Mode; Discord messages
 * arrive as interactions (slash commands).
 */
@NullMarked
package dev.secureyeoman.integrations.adapters;

import org.jspecify.annotations.NullMarked;
