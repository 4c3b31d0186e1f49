/**
 * The chat-bot example: the Telegram, Discord and Slack adapters, media handling (optionally scanned by clamd),
 * conversation tracking and the kill-switch-aware message router, wired as a host application would, and run
 * against loopback fakes of the three platforms ({@link dev.secureyeoman.examples.chatbot.FakePlatforms}).
 *
 * <p>Run: {@code java -cp examples/target/gateway.jar dev.secureyeoman.examples.chatbot.ChatbotMain [--data-dir D]
 * [--clamd-socket /run/clamav/clamd.ctl]}.
 */
package dev.secureyeoman.examples.chatbot;
