/**
 * Implementation of {@code dev.secureyeoman.integrations.media}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.integrations.media.internal;

import org.jspecify.annotations.NullMarked;
