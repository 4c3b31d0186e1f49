/**
 * The message router: what the host plugs into {@code IntegrationManager.Builder.inboundSink(...)} to turn inbound
 * messages into AI replies in the same thread, honouring the persisted kill switch of {@code dev.secureyeoman.core}.
 *
 * <p>{@link dev.secureyeoman.integrations.router.MessageRouter} checks the
 * {@link dev.secureyeoman.core.killswitch.KillSwitch} first (engaged: the message is acknowledged to the platform and
 * dropped — no media download, no conversation record, no AI call, no send), downloads attachments through the
 * {@link dev.secureyeoman.integrations.media.MediaHandler}, hands the thread's context to the
 * {@link dev.secureyeoman.integrations.conversation.AiResponder} through the
 * {@link dev.secureyeoman.integrations.conversation.ConversationTracker}, and sends the reply into the thread.
 */
@NullMarked
package dev.secureyeoman.integrations.router;

import org.jspecify.annotations.NullMarked;
