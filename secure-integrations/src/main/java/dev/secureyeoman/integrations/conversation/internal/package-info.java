/**
 * Implementation of {@code dev.secureyeoman.integrations.conversation}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.integrations.conversation.internal;

import org.jspecify.annotations.NullMarked;
