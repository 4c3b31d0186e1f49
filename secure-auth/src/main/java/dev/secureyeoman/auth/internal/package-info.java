/**
 * Implementation of {@code dev.secureyeoman.auth}: not exported, not API.
 *
 * <p>Non-null by default ({@code @NullMarked}), checked by NullAway in the build.
 */
@NullMarked
package dev.secureyeoman.auth.internal;

import org.jspecify.annotations.NullMarked;
