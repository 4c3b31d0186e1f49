/**
 * Implementation of {@code dev.secureyeoman.sandbox}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.sandbox.internal.nativ;

import org.jspecify.annotations.NullMarked;
