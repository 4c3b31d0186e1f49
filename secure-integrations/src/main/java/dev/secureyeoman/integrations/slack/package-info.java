/**
 * The Slack adapter: Events API webhooks (request signature {@code v0}, HMAC-SHA256 with the signing secret, timestamps
 * older than 5 minutes refused, replays refused, {@code url_verification} answered), {@code message} events with
 * {@code files} mapped to {@link dev.secureyeoman.integrations.UnifiedMessage}s with {@code thread_ts} threads, and
 * {@code chat.postMessage} replies into the same thread with text escaped and {@code mrkdwn} off.
 *
 * <p>Register with {@code IntegrationManager.registerBuiltIn(new SlackIntegrationFactory(options))}; configuration from
 * section {@code integrations.slack} ({@link dev.secureyeoman.integrations.slack.SlackConfig}). Follows the Slack Web
 * API and Events API as documented in 2024–2025 (signing secret v0, {@code chat.postMessage}).
 */
@NullMarked
package dev.secureyeoman.integrations.slack;

import org.jspecify.annotations.NullMarked;
