/** Conversation context per thread (placeholder). */
package dev.secureyeoman.integrations.conversation;
