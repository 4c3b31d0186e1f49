/**
 * The Discord adapter, gateway-free: slash-command interactions arrive at the interactions endpoint (Ed25519 signature
 * over timestamp + body verified with the application's public key through the JDK's JCA, timestamps outside the
 * window and replays refused, {@code PING} answered), are acknowledged with a deferred response and handed on; replies
 * edit the deferred response and continue as follow-ups (or go to {@code POST /channels/{id}/messages} for threads
 * without a pending interaction) with {@code allowed_mentions: {parse: []}} and markdown escaped, split to 2000
 * characters. Attachment options are CDN URLs downloaded through the media handler. Thread = thread channel.
 *
 * <p>Register with {@code IntegrationManager.registerBuiltIn(new DiscordIntegrationFactory(options))}; configuration
 * from section {@code integrations.discord} ({@link dev.secureyeoman.integrations.discord.DiscordConfig}). Follows
 * Discord API v10.
 */
@NullMarked
package dev.secureyeoman.integrations.discord;

import org.jspecify.annotations.NullMarked;
