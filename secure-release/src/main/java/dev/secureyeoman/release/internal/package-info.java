/**
 * Implementation of {@code dev.secureyeoman.release}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.release.internal;

import org.jspecify.annotations.NullMarked;
