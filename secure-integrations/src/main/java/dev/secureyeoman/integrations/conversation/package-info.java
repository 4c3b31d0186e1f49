/**
 * Conversation context per chat thread, handed to the AI.
 *
 * <p>{@link dev.secureyeoman.integrations.conversation.ThreadResolver} maps platform messages (Telegram reply chains and
 * forum topics, Discord thread channels, Slack {@code thread_ts}) to {@link dev.secureyeoman.integrations.ThreadKey}s;
 * {@link dev.secureyeoman.integrations.conversation.ConversationTracker} keeps a bounded window of
 * {@link dev.secureyeoman.integrations.conversation.Turn}s per key (by turns and by an approximate token budget, idle
 * expiry, a cap on live threads) in a pluggable
 * {@link dev.secureyeoman.integrations.conversation.ConversationStore}, and
 * {@link dev.secureyeoman.integrations.conversation.ConversationTracker#exchange} passes a thread's
 * {@link dev.secureyeoman.integrations.conversation.ConversationContext} — and only that thread's — to an
 * {@link dev.secureyeoman.integrations.conversation.AiResponder}.
 */
@NullMarked
package dev.secureyeoman.integrations.conversation;

import org.jspecify.annotations.NullMarked;
