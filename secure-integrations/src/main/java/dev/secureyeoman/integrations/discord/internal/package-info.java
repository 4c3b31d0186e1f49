/**
 * Implementation of {@code dev.secureyeoman.integrations.discord}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.integrations.discord.internal;

import org.jspecify.annotations.NullMarked;
