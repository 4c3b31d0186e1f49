/**
 * The Telegram adapter (Bot API): updates by webhook (the {@code X-Telegram-Bot-Api-Secret-Token} header compared in
 * constant time, duplicate {@code update_id}s dropped) or by {@code getUpdates} long polling; photos and documents as
 * attachments resolved through {@code getFile}; replies with {@code sendMessage}, {@code reply_parameters} and
 * {@code message_thread_id} into the same reply chain or forum topic, as plain text (no {@code parse_mode}) with
 * mentions neutralised, split to 4096 characters.
 *
 * <p>Register with {@code IntegrationManager.registerBuiltIn(new TelegramIntegrationFactory(options))}; configuration
 * from section {@code integrations.telegram} ({@link dev.secureyeoman.integrations.telegram.TelegramConfig}). Follows
 * Bot API 7.x (reply_parameters, link_preview_options were introduced in 7.0).
 *
 * <p>In polling mode an optional {@code state_file} keeps the {@code getUpdates} offset across restarts, sealed with the
 * host's {@code SecretStore}; a tampered or foreign file fails the start with {@link
 * dev.secureyeoman.integrations.telegram.TelegramStateException}.
 */
@NullMarked
package dev.secureyeoman.integrations.telegram;

import org.jspecify.annotations.NullMarked;
