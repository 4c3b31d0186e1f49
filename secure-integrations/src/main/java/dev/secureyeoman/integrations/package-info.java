/**
 * The integration SPI and the messaging vocabulary shared by chat-platform adapters and plugins.
 *
 * <p>A plugin project compiles against this package only (dependency {@code dev.secureyeoman:secure-integrations},
 * scope {@code provided}, version from {@code secure-bom}) and exports an {@link dev.secureyeoman.integrations.IntegrationFactory}
 * that creates {@link dev.secureyeoman.integrations.Integration} instances. The host gives each instance an
 * {@link dev.secureyeoman.integrations.IntegrationContext}: a logger, an audit sink scoped to the integration, the
 * inbound message sink, a scheduler whose tasks die with the instance, a clock and a webhook registration.
 *
 * <p>Messages: {@link dev.secureyeoman.integrations.UnifiedMessage} (inbound, with declared
 * {@link dev.secureyeoman.integrations.MessageAttachment}s) and {@link dev.secureyeoman.integrations.OutboundMessage}
 * (a reply into a thread). {@link dev.secureyeoman.integrations.ThreadKey} identifies one conversation thread on one
 * platform; conversation context is kept per key so two threads never see each other's history.
 *
 * <p><b>Security notes.</b> Values validate on construction; message text, attachment references (which may be
 * token-bearing URLs) and webhook bodies never appear in {@code toString}. Display names and file names from platforms
 * are normalised and display-only. Nothing in this package grants isolation: a plugin runs in the host JVM with the
 * host's permissions (see {@code docs/plugins.md}).
 */
@NullMarked
package dev.secureyeoman.integrations;

import org.jspecify.annotations.NullMarked;
