/**
 * Messaging vocabulary shared by the chat-platform adapters.
 *
 * <p>{@link dev.secureyeoman.integrations.ThreadKey} identifies one conversation thread on one platform; conversation
 * context is kept per key so two threads never see each other's history.
 */
package dev.secureyeoman.integrations;
